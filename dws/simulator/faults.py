"""Fault injection for the simulator: latency, 5xx, 429 and dropped connections on chosen paths.

A `FaultInjector` holds rules; `FaultMiddleware` (pure ASGI) applies them to each request.
A rule matches a request path by a glob (``fnmatch``: ``*/clusters/*/restart``) or a regular
expression (``re:^/v1\\.0/.*/clusters$``), optionally only for one HTTP method, and fires

- for the next ``count`` matching requests (then it is removed), or
- with ``probability`` per matching request, drawn from a seeded `random.Random` (reproducible
  with the simulator's ``--seed``), or
- on every matching request when neither is given.

Kinds:

``latency``   wait ``seconds`` (real time) before the request goes on; combines with the others.
``hold``      handle the request (its effect is applied), then wait ``seconds`` (real time)
              before the answer is sent: a client that gives up or dies meanwhile has changed
              the state without learning it (tests of crashes after a call landed).
``error``     answer ``status`` (5xx, default 503) with a DWS error body
              (``code``, default ``DWS.0001``; the reference documents no server-side codes).
``throttle``  answer 429 with ``Retry-After: retry_after`` (seconds) and the API gateway's
              throttling body (``APIGW.0308``).
``drop``      drop the connection without an answer. Over a socket (uvicorn) the connection is
              closed before any byte of a response, so clients see "server disconnected"; in
              process (``httpx.ASGITransport``) `DroppedConnection` is raised, which *is* an
              ``httpx.RemoteProtocolError`` and so reaches the client as a transport error.

`FaultMiddleware` must be the OUTERMOST layer of the app (outside Starlette's own error
middleware) so that it sees the server's raw ``send``. ``/_sim/`` paths are never faulted.
The command line form of a rule is `parse_fault_spec`: ``PATTERN=KIND[:key=value,...]``.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import math
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KINDS = ("latency", "hold", "error", "throttle", "drop")
CONTROL_PREFIX = "/_sim/"
THROTTLED_CODE = "APIGW.0308"
ERROR_CODE = "DWS.0001"
MAX_LATENCY = 600.0  # seconds of injected latency, at most
MAX_RETRY_AFTER = 86_400
_SPEC = re.compile(rf"^(?P<pattern>.+?)=(?P<kind>{'|'.join(KINDS)})(?::(?P<opts>.*))?$")


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised in process to make an in-memory client see a dropped connection."""

    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


@dataclass(slots=True)
class FaultRule:
    """One fault: what to do, on which requests, how often."""

    id: str
    kind: str
    pattern: str
    method: str | None = None
    count: int | None = None
    probability: float | None = None
    seconds: float = 0.0
    status: int = 503
    retry_after: int = 1
    code: str | None = None
    fired: int = 0
    _matcher: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r} (use one of {', '.join(KINDS)})")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if not math.isfinite(self.seconds) or not 0 <= self.seconds <= MAX_LATENCY:
            raise ValueError(f"seconds must be between 0 and {MAX_LATENCY:g}")
        if not 0 <= self.retry_after <= MAX_RETRY_AFTER:
            raise ValueError(f"retry_after must be between 0 and {MAX_RETRY_AFTER}")
        if self.kind == "error" and not 500 <= self.status <= 599:
            raise ValueError("an error fault needs a 5xx status")
        if self.method:
            self.method = self.method.upper()
        if self.pattern.startswith("re:"):
            source = self.pattern[3:]
        else:
            source = r"\A" + fnmatch.translate(self.pattern)
        try:
            self._matcher = re.compile(source)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None

    def matches(self, method: str, path: str) -> bool:
        """True when the rule applies to this request (before count and probability)."""
        if self.method and self.method != method:
            return False
        return self._matcher.search(path) is not None

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON for the control API."""
        return {
            "id": self.id,
            "kind": self.kind,
            "pattern": self.pattern,
            "method": self.method,
            "count": self.count,
            "probability": self.probability,
            "seconds": self.seconds,
            "status": self.status,
            "retry_after": self.retry_after,
            "code": self.code,
            "fired": self.fired,
        }


KIND_WORDS: dict[type, str] = {int: "an integer", float: "a number", str: "a string"}
_FIELDS = {
    "kind": str,
    "pattern": str,
    "method": str,
    "count": int,
    "probability": float,
    "seconds": float,
    "status": int,
    "retry_after": int,
    "code": str,
}


class FaultInjector:
    """The fault rules of one simulator, with a seeded random source for probabilities."""

    def __init__(self, seed: int = 0) -> None:
        self.rules: list[FaultRule] = []
        self._random = random.Random(seed)
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, kind: str, pattern: str, **options: Any) -> FaultRule:
        """Add a rule (options: method, count, probability, seconds, status, retry_after, code)."""
        with self._lock:
            rule = FaultRule(id=f"fault-{self._next_id}", kind=kind, pattern=pattern, **options)
            self._next_id += 1
            self.rules.append(rule)
            return rule

    def add_from_dict(self, data: Any) -> FaultRule:
        """Add a rule from JSON (the control API); ValueError with a clear message if invalid."""
        if not isinstance(data, dict):
            raise ValueError("a fault must be a JSON object")
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
        if "kind" not in data or "pattern" not in data:
            raise ValueError("a fault needs a kind and a pattern")
        values: dict[str, Any] = {}
        for name, value in data.items():
            if value is None:
                continue
            kind = _FIELDS[name]
            ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
            if not ok or isinstance(value, bool):
                raise ValueError(f"fault field {name} must be {KIND_WORDS[kind]}")
            values[name] = value
        return self.add(values.pop("kind"), values.pop("pattern"), **values)

    def remove(self, rule_id: str) -> bool:
        """Remove one rule; False if there is no such rule."""
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if r.id != rule_id]
            return len(self.rules) != before

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self.rules = []

    def reseed(self, seed: int) -> None:
        """Restart the random source (the simulator's reset does this)."""
        self._random = random.Random(seed)

    def pick(self, method: str, path: str) -> list[FaultRule]:
        """The rules that fire for this request, consuming counts and drawing probabilities."""
        fired: list[FaultRule] = []
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, path):
                    continue
                if rule.probability is not None and self._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                if rule.count is not None:
                    rule.count -= 1
                fired.append(rule)
            if any(r.count == 0 for r in fired):
                self.rules = [r for r in self.rules if r.count != 0]
        return fired


def parse_fault_spec(text: str) -> dict[str, Any]:
    """``PATTERN=KIND[:key=value,...]`` → the JSON form of a rule (ValueError if malformed).

    Examples: ``*/restart=error:status=503,count=2``, ``*=drop:probability=0.1``,
    ``*/clusters=latency:seconds=0.5``, ``*/snapshots=throttle:retry_after=3,method=POST``.
    """
    m = _SPEC.match(text.strip())
    if m is None:
        raise ValueError(
            f"bad fault {text!r}: expected PATTERN=KIND[:key=value,...] with KIND "
            f"one of {', '.join(KINDS)}"
        )
    data: dict[str, Any] = {"pattern": m["pattern"], "kind": m["kind"]}
    for item in filter(None, (m["opts"] or "").split(",")):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or key not in _FIELDS or key in ("kind", "pattern"):
            raise ValueError(f"bad fault option {item!r} in {text!r}")
        kind = _FIELDS[key]
        try:
            data[key] = kind(raw.strip())
        except ValueError:
            raise ValueError(f"fault option {key} must be {KIND_WORDS[kind]}") from None
    return data


class FaultMiddleware:
    """ASGI middleware applying an injector's rules; must wrap the whole app (outermost).

    ``record(method, path, status)`` is told about each request a fault answered (status 0 for
    a dropped connection), so the simulator's request log stays complete.
    """

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        record: Callable[[str, str, int], None] | None = None,
    ) -> None:
        self.app = app
        self.injector = injector
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.injector.rules
            or scope["type"] != "http"
            or scope["path"].startswith(CONTROL_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        fired = self.injector.pick(scope["method"], scope["path"])
        delay = sum(r.seconds for r in fired if r.kind == "latency")
        if delay:
            await asyncio.sleep(delay)
        hold = sum(r.seconds for r in fired if r.kind == "hold")
        if hold:
            send = _held(send, hold)
        action = next((r for r in fired if r.kind not in ("latency", "hold")), None)
        if action is None:
            await self.app(scope, receive, send)
            return
        if self.record is not None:
            status = {"error": action.status, "throttle": 429}.get(action.kind, 0)
            self.record(scope["method"], scope["path"], status)
        if action.kind == "error":
            msg = "Internal server error (injected fault)."
            await _send_json(send, action.status, action.code or ERROR_CODE, msg, [])
        elif action.kind == "throttle":
            msg = "The throttling threshold has been reached (injected fault)."
            retry = [(b"retry-after", str(action.retry_after).encode())]
            await _send_json(send, 429, action.code or THROTTLED_CODE, msg, retry)
        else:
            await drop_connection(receive, send)


def _held(send: Send, seconds: float) -> Send:
    """``send`` whose answer waits ``seconds`` once the app has handled the request."""

    async def held(message: Message) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(seconds)
        await send(message)

    return held


async def drop_connection(receive: Receive, send: Send) -> None:
    """Close the client's connection without a response (uvicorn) or raise `DroppedConnection`."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "close"):
        raise DroppedConnection()
    transport.close()
    # Let the server notice the disconnect, so it does not try to answer 500 on a closed socket.
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.001)


async def _send_json(
    send: Send, status: int, code: str, msg: str, extra: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps({"error_code": code, "error_msg": msg}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})

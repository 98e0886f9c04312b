"""The simulator's fallback responder for every catalogue operation the core routes do not serve.

Mounted LAST in the simulator app, it answers any operation of ``dws/data/operations.json`` with
a response shaped by the reference:

- the documented example response when it can be extracted as JSON (the examples come from a
  PDF; a few simple repairs are tried: text before the first brace, wrapped strings, trailing
  and missing commas, unclosed brackets), provided its top-level keys belong to the response
  table; missing top-level fields are completed from the table;
- otherwise a body built from ``response_body`` / ``response_objects`` with type-appropriate
  synthetic values (scalar values are borrowed from the example text where a key matches).

A top-level string field named like a path parameter (``cluster_id``, ``name`` ...) echoes the
value from the request path.

Before answering it validates the request with the simulator's shared validator
(``dws.simulator.catalogue``): mandatory and integer query parameters, a JSON body that parses,
mandatory body fields and their types, recursively through the request object tables. Failures
answer 400 in the DWS error format; multipart bodies (5.15.12) are not checked. A path that
matches no operation answers 404 (``APIGW.0101``, the API gateway's "API does not exist").
Route matching is compiled once, at construction.

Use ``generic_routes(project_id)`` (one catch-all Starlette route) or ``GenericResponder``
(a plain ASGI app). This module reads the reference data only; it never imports the client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from dws.data import operation_rows
from dws.simulator import catalogue
from dws.simulator.asgi import read_body
from dws.simulator.errors import SimError

NOT_FOUND_CODE = "APIGW.0101"
_MAX_DEPTH = 6
_JSON_HEADERS = [(b"content-type", b"application/json")]


def load_operations() -> list[dict[str, Any]]:
    """The reference's operation catalogue (``dws/data/operations.json``)."""
    return list(operation_rows())


def operation_name(op: Mapping[str, Any]) -> str:
    """The SDK's operation name, or one derived from method and path in the same style."""
    if op.get("sdk_operation"):
        return str(op["sdk_operation"])
    words = [s for s in str(op["path"]).split("/")[3:] if s and not s.startswith("{")]
    return "_".join([str(op["method"]).lower(), *words]).replace("-", "_")


# --------------------------------------------------------------------------- types and values


def _object_name(type_: str) -> str | None:
    m = re.fullmatch(r"(?:Array of )?(\w+) objects?", type_.strip())
    return m.group(1) if m else None


def _is_array(type_: str) -> bool:
    return type_.startswith("Array")


def _scalar_kind(type_: str) -> str:
    t = type_.strip().lower()
    if t in ("integer", "long", "int", "array of integers"):
        return "int"
    if t in ("double", "float", "number", "bigdecimal"):
        return "number"
    if t == "boolean":
        return "bool"
    if t.startswith("map") or t == "object":
        return "map"
    if t in ("string", "array of strings", "array of string", "array[string]"):
        return "str"
    return "any"


def _scalar(name: str, kind: str, hints: Mapping[str, Any]) -> Any:
    hint = hints.get(name)
    if hint is not None and _fits(hint, kind):
        return hint
    if kind == "int":
        return 1
    if kind == "number":
        return 1.0
    if kind == "bool":
        return True
    if kind == "map":
        return {}
    if name.endswith("id"):
        return f"{name}-0001"
    if name in ("created", "updated") or name.endswith(("_time", "_date", "_at")):
        return "2024-01-01T00:00:00Z"
    return name


def _fits(value: Any, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind == "map":
        return isinstance(value, dict)
    return True


def synthesize(
    fields: Iterable[Mapping[str, Any]],
    objects: Mapping[str, list[dict[str, Any]]],
    hints: Mapping[str, Any] | None = None,
    *,
    mandatory_only: bool = False,
    depth: int = 0,
) -> dict[str, Any]:
    """A JSON object with one type-appropriate value per field of a reference table."""
    out: dict[str, Any] = {}
    for field in fields:
        if mandatory_only and field.get("mandatory") is not True:
            continue
        out[str(field["name"])] = _value(field, objects, hints or {}, mandatory_only, depth)
    return out


def _value(
    field: Mapping[str, Any],
    objects: Mapping[str, list[dict[str, Any]]],
    hints: Mapping[str, Any],
    mandatory_only: bool,
    depth: int,
) -> Any:
    type_, name = str(field["type"]), str(field["name"])
    obj = _object_name(type_)
    if obj is not None:
        sub = objects.get(obj)
        inner: Any = (
            synthesize(sub, objects, hints, mandatory_only=mandatory_only, depth=depth + 1)
            if sub is not None and depth < _MAX_DEPTH
            else {}
        )
        return [inner] if _is_array(type_) else inner
    kind = _scalar_kind(type_)
    if _is_array(type_):
        return [_scalar(name, kind, {})] if kind != "any" else []
    return _scalar(name, kind, hints)


# --------------------------------------------------------------------------- example extraction

_KEY_VALUE = re.compile(r'"(\w+)"\s*:\s*("(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?|true|false)')


def example_hints(text: str | None) -> dict[str, Any]:
    """Scalar values keyed by field name, scraped from an example's text (first one wins)."""
    hints: dict[str, Any] = {}
    for key, raw in _KEY_VALUE.findall(text or ""):
        if key not in hints:
            try:
                hints[key] = json.loads(raw)
            except ValueError:
                continue
    return hints


def extract_example(text: str | None) -> Any:
    """The JSON value of a documented example, repaired where simple; None when it won't parse."""
    if not text:
        return None
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    candidates = [text[min(starts) :]] if starts else []
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    if '"' in body and ":" in body and not starts:
        first = body.find('"')
        candidates.append("{" + body[first:] + "}")
    for candidate in candidates:
        for attempt in (candidate, _repair(candidate)):
            try:
                value, _ = json.JSONDecoder().raw_decode(attempt)
            except ValueError:
                continue
            return value
    return None


def _repair(text: str) -> str:
    text = re.sub(r'([}\]"\d]|null|true|false)[ \t]*\n(\s*")', r"\1,\n\2", _join_strings(text))
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    stack: list[str] = []
    for ch, in_str in _scan(text):
        if in_str:
            continue
        if ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    return text.rstrip().rstrip(",") + "".join(reversed(stack))


def _join_strings(text: str) -> str:
    """Replace line breaks inside string literals (the PDF wraps long values) by spaces."""
    return "".join(" " if ch == "\n" and in_str else ch for ch, in_str in _scan(text))


def _scan(text: str) -> Iterator[tuple[str, bool]]:
    """Each character with whether it lies inside a string literal (quotes count as inside)."""
    in_str = escaped = False
    for ch in text:
        if not in_str:
            in_str = ch == '"'
            yield ch, in_str
            continue
        yield ch, True
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            in_str = False


def response_for(op: Mapping[str, Any]) -> Any:
    """The response body the simulator gives for ``op`` (None when the reference has none)."""
    fields: list[dict[str, Any]] = op["response_body"]
    objects: dict[str, list[dict[str, Any]]] = op["response_objects"]
    if len(fields) == 1 and fields[0]["name"] == "[Array]":
        obj = _object_name(fields[0]["type"]) or ""
        example = extract_example(op["example_response"])
        if isinstance(example, list) and example:
            return example
        hints = example_hints(op["example_response"])
        return [synthesize(objects.get(obj, []), objects, hints)]
    if not fields:
        example = extract_example(op["example_response"])
        return example if isinstance(example, dict | list) else None
    names = {str(f["name"]) for f in fields}
    example = extract_example(op["example_response"])
    table = synthesize(fields, objects, example_hints(op["example_response"]))
    if isinstance(example, dict) and example and set(example) <= names:
        return {**table, **example}
    return table


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True, slots=True)
class GenericOperation:
    """One catalogue operation compiled for matching and answering."""

    name: str
    section: str
    method: str
    segments: tuple[str | None, ...]
    op: dict[str, Any]
    status: int
    payload: bytes
    echo: tuple[tuple[int, str], ...] = ()

    @property
    def literal_count(self) -> int:
        """How many path segments are literal (more literal = more specific)."""
        return sum(s is not None for s in self.segments)

    def payload_for(self, parts: list[str]) -> bytes:
        """The response body, with top-level fields named like a path parameter echoing it."""
        if not self.echo:
            return self.payload
        body = json.loads(self.payload)
        for index, name in self.echo:
            body[name] = unquote(parts[index])
        return json.dumps(body).encode()


def _compile(op: dict[str, Any], project_id: str | None) -> GenericOperation:
    segments: list[str | None] = []
    params: list[tuple[int, str]] = []
    for index, seg in enumerate(str(op["path"]).strip("/").split("/")):
        if seg == "{project_id}" and project_id:
            segments.append(project_id)
        else:
            segments.append(None if seg.startswith("{") else seg)
            if seg.startswith("{"):
                params.append((index, seg.strip("{}")))
    codes = [int(s["code"]) for s in op["status_codes"] if 200 <= int(s["code"]) < 300]
    status = codes[0] if codes else 200
    body = response_for(op)
    payload = b"" if body is None or status == 204 else json.dumps(body).encode()
    echo = tuple(
        (i, name)
        for i, name in params
        if isinstance(body, dict) and isinstance(body.get(name), str) and payload
    )
    return GenericOperation(
        operation_name(op), op["section"], op["method"], tuple(segments), op, status, payload, echo
    )


class GenericResponder:
    """ASGI app answering every catalogue operation from its reference tables."""

    def __init__(
        self,
        project_id: str | None = None,
        operations: list[dict[str, Any]] | None = None,
        served_elsewhere: Collection[str] = (),
    ) -> None:
        self.operations = [_compile(op, project_id) for op in operations or load_operations()]
        # Operations the core routes serve (by catalogue name): a request that reaches this
        # responder matching one of them named no existing resource (its id is a literal word
        # such as "snapshots"), so it gets a 404 rather than the operation's canned example.
        self._elsewhere = frozenset(served_elsewhere)
        table: dict[tuple[str, int], list[GenericOperation]] = {}
        for compiled in self.operations:
            table.setdefault((compiled.method, len(compiled.segments)), []).append(compiled)
        for candidates in table.values():
            candidates.sort(key=lambda c: -c.literal_count)
        self._table = table

    def match(self, method: str, path: str) -> GenericOperation | None:
        """The most specific operation for this method and path, or None."""
        parts = path.removeprefix("/").split("/")  # a trailing "/" is one more (empty) segment
        for candidate in self._table.get((method.upper(), len(parts)), ()):
            pairs = zip(candidate.segments, parts, strict=True)
            if all(p if s is None else s == p for s, p in pairs):
                return candidate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        compiled = self.match(scope["method"], scope["path"])
        if compiled is None or _catalogue_name(compiled.op) in self._elsewhere:
            msg = f"The API does not exist: {scope['method']} {scope['path']}"
            await _send_error(send, 404, NOT_FOUND_CODE, msg)
            return
        try:
            _validate(compiled.op, scope.get("query_string", b""), body, _content_type(scope))
        except SimError as exc:
            await _send_error(send, exc.status, exc.code, exc.msg)
            return
        parts = scope["path"].removeprefix("/").split("/")
        await _send(send, compiled.status, compiled.payload_for(parts))


def _validate(op: dict[str, Any], query_string: bytes, body: bytes, ctype: str) -> None:
    query = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    catalogue.validate_query(op, query)
    if not op["request_body"] or "multipart/form-data" in ctype:
        return
    catalogue.validate_body(op, catalogue.parse_body(body))


def _content_type(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"content-type":
            return str(value.decode("latin-1")).lower()
    return ""


async def _send(send: Send, status: int, payload: bytes) -> None:
    headers = [*_JSON_HEADERS, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    await _send(send, status, json.dumps({"error_code": code, "error_msg": message}).encode())


def _catalogue_name(op: Mapping[str, Any]) -> str:
    return str(op["sdk_operation"] or f"{op['method']} {op['path']}")


def generic_routes(
    project_id: str | None = None, served_elsewhere: Collection[str] = ()
) -> list[Route]:
    """One catch-all route serving every catalogue operation not in `served_elsewhere` (the
    core's operation names); add it after the core routes."""
    return [Route("/{path:path}", GenericResponder(project_id, served_elsewhere=served_elsewhere))]

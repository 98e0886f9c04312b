"""Authentication of DWS requests, as ``httpx.Auth`` classes.

- `AkSkAuth` signs every request with the access key / secret key (SDK-HMAC-SHA256, see
  `dws.signing`), setting the headers the official SDK sets.
- `IamTokenAuth` gets a project-scoped IAM token (``POST /v3/auth/tokens``, password identity),
  caches it until shortly before it expires, shares one refresh between concurrent requests and
  re-authenticates once when the service answers 401.

`auth_for_target` picks the right one for a `DwsTarget`. Secrets stay in `SecretStr` and never
reach an exception message.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from dws.clock import utcnow
from dws.config import DwsTarget
from dws.errors import DwsAuthError, DwsConfigError
from dws.models.base import parse_time
from dws.signing import (
    CONTENT_SHA256_HEADER,
    UNSIGNED_PAYLOAD,
    canonical_query,
    needs_unsigned_payload,
    query_pairs,
    sdk_date,
    sign,
)

__all__ = ["AkSkAuth", "IamTokenAuth", "auth_for_target"]

Clock = Callable[[], datetime]

# Headers that the transport or an intermediary may set or change: never signed.
_UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "connection",
        "content-length",
        "transfer-encoding",
        "accept-encoding",
        "keep-alive",
        "te",
        "upgrade",
        "expect",
        "proxy-authorization",
    }
)


def _secret(value: SecretStr | str) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


class AkSkAuth(httpx.Auth):
    """Sign each request with AK/SK exactly as huaweicloudsdkcore's ``BasicCredentials`` does."""

    requires_request_body = True

    def __init__(
        self,
        ak: SecretStr | str,
        sk: SecretStr | str,
        project_id: str,
        clock: Clock = utcnow,
    ) -> None:
        self._ak = _secret(ak)
        self._sk = _secret(sk)
        self._project_id = project_id
        self._clock = clock

    def __repr__(self) -> str:
        return f"AkSkAuth(project_id={self._project_id!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign_request(request)
        yield request

    def sign_request(self, request: httpx.Request) -> None:
        """Set X-Project-Id, X-Sdk-Date, Host, Content-Type and Authorization on ``request``.

        The query is rewritten to the canonical query string, which is what the SDK sends.
        """
        query = request.url.query
        if query:
            canonical = canonical_query(query_pairs(query.decode("latin-1"))).encode("ascii")
            if canonical != query:
                request.url = request.url.copy_with(query=canonical or None)
        headers = request.headers
        headers["X-Project-Id"] = self._project_id
        headers["X-Sdk-Date"] = sdk_date(self._clock())
        headers["Host"] = request.url.netloc.decode("ascii")
        if request.content and "content-type" not in headers:
            headers["Content-Type"] = "application/json"
        if needs_unsigned_payload(headers.get("content-type")):
            headers[CONTENT_SHA256_HEADER] = UNSIGNED_PAYLOAD
        to_sign = {k: v for k, v in headers.items() if k not in _UNSIGNED_HEADERS}
        headers["Authorization"] = sign(
            request.method,
            str(request.url),
            to_sign,
            request.content,
            self._ak.get_secret_value(),
            self._sk.get_secret_value(),
        )


@dataclass(frozen=True, slots=True)
class _Token:
    value: SecretStr
    expires_at: datetime
    refresh_at: datetime


class IamTokenAuth(httpx.Auth):
    """Authenticate with a cached, project-scoped IAM user token (``X-Auth-Token``).

    Async clients only. The token request is sent through the same client and transport.
    """

    requires_request_body = True

    def __init__(
        self,
        iam_endpoint: str,
        username: str,
        password: SecretStr | str,
        domain: str,
        project_id: str,
        *,
        clock: Clock = utcnow,
        refresh_margin: timedelta = timedelta(hours=1),
    ) -> None:
        self._token_url = iam_endpoint.rstrip("/") + "/v3/auth/tokens"
        self._username = username
        self._password = _secret(password)
        self._domain = domain
        self._project_id = project_id
        self._clock = clock
        self._margin = refresh_margin
        self._token: _Token | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"IamTokenAuth(url={self._token_url!r}, user={self._username!r})"

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("IamTokenAuth works with httpx.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        stale: _Token | None = None
        for attempt in range(2):
            token = self._usable(stale)
            if token is None:
                async with self._refresh_lock():
                    token = self._usable(stale)
                    if token is None:
                        answer = yield self._token_request(request)
                        token = await self._accept(answer)
                        self._token = token
            request.headers["X-Auth-Token"] = token.value.get_secret_value()
            response = yield request
            if response.status_code != 401 or attempt == 1:
                return
            stale = token
            if self._token is token:
                self._token = None

    def _usable(self, stale: _Token | None) -> _Token | None:
        """The cached token unless it is missing, refused by the service or due for refresh."""
        token = self._token
        if token is None or token is stale or self._clock() >= token.refresh_at:
            return None
        return token

    def _refresh_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    def _token_request(self, original: httpx.Request) -> httpx.Request:
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self._username,
                            "password": self._password.get_secret_value(),
                            "domain": {"name": self._domain},
                        }
                    },
                },
                "scope": {"project": {"id": self._project_id}},
            }
        }
        extensions = {}
        if "timeout" in original.extensions:
            extensions["timeout"] = original.extensions["timeout"]
        return httpx.Request(
            "POST",
            self._token_url,
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json;charset=utf8"},
            extensions=extensions,
        )

    async def _accept(self, response: httpx.Response) -> _Token:
        """Read the token answer; raise DwsAuthError (never with the password) when unusable."""
        await response.aread()
        who = f"user {self._username!r} in domain {self._domain!r}"
        if response.status_code not in (200, 201):
            detail = self._scrub(_error_detail(response.content))
            raise DwsAuthError(
                f"IAM token request for {who} failed: HTTP {response.status_code}"
                + (f": {detail}" if detail else "")
            )
        value = response.headers.get("X-Subject-Token")
        if not value:
            raise DwsAuthError(f"IAM answered the token request for {who} without X-Subject-Token")
        expires_at = _expires_at(response.content)
        if expires_at is None:
            raise DwsAuthError(
                f"IAM answered the token request for {who} without a valid token.expires_at"
            )
        now = self._clock()
        margin = min(self._margin, max(expires_at - now, timedelta(0)) / 2)
        return _Token(SecretStr(value), expires_at, expires_at - margin)

    def _scrub(self, text: str) -> str:
        password = self._password.get_secret_value()
        return text.replace(password, "***") if password else text


def _error_detail(content: bytes) -> str:
    """The message of an IAM or DWS error body, at most 200 characters."""
    try:
        data: Any = json.loads(content) if content else None
    except ValueError:
        return content[:200].decode("utf-8", "replace").strip()
    if not isinstance(data, dict):
        return ""
    nested = data.get("error")
    error: dict[str, Any] = nested if isinstance(nested, dict) else data
    message = error.get("message") or error.get("error_msg") or ""
    return str(message)[:200]


def _expires_at(content: bytes) -> datetime | None:
    try:
        raw = json.loads(content)["token"]["expires_at"]
    except (ValueError, KeyError, TypeError):
        return None
    return parse_time(raw) if isinstance(raw, str) else None


def auth_for_target(target: DwsTarget) -> httpx.Auth:
    """AK/SK signing when the target has ak and sk, else an IAM token."""
    if target.ak is not None and target.sk is not None:
        return AkSkAuth(target.ak, target.sk, target.project_id)
    if target.iam_endpoint and target.username and target.password and target.domain:
        return IamTokenAuth(
            target.iam_endpoint,
            target.username,
            target.password,
            target.domain,
            target.project_id,
        )
    raise DwsConfigError(f"target {target.name!r} has neither AK/SK nor IAM credentials")

"""Authentication of the simulated service, as the real API gateway and IAM do it.

`AuthMiddleware` is a pure ASGI middleware (it runs on every request, so it does little work):

- ``POST /v3/auth/tokens`` is answered here, like IAM: a password identity (user, password,
  domain) with a project scope gives 201, the token in the ``X-Subject-Token`` header and
  ``{"token": {"expires_at", "issued_at", "methods", "project", "user", "roles", "catalog"}}``.
  Errors use IAM's body, ``{"error": {"code", "message", "title"}}`` (wrong password: 401).
- ``/_sim/...`` (the simulator's control API, not part of DWS) is not authenticated.
- Every other request needs either a valid ``X-Auth-Token`` issued above (valid 24 hours) or an
  AK/SK signature (SDK-HMAC-SHA256, checked by `dws.signing.verify` against the configured key,
  ``X-Sdk-Date`` within 15 minutes). Failures answer 401 in the DWS error format with the API
  gateway's code ``APIGW.0301`` ("Incorrect IAM authentication information: ..."). The
  reference's own error table (6.2) has no authentication code.
- A request whose path names another project (``/v1.0/{project_id}/...``) answers 403
  ``DWS.5045`` ("The current tenant is not allowed to perform this operation.").

Token lifetimes and the signature's date window are measured on the real (wall) clock, not on the
simulated one: clients sign with their own clock, and moving simulated time must not log them
out. Both can be changed with ``now=`` for tests.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dws.signing import SignatureError, verify
from dws.simulator import defaults
from dws.simulator.asgi import read_body
from dws.simulator.catalogue import strict_json

TOKEN_PATH = "/v3/auth/tokens"
CONTROL_PREFIX = "/_sim/"
AUTH_FAILED = "APIGW.0301"
WRONG_PROJECT = "DWS.5045"
MAX_TOKENS = 1000  # expired tokens are forgotten once this many were issued
_JSON = (b"content-type", b"application/json")


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """Who may call the simulator: one project, one AK/SK pair, one IAM user."""

    project_id: str = defaults.PROJECT_ID
    ak: str = defaults.AK
    sk: str = field(default=defaults.SK, repr=False)
    iam_user: str = defaults.IAM_USER
    iam_password: str = field(default=defaults.IAM_PASSWORD, repr=False)
    iam_domain: str = defaults.IAM_DOMAIN
    region: str = defaults.REGION
    max_skew: timedelta = timedelta(minutes=15)
    token_ttl: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token handed out by the IAM endpoint."""

    project_id: str
    user: str
    issued_at: datetime
    expires_at: datetime


class AuthError(Exception):
    """A request refused by authentication: HTTP status, error code, message."""

    def __init__(self, status: int, code: str, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


def _wall_now() -> datetime:
    return datetime.now(UTC)


class AuthMiddleware:
    """ASGI middleware: the IAM token endpoint, then token or AK/SK checks on every request."""

    def __init__(
        self,
        app: ASGIApp,
        config: AuthConfig | None = None,
        *,
        now: Callable[[], datetime] = _wall_now,
    ) -> None:
        self.app = app
        self.config = config or AuthConfig()
        self.now = now
        self.tokens: dict[str, IssuedToken] = {}
        self._secrets = {self.config.ak: self.config.sk}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/") == TOKEN_PATH:
            if scope["method"] == "POST":
                await self._issue(await read_body(receive), send)
            else:
                await _send_json(send, 405, _iam_error(405, "Method Not Allowed", "Use POST."))
            return
        headers = _headers(scope)
        try:
            if "x-auth-token" in headers:
                project = self._check_token(headers["x-auth-token"])
            else:
                body = await read_body(receive)
                receive = _replay(body, receive)
                self._check_signature(scope, headers, body)
                project = self.config.project_id
            self._check_project(scope["path"], project)
        except AuthError as exc:
            error = {"error_code": exc.code, "error_msg": exc.msg, "request_id": uuid.uuid4().hex}
            await _send_json(send, exc.status, error)
            return
        await self.app(scope, receive, send)

    # checks ----------------------------------------------------------------------------------
    def _check_token(self, value: str) -> str:
        token = self.tokens.get(value.strip())
        if token is None:
            raise AuthError(401, AUTH_FAILED, _incorrect("decrypt token fail"))
        if self.now() >= token.expires_at:
            when = token.expires_at.isoformat()
            raise AuthError(401, AUTH_FAILED, _incorrect(f"token expires, expires_at: {when}"))
        return token.project_id

    def _check_signature(self, scope: Scope, headers: dict[str, str], body: bytes) -> None:
        if "authorization" not in headers:
            raise AuthError(401, AUTH_FAILED, _incorrect("x-auth-token not found"))
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        url = raw_path.split(b"?", 1)[0].decode("latin-1")
        query = scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        try:
            verify(
                scope["method"],
                url,
                headers,
                body,
                self._secrets.get,
                self.now(),
                self.config.max_skew,
            )
        except SignatureError as exc:
            raise AuthError(401, AUTH_FAILED, _incorrect(exc.reason)) from None

    def _check_project(self, path: str, project: str) -> None:
        parts = path.split("/", 3)
        if len(parts) > 2 and parts[1][:1] == "v" and parts[2] != project:
            raise AuthError(
                403,
                WRONG_PROJECT,
                "The current tenant is not allowed to perform this operation: "
                "the project id in the path is not the caller's project.",
            )

    # IAM -------------------------------------------------------------------------------------
    async def _issue(self, body: bytes, send: Send) -> None:
        try:
            project = self._password_identity(body)
        except AuthError as exc:
            title = {400: "Bad Request", 401: "Unauthorized"}.get(exc.status, "Error")
            await _send_json(send, exc.status, _iam_error(exc.status, title, exc.msg))
            return
        value = "MII" + secrets.token_urlsafe(48)
        issued = self.now()
        if len(self.tokens) >= MAX_TOKENS:
            self.tokens = {k: t for k, t in self.tokens.items() if t.expires_at > issued}
        token = IssuedToken(project, self.config.iam_user, issued, issued + self.config.token_ttl)
        self.tokens[value] = token
        extra = [(b"x-subject-token", value.encode())]
        await _send_json(send, 201, self._token_body(token), extra)

    def _password_identity(self, body: bytes) -> str:
        try:
            auth = strict_json(body)["auth"]
            identity, scope = auth["identity"], auth.get("scope") or {}
            user = identity["password"]["user"]
            methods = identity["methods"]
            if not isinstance(user, dict) or not isinstance(methods, list):
                raise TypeError("identity")
            if "password" not in methods:
                raise KeyError("methods")
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise AuthError(400, "", "The request body is not a password identity.") from None
        cfg = self.config
        domain_field = user.get("domain")
        domain = domain_field.get("name") if isinstance(domain_field, dict) else None
        if (user.get("name"), user.get("password"), domain) != (
            cfg.iam_user,
            cfg.iam_password,
            cfg.iam_domain,
        ):
            raise AuthError(401, "", "The username or password is wrong.")
        project = scope.get("project") if isinstance(scope, dict) else None
        if not isinstance(project, dict):
            raise AuthError(400, "", "A project scope (auth.scope.project) is required.")
        if project.get("id", cfg.project_id) != cfg.project_id or project.get(
            "name", cfg.region
        ) not in (cfg.region, cfg.project_id):
            raise AuthError(401, "", "The project in auth.scope does not exist.")
        return cfg.project_id

    def _token_body(self, token: IssuedToken) -> dict[str, Any]:
        cfg = self.config
        domain = {"id": uuid.uuid5(uuid.NAMESPACE_DNS, cfg.iam_domain).hex, "name": cfg.iam_domain}
        return {
            "token": {
                "expires_at": _iam_time(token.expires_at),
                "issued_at": _iam_time(token.issued_at),
                "methods": ["password"],
                "project": {"id": token.project_id, "name": cfg.region, "domain": domain},
                "user": {
                    "id": uuid.uuid5(uuid.NAMESPACE_DNS, cfg.iam_user).hex,
                    "name": cfg.iam_user,
                    "domain": domain,
                    "password_expires_at": "",
                },
                "roles": [{"id": "0", "name": "te_admin"}],
                "catalog": [],
            }
        }


def _incorrect(reason: str) -> str:
    return f"Incorrect IAM authentication information: {reason}"


def _iam_error(status: int, title: str, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "title": title}}


def _iam_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in scope["headers"]:
        name = key.decode("latin-1").lower()
        if name not in headers:
            headers[name] = value.decode("latin-1")
    return headers


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive callable that gives the already-read body once, then defers to the server."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_json(
    send: Send, status: int, data: Any, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(data).encode()
    headers = [_JSON, (b"content-length", str(len(payload)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})

"""The simulator's ASGI app (Starlette).

    create_app(state=None, *, seed=0, speed=1.0, project_id=defaults.PROJECT_ID,
               extra_routes=(), middleware=()) -> Starlette

- `state`: a `SimState` to serve (one is built from `seed`, `speed` and `project_id` otherwise);
  it is available as `app.state.sim`.
- `extra_routes`: Starlette routes appended AFTER the core routes (the /_sim/ control API, the
  generic responder's catch-all last), so the core routes win.
- `middleware`: Starlette `Middleware` entries (auth, faults ...), outermost first. The request
  log middleware is always the outermost, so it records what the client got (401, 429 ...).

Each core route serves one catalogue operation at its reference path. The `{project_id}` segment
must be the simulator's (403 DWS.5045 otherwise). Other path parameters never match a literal
segment of the catalogue (`check-name`, `tasks` ...), so a more specific operation served by the
generic responder is not captured by an id route. Query parameters and JSON bodies are validated
against the reference tables before the handler runs (400 in the DWS format), every response
carries an `X-Request-Id`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dws.simulator import defaults
from dws.simulator import routes_clusters as _routes_clusters
from dws.simulator import routes_events as _routes_events
from dws.simulator import routes_monitor as _routes_monitor
from dws.simulator import routes_redistribution as _routes_redistribution
from dws.simulator import routes_snapshots as _routes_snapshots
from dws.simulator.catalogue import operations, parse_body, validate_body, validate_query
from dws.simulator.clock import SimClock
from dws.simulator.errors import NOT_ALLOWED, SimError
from dws.simulator.registry import HANDLERS, Call, Handler
from dws.simulator.state import SimState

_LOADED = (
    _routes_clusters,
    _routes_events,
    _routes_monitor,
    _routes_redistribution,
    _routes_snapshots,
)
_PARAM = re.compile(r"\{(\w+)\}")


def _literal_segments() -> list[str]:
    words = {seg for op in operations().values() for seg in op["path"].split("/")}
    return sorted(w for w in words if w and not w.startswith("{"))


class IdConvertor(Convertor[str]):
    """A path parameter that is never one of the catalogue's literal segments."""

    regex = r"(?!(?:" + "|".join(re.escape(w) for w in _literal_segments()) + r")(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("dwsid", IdConvertor())


def starlette_path(path: str) -> str:
    """A catalogue path with its id parameters typed `dwsid`."""
    return _PARAM.sub(
        lambda m: "{" + m.group(1) + ("" if m.group(1) == "project_id" else ":dwsid") + "}", path
    )


def _specificity(path: str) -> tuple[int, ...]:
    return tuple(1 if seg.startswith("{") else 0 for seg in path.split("/"))


def _json(status: int, payload: Any, request_id: str) -> Response:
    if isinstance(payload, bytes):
        body = payload
    else:
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
    return Response(
        body,
        status_code=status,
        media_type="application/json",
        headers={"X-Request-Id": request_id},
    )


def _endpoint(state: SimState, name: str, op: dict[str, Any], handler: Handler) -> Any:
    has_body = bool(op["request_body"]) and op["method"] in ("POST", "PUT", "DELETE", "PATCH")
    mutating = op["method"] != "GET"

    async def endpoint(request: Request) -> Response:
        request_id = uuid.uuid4().hex
        try:
            path = dict(request.path_params)
            if path.get("project_id") != state.project_id:
                raise SimError(
                    403, NOT_ALLOWED, "The current tenant is not allowed to perform this operation."
                )
            query = dict(request.query_params)
            validate_query(op, query)
            body: dict[str, Any] = {}
            if has_body:
                body = validate_body(op, parse_body(await request.body()))
            lists = {k: request.query_params.getlist(k) for k in request.query_params}
            state.tick()
            status, payload = handler(state, Call(path, query, body, lists, name))
        except SimError as err:
            return _json(err.status, err.body(), request_id)
        finally:
            if mutating:
                state.touch()
        return _json(status, payload, request_id)

    return endpoint


def core_routes(state: SimState) -> list[Route]:
    """One route per operation the core serves, most specific paths first."""
    ops = operations()
    routes = []
    for name, handler in HANDLERS.items():
        op = ops[name]
        routes.append(
            Route(
                starlette_path(op["path"]),
                _endpoint(state, name, op, handler),
                methods=[op["method"]],
                name=name,
            )
        )
    routes.sort(key=lambda r: _specificity(r.path))
    return routes


class RequestLogMiddleware:
    """Records method, path and final status of every request in `state.request_log`."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 0}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self.state.record(scope["method"], scope["path"], status["code"])


def create_app(
    state: SimState | None = None,
    *,
    seed: int = 0,
    speed: float = 1.0,
    project_id: str = defaults.PROJECT_ID,
    extra_routes: Sequence[BaseRoute] = (),
    middleware: Sequence[Middleware] = (),
) -> Starlette:
    """The simulator app; see the module docstring."""
    sim = (
        state
        if state is not None
        else SimState(seed=seed, clock=SimClock(speed=speed), project_id=project_id)
    )
    app = Starlette(
        routes=[*core_routes(sim), *extra_routes],
        middleware=[Middleware(RequestLogMiddleware, state=sim), *middleware],
    )
    app.state.sim = sim
    return app

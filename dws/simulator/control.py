"""The simulator's control API under ``/_sim/`` — not part of DWS, never authenticated.

Tests, the console and people drive the simulated world through it (see docs/simulator.md):

    GET    /_sim/clock                 {"now", "epoch", "speed"}
    POST   /_sim/clock                 {"advance": seconds} | {"set": ISO-8601} | {"speed": x}
    POST   /_sim/alarms                {"cluster_id", "definition_id"?, "level"?, "message"?} → 201
    POST   /_sim/alarms/{id}/clear     the cleared alarm
    POST   /_sim/events                {"name", "source_id", "source_name"?} → 201
    GET    /_sim/faults                {"faults": [rule, ...]}
    POST   /_sim/faults                a rule (see dws.simulator.faults) → 201
    DELETE /_sim/faults                remove every rule; DELETE /_sim/faults/{id} removes one
    POST   /_sim/reset                 {"seed": n}? → rebuild the fleet, clear faults and the log
    GET    /_sim/requests              {"requests": [...], "count"}; ?limit=N (newest N)
    GET    /_sim/                      a summary (seed, project, time, sizes, fault count)

`simulator_app(state, auth=..., faults=...)` assembles the whole served app (faults, auth,
core routes, this API, the generic responder).

Errors use the DWS error body: 400 ``DWS.5065`` for a body that is not a JSON object, 400
``DWS.5063`` for a missing or wrong field, and whatever the state raises (404 for unknown ids).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp

from dws.simulator.auth import AuthConfig, AuthMiddleware
from dws.simulator.catalogue import strict_json
from dws.simulator.errors import INVALID_FIELD, INVALID_FORMAT, SimError
from dws.simulator.faults import KIND_WORDS, FaultInjector, FaultMiddleware
from dws.simulator.generic import generic_routes
from dws.simulator.state import SimState

Handler = Callable[[Request], Awaitable[Response]]


def _guard(handler: Handler) -> Handler:
    """Turn SimError and ValueError into DWS-format error responses."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except SimError as exc:
            return exc.response()
        except ValueError as exc:
            return SimError(400, INVALID_FIELD, str(exc)).response()

    return wrapped


async def _json_object(request: Request, *, optional: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip() and optional:
        return {}
    try:
        data = strict_json(raw)
    except (ValueError, UnicodeDecodeError):
        raise SimError(400, INVALID_FORMAT, "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise SimError(400, INVALID_FORMAT, "The request body must be a JSON object.")
    return data


def _field(data: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    value = data.get(name)
    if value is None:
        if required:
            raise ValueError(f"Field {name} is mandatory.")
        return None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"Field {name} must be {KIND_WORDS[kind]}.")
    return value


def alarm_json(alarm: Any) -> dict[str, Any]:
    """An alarm as the control API shows it."""
    return {
        "id": alarm.id,
        "definition_id": alarm.definition_id,
        "name": alarm.name,
        "level": alarm.level,
        "cluster_id": alarm.cluster_id,
        "cluster_name": alarm.cluster_name,
        "status": alarm.status,
        "raised": alarm.raised,
        "cleared": alarm.cleared,
        "message": alarm.message,
    }


class Control:
    """The handlers, bound to one state and one fault injector."""

    def __init__(self, state: SimState, faults: FaultInjector) -> None:
        self.state = state
        self.faults = faults

    def _clock(self) -> dict[str, Any]:
        clock = self.state.clock
        return {"now": clock.now_dt().isoformat(), "epoch": clock.now(), "speed": clock.speed}

    async def summary(self, _request: Request) -> Response:
        return JSONResponse({**self.state.describe(), "faults": len(self.faults.rules)})

    async def get_clock(self, _request: Request) -> Response:
        return JSONResponse(self._clock())

    async def post_clock(self, request: Request) -> Response:
        data = await _json_object(request)
        if not {"advance", "set", "speed"} & set(data):
            raise ValueError("Give one of advance (seconds), set (ISO-8601 time) or speed.")
        if "speed" in data:
            self.state.clock.speed = _field(data, "speed", float)
        if "set" in data:
            try:
                when = datetime.fromisoformat(_field(data, "set", str))
            except ValueError:
                raise ValueError("Field set must be an ISO-8601 time.") from None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            if when.timestamp() < self.state.clock.now():
                raise ValueError("The clock only moves forward.")
            self.state.set_time(when)
        if "advance" in data:
            self.state.advance(_field(data, "advance", float))
        return JSONResponse(self._clock())

    async def raise_alarm(self, request: Request) -> Response:
        data = await _json_object(request)
        options = {
            name: _field(data, name, str, required=False)
            for name in ("definition_id", "level", "message")
        }
        kwargs = {k: v for k, v in options.items() if v is not None}
        alarm = self.state.raise_alarm(_field(data, "cluster_id", str), **kwargs)
        return JSONResponse(alarm_json(alarm), status_code=201)

    async def clear_alarm(self, request: Request) -> Response:
        alarm = self.state.clear_alarm(request.path_params["alarm_id"])
        return JSONResponse(alarm_json(alarm))

    async def emit_event(self, request: Request) -> Response:
        data = await _json_object(request)
        event = self.state.emit_event(
            _field(data, "name", str),
            _field(data, "source_id", str),
            _field(data, "source_name", str, required=False),
        )
        body = {
            "event_id": event.event_id,
            "name": event.spec.name,
            "source_id": event.source_id,
            "source_name": event.source_name,
            "occur_ms": event.occur_ms,
            "context": event.context,
        }
        return JSONResponse(body, status_code=201)

    async def list_faults(self, _request: Request) -> Response:
        return JSONResponse({"faults": [r.to_dict() for r in self.faults.rules]})

    async def add_fault(self, request: Request) -> Response:
        rule = self.faults.add_from_dict(await _json_object(request))
        return JSONResponse(rule.to_dict(), status_code=201)

    async def clear_faults(self, _request: Request) -> Response:
        self.faults.clear()
        return JSONResponse({"faults": []})

    async def remove_fault(self, request: Request) -> Response:
        fault_id = request.path_params["fault_id"]
        if not self.faults.remove(fault_id):
            raise SimError(404, INVALID_FIELD, f"The fault {fault_id} does not exist.")
        return JSONResponse({"faults": [r.to_dict() for r in self.faults.rules]})

    async def reset(self, request: Request) -> Response:
        data = await _json_object(request, optional=True)
        seed = _field(data, "seed", int, required=False)
        self.state.reset(seed)
        self.state.request_log.clear()
        self.faults.clear()
        self.faults.reseed(self.state.seed)
        return JSONResponse({**self.state.describe(), "faults": 0})

    async def requests(self, request: Request) -> Response:
        records = list(self.state.request_log)
        raw = request.query_params.get("limit")
        if raw is not None:
            if not (raw.isascii() and raw.isdigit()):
                raise ValueError("Query parameter limit must be a non-negative integer.")
            records = records[-int(raw) :] if int(raw) else []
        items = [
            {"method": r.method, "path": r.path, "status": r.status, "time": r.time}
            for r in records
        ]
        return JSONResponse({"requests": items, "count": len(items)})


def control_routes(state: SimState, faults: FaultInjector) -> list[BaseRoute]:
    """The ``/_sim`` mount; put it before the DWS routes."""
    c = Control(state, faults)
    routes = [
        Route("/", _guard(c.summary), methods=["GET"]),
        Route("/clock", _guard(c.get_clock), methods=["GET"]),
        Route("/clock", _guard(c.post_clock), methods=["POST"]),
        Route("/alarms", _guard(c.raise_alarm), methods=["POST"]),
        Route("/alarms/{alarm_id}/clear", _guard(c.clear_alarm), methods=["POST"]),
        Route("/events", _guard(c.emit_event), methods=["POST"]),
        Route("/faults", _guard(c.list_faults), methods=["GET"]),
        Route("/faults", _guard(c.add_fault), methods=["POST"]),
        Route("/faults", _guard(c.clear_faults), methods=["DELETE"]),
        Route("/faults/{fault_id}", _guard(c.remove_fault), methods=["DELETE"]),
        Route("/reset", _guard(c.reset), methods=["POST"]),
        Route("/requests", _guard(c.requests), methods=["GET"]),
    ]

    async def unknown(request: Request) -> Response:
        path = "/" + request.path_params["rest"]
        if any(r.matches(request.scope)[0] == Match.PARTIAL for r in routes):
            msg = f"{request.method} is not allowed on /_sim{path}."
            return SimError(405, INVALID_FIELD, msg).response()
        return SimError(404, INVALID_FIELD, f"No control API at /_sim{path}.").response()

    every = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    routes.append(Route("/{rest:path}", unknown, methods=every))
    return [Mount("/_sim", routes=routes)]


def simulator_app(
    state: SimState,
    *,
    auth: AuthConfig | None = None,
    faults: FaultInjector | None = None,
) -> ASGIApp:
    """The whole simulator as `dwsbot simulator` serves it, from the outside in:

    faults (outermost, so a dropped connection really drops) → request log → auth → routes:
    core operations, then ``/_sim/``, then the generic responder for every other operation.
    The project id served is ``state.project_id`` (``auth.project_id`` must agree).
    """
    from dws.simulator.app import create_app
    from dws.simulator.registry import HANDLERS

    auth = auth or AuthConfig(project_id=state.project_id)
    if auth.project_id != state.project_id:
        raise ValueError("the auth project id and the state's project id differ")
    faults = faults if faults is not None else FaultInjector(seed=state.seed)
    app = create_app(
        state,
        extra_routes=[
            *control_routes(state, faults),
            *generic_routes(state.project_id, served_elsewhere=set(HANDLERS)),
        ],
        middleware=[Middleware(AuthMiddleware, config=auth)],
    )
    return FaultMiddleware(app, faults, record=state.record)

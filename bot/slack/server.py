"""`dwsbot serve`: Starlette under uvicorn, in HTTP mode or beside a Socket Mode connection.

Routes: ``POST /slack/events`` (HTTP mode: slash commands, interactivity and events, verified
by bolt against the signing secret), ``GET /healthz`` (the process is alive), ``GET /readyz``
(the database answers, auth.test passed, and in Socket Mode the connection is up with a recent
pong: 503 with the failing checks otherwise), ``GET /metrics`` (Prometheus). uvicorn turns
SIGTERM into a graceful stop: no new connections, in-flight requests answered, then the
service's own shutdown (see `bot.slack.service`), and the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.listen import listen
from bot.metrics import Metrics
from bot.settings import Settings
from bot.slack.manifest import EVENTS_PATH
from bot.slack.service import Mode, ServeError, SlackService, open_service

log = logging.getLogger("dwsbot.slack")


def create_server(service: SlackService, *, metrics: Metrics | None = None) -> Starlette:
    """The ASGI app of a started service."""
    handler = AsyncSlackRequestHandler(service.app)

    async def events(request: Request) -> Response:
        response: Response = await handler.handle(request)
        return response

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        ok, checks = await service.ready()
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    async def metrics_route(_request: Request) -> Response:
        if metrics is None:
            return PlainTextResponse("", status_code=404)
        try:
            await metrics.refresh_gauges(service.runtime.db)
        except Exception as exc:  # the counters are still worth serving
            log.warning("metrics: gauges not refreshed: %s", type(exc).__name__)
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_route, methods=["GET"]),
    ]
    if service.mode == "http":
        routes.append(Route(EVENTS_PATH, events, methods=["POST"]))
    return Starlette(routes=routes)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (ServeError in one line when the address cannot be used)."""
    try:
        sock = listen(host, port)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


async def serve(
    settings: Settings,
    *,
    mode: Mode,
    host: str,
    port: int,
    metrics: Metrics | None = None,
    on_start: Callable[[SlackService, int], None] | None = None,
    say: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM / SIGINT (or ``stop`` is set), then stop gracefully
    (`bot.slack.service`)."""
    sock = bind(host, port)
    port = sock.getsockname()[1]
    try:
        async with open_service(settings, mode=mode, metrics=metrics) as service:
            config = uvicorn.Config(
                create_server(service, metrics=metrics),
                lifespan="off",
                log_config=None,
                access_log=False,
                timeout_graceful_shutdown=30,
            )
            server = uvicorn.Server(config)
            where = (
                f"over HTTP at http://{host}:{port}{EVENTS_PATH}"
                if mode == "http"
                else f"over Socket Mode (health on http://{host}:{port}/readyz)"
            )
            say(service.start_line(where))
            if on_start is not None:
                on_start(service, port)
            watch = asyncio.create_task(_stop_when(stop, server)) if stop else None
            try:
                await server.serve(sockets=[sock])
            finally:
                if watch is not None:
                    watch.cancel()
    finally:
        sock.close()


async def _stop_when(stop: asyncio.Event, server: uvicorn.Server) -> None:
    await stop.wait()
    server.should_exit = True

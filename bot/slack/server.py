"""`dwsbot serve`: Starlette under uvicorn, in HTTP mode or beside a Socket Mode connection.

Routes: ``POST /slack/events`` (HTTP mode: slash commands, interactivity and events, verified
by bolt against the signing secret), ``GET /healthz`` (the process is alive), ``GET /readyz``
(the database answers, auth.test passed, and in Socket Mode the connection is up with a recent
pong: 503 with the failing checks otherwise), ``GET /metrics`` (Prometheus). SIGTERM and
SIGINT are `serve`'s own for the whole run (uvicorn's handlers are left out: once stopped, they
raise the signal again, which kills the process before the service has stopped): either one
stops gracefully — no new connections, in-flight requests answered, then the service's own
shutdown (see `bot.slack.service`), and the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Iterator

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
from bot.slack.service import PING_INTERVAL_S, Mode, ServeError, SlackService, open_service

log = logging.getLogger("dwsbot.slack")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


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


class _Server(uvicorn.Server):
    """uvicorn without its signal handling (`serve` stops it)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _say(line: str) -> None:
    print(line, flush=True)  # a pipe (a container's log) sees the start line at once


@contextlib.contextmanager
def _stopped_by_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` while the block runs; the handlers they had before are
    put back after."""
    loop = asyncio.get_running_loop()
    before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig, handler in before.items():
            loop.remove_signal_handler(sig)
            if handler is not None:
                signal.signal(sig, handler)


async def serve(
    settings: Settings,
    *,
    mode: Mode,
    host: str,
    port: int,
    metrics: Metrics | None = None,
    on_start: Callable[[SlackService, int], None] | None = None,
    say: Callable[[str], None] = _say,
    stop: asyncio.Event | None = None,
    ping_interval: float = PING_INTERVAL_S,
) -> None:
    """Run until SIGTERM / SIGINT (or ``stop`` is set), then stop gracefully
    (`bot.slack.service`); ``ping_interval`` is Socket Mode's (seconds). A signal during the
    start ends the process at once, as there is nothing to finish yet."""
    stop = stop or asyncio.Event()
    sock = bind(host, port)
    port = sock.getsockname()[1]
    opened = open_service(settings, mode=mode, metrics=metrics, ping_interval=ping_interval)
    with contextlib.closing(sock), contextlib.ExitStack() as signals:
        async with opened as service:
            signals.enter_context(_stopped_by_signals(stop))  # until the service has stopped
            config = uvicorn.Config(
                create_server(service, metrics=metrics),
                lifespan="off",
                log_config=None,
                access_log=False,
                timeout_graceful_shutdown=30,
            )
            server = _Server(config)
            where = (
                f"over HTTP at http://{host}:{port}{EVENTS_PATH}"
                if mode == "http"
                else f"over Socket Mode (health on http://{host}:{port}/readyz)"
            )
            say(service.start_line(where))
            if on_start is not None:
                on_start(service, port)
            watch = asyncio.create_task(_stop_when(stop, server))
            try:
                await server.serve(sockets=[sock])
            finally:
                watch.cancel()


async def _stop_when(stop: asyncio.Event, server: uvicorn.Server) -> None:
    await stop.wait()
    server.should_exit = True

"""The running Slack service: tokens checked, runtime opened, app built, background work.

    async with open_service(settings, mode="http") as service:
        service.app          # the AsyncApp (bolt)
        await service.ready()  # (ok, checks) for /readyz

Start: the tokens the mode needs are checked (one line naming the missing one), `auth.test`
proves the bot token, the runtime opens (database upgraded, policy, DWS or the embedded
simulator), trackers resume and the sweeper runs. A background loop expires approvals,
sweeps stale executions and refreshes the user groups. Stop (SIGTERM): Socket Mode
disconnects, the work after acks is awaited (`TaskSet.drain`), pending edits are flushed,
then the runtime closes, giving up its leases so another replica resumes the trackers at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.logs import note_dws_call
from bot.metrics import Metrics
from bot.settings import Settings
from bot.slack import audit_channel
from bot.slack.app import SlackBot, build_app
from bot.slack.blocks import Where
from bot.slack.delivery import Delivery, slack_error
from bot.slack.edits import Editor
from bot.slack.tasks import TaskSet
from bot.slack.users import Directory
from bot.slack.web import http_session, make_web_client
from bot.wiring import Runtime, open_runtime
from commands.replies import Reply
from dws.client import CallRecord
from dws.clock import utcnow

log = logging.getLogger("dwsbot.slack")

Mode = Literal["http", "socket"]
LOOP_INTERVAL_S = 10.0
PING_INTERVAL_S = 5.0
"""How often the Socket Mode client pings Slack (slack_sdk's monitor, and aiohttp's heartbeat,
which closes a connection whose ping got no pong within half an interval; the monitor then
opens a new one)."""
STALE_PINGS = 1.5
"""/readyz fails once the last pong answered a ping older than this many intervals."""
DRAIN_TIMEOUT_S = 20.0
"""How long in-flight work may take at shutdown (Kubernetes' grace period must exceed it)."""
MANIFEST_HINT = "create the app from app_manifest.yml (`dwsbot manifest`), install it, then"


class ServeError(Exception):
    """dwsbot serve cannot start; the message is one line naming what to fix."""


def required_tokens(settings: Settings, mode: Mode) -> dict[str, str]:
    """The tokens the mode needs, by Slack's variable name (ServeError naming a missing one)."""
    needed = {"SLACK_BOT_TOKEN": settings.slack_bot_token}
    if mode == "http":
        needed["SLACK_SIGNING_SECRET"] = settings.slack_signing_secret
    else:
        needed["SLACK_APP_TOKEN"] = settings.slack_app_token
    where = {
        "SLACK_BOT_TOKEN": "OAuth & Permissions → Bot User OAuth Token (xoxb-...)",
        "SLACK_SIGNING_SECRET": "Basic Information → Signing Secret",
        "SLACK_APP_TOKEN": "Basic Information → App-Level Tokens, scope connections:write "
        "(xapp-...)",
    }
    tokens: dict[str, str] = {}
    for name, value in needed.items():
        if value is None or not value.get_secret_value().strip():
            raise ServeError(f"{name} is not set: {MANIFEST_HINT} copy it from {where[name]}")
        tokens[name] = value.get_secret_value().strip()
    return tokens


@dataclass
class SlackService:
    """A started service: the app and what /readyz reports."""

    bot: SlackBot
    app: AsyncApp
    mode: Mode
    identity: dict[str, Any]
    """What auth.test answered (team_id, user_id, bot_id...)."""
    socket: Any = None
    """The Socket Mode handler in socket mode."""
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def runtime(self) -> Runtime:
        return self.bot.runtime

    def start_line(self, where: str) -> str:
        """The one line printed at start: where it listens, and which DWS it talks to."""
        rt = self.runtime
        dws = (
            "DWS: the built-in simulator (set DWSBOT_DWS_ENDPOINT or DWSBOT_TARGETS for a real "
            "service)"
            if rt.simulated
            else f"DWS: targets {', '.join(rt.targets)} (default {rt.default_target})"
        )
        team = self.identity.get("team") or self.identity.get("team_id") or "?"
        return f"dwsbot serving Slack workspace {team} {where} · {dws}"

    async def ready(self) -> tuple[bool, dict[str, str]]:
        """Whether this replica can serve: the database answers, Slack accepted the token,
        and in Socket Mode the connection is up with a recent pong."""
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.runtime.db.ping(), timeout=2.0)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable ({type(exc).__name__})"
        checks["slack"] = "ok" if self.identity.get("ok") else "auth.test has not passed"
        if self.socket is not None:
            checks["socket"] = socket_state(self.socket)
        return all(v == "ok" for v in checks.values()), checks


def socket_state(handler: Any) -> str:
    """The Socket Mode connection as /readyz tells it: ok, or what is wrong. A quiet connection
    (half-open) fails as soon as a ping has waited half an interval for its pong, and stays
    failed until its replacement answers one."""
    client = handler.client
    last = client.last_ping_pong_time  # when the last ping that got its pong was sent
    if last is not None:
        age = time.time() - float(last)
        if age >= STALE_PINGS * client.ping_interval:
            return f"no pong for {age:.0f} s"
    session = client.current_session
    if client.closed or session is None or session.closed:
        return "not connected"
    return "ok"


async def check_token(client: Any) -> dict[str, Any]:
    """auth.test: the bot token is valid (ServeError naming it when Slack refuses)."""
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        raise ServeError(
            f"SLACK_BOT_TOKEN was refused by Slack ({slack_error(exc)}): copy the Bot User "
            "OAuth Token (xoxb-...) of the installed app"
        ) from None
    return dict(answer.data) if isinstance(answer.data, dict) else {}


@contextlib.asynccontextmanager
async def open_service(
    settings: Settings,
    *,
    mode: Mode,
    metrics: Metrics | None = None,
    ping_interval: float = PING_INTERVAL_S,
) -> AsyncIterator[SlackService]:
    """Start everything; on exit stop it gracefully (see the module docstring)."""
    tokens = required_tokens(settings, mode)
    async with (
        http_session() as session,
        _service(
            settings,
            tokens,
            mode=mode,
            metrics=metrics,
            session=session,
            ping_interval=ping_interval,
        ) as service,
    ):
        yield service


@contextlib.asynccontextmanager
async def _service(
    settings: Settings,
    tokens: dict[str, str],
    *,
    mode: Mode,
    metrics: Metrics | None,
    session: aiohttp.ClientSession,
    ping_interval: float,
) -> AsyncIterator[SlackService]:
    """The service whose calls to Slack go through ``session`` (closed after it stops)."""
    client = make_web_client(
        tokens["SLACK_BOT_TOKEN"], settings.slack_api_url, metrics, session=session
    )
    identity = await check_token(client)
    delivery: Delivery | None = None

    async def notify(channel: str, reply: Reply) -> None:
        if delivery is not None:
            await delivery.notify(channel, reply)

    def observe(record: CallRecord) -> None:
        note_dws_call(record)
        if metrics is not None:
            metrics.observe_dws(record)

    async with open_runtime(
        settings, notify=notify, observer=observe, track_interval=settings.track_interval
    ) as runtime:
        editor = Editor(runtime.db, team=str(identity.get("team_id") or ""))
        delivery = Delivery(
            client,
            runtime.db,
            editor,
            lambda: Where(runtime.default_target, runtime.simulated, utcnow()),
        )
        bot = SlackBot(runtime, client, delivery, Directory(client), TaskSet(), metrics)
        app = build_app(bot, signing_secret=tokens.get("SLACK_SIGNING_SECRET", ""))
        service = SlackService(bot, app, mode, identity)
        await runtime.dispatcher.resume_trackers()
        with contextlib.suppress(Exception):  # the loop tries again
            await runtime.dispatcher.sweep()
        loop = asyncio.create_task(_background(bot, settings), name="background")
        try:
            if mode == "socket":
                service.socket = await _connect_socket(
                    app, tokens["SLACK_APP_TOKEN"], client, ping_interval
                )
            yield service
        finally:
            if service.socket is not None:
                with contextlib.suppress(Exception):
                    await service.socket.close_async()
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
            await bot.tasks.drain(DRAIN_TIMEOUT_S)
            await editor.flush(DRAIN_TIMEOUT_S)
            await editor.aclose()


async def _connect_socket(app: AsyncApp, app_token: str, client: Any, ping_interval: float) -> Any:
    """The Socket Mode handler, connected. The first WebSocket URL is asked for here, through
    our web client: the Socket Mode client's connect() retries every failure forever, a
    refused token too (and logs each one with its traceback)."""
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    try:
        opened = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        raise ServeError(
            f"SLACK_APP_TOKEN was refused by Slack ({slack_error(exc)}): create an app-level "
            "token with the connections:write scope, and enable Socket Mode in the app"
        ) from None
    handler = AsyncSocketModeHandler(app, app_token, web_client=client, ping_interval=ping_interval)
    handler.client.wss_uri = opened["url"]
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler


async def _background(bot: SlackBot, settings: Settings) -> None:
    """Every few seconds: expire approvals, sweep stale executions, refresh user groups, and
    post the audit checkpoint when one is due."""
    dispatcher = bot.runtime.dispatcher
    steps = [dispatcher.expire_due, dispatcher.sweep, bot.directory.refresh_groups_if_due]
    if settings.audit_channel:
        every = timedelta(seconds=settings.audit_checkpoint_interval)
        steps.append(
            functools.partial(audit_channel.post_if_due, bot, settings.audit_channel, every)
        )
    while True:
        for step in steps:
            try:
                await step()
            except Exception as exc:  # the next round tries again
                log.warning("background step failed: %s", type(exc).__name__)
        await asyncio.sleep(LOOP_INTERVAL_S)

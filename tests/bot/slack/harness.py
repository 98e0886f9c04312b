"""Run the real `dwsbot serve` in the test's event loop against the fake Slack and a simulator
served over HTTP, and talk to it as Slack does (signed requests over real HTTP).

    async with simulator_over_http(state) as dws_url, FakeSlack() as slack:
        async with serving(tmp_path, slack, dws_url=dws_url) as bot:
            response = await bot.command(ALICE, "restart reporting")
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr

from bot.listen import listen
from bot.metrics import Metrics
from bot.settings import Settings, load_settings
from bot.slack.server import serve
from bot.slack.service import PING_INTERVAL_S, SlackService
from commands.registry import registry
from dws.simulator import SimState, defaults
from dws.simulator.control import simulator_app
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
AUDIT_KEY = "test-audit-key-0123456789abcdef0123456789"
POLICY = """\
version: 1
roles: [viewer, operator, admin]
default_role: viewer
users: {U0ALICE: operator, U0BOB: operator, U0CAROL: admin}
groups: {data-platform: operator}
channels: {"*": ["*"]}
defaults:
  read:        {min_role: viewer}
  change:      {min_role: operator, approvals: 1, approver_role: operator, ttl: 30m}
  destructive: {min_role: operator, approvals: 2, approver_role: operator, ttl: 30m}
freezes: []
"""


@dataclass(frozen=True)
class Person:
    id: str
    name: str


ALICE, BOB = Person("U0ALICE", "alice"), Person("U0BOB", "bob")
CAROL, VICTOR = Person("U0CAROL", "carol"), Person("U0VICTOR", "victor")
CHANNEL, CHANNEL_NAME = "C0OPS", "ops"


@contextlib.asynccontextmanager
async def asgi_on_loopback(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (a free port); its base URL."""
    sock = listen("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextlib.asynccontextmanager
async def simulator_over_http(state: SimState) -> AsyncIterator[str]:
    """The DWS simulator as a real HTTP service (signatures checked)."""
    async with asgi_on_loopback(simulator_app(state)) as url:
        yield url


def settings_for(tmp_path: Path, slack: FakeSlack, **overrides: Any) -> Settings:
    """Settings of a bot serving ``slack``: SQLite in ``tmp_path`` unless a URL is given,
    the test policy, and the DWS target at ``dws_endpoint`` (or the embedded simulator)."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    values: dict[str, Any] = {
        "slack_bot_token": SecretStr(slack.bot_token),
        "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_app_token": SecretStr(slack.app_token),
        "slack_api_url": slack.api_url,
        "database_url": SecretStr(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"),
        "policy_file": policy,
        "audit_key": SecretStr(AUDIT_KEY),
        "track_interval": 0.1,
    }
    if "dws_endpoint" in overrides:
        values |= {
            "dws_project_id": defaults.PROJECT_ID,
            "dws_ak": SecretStr(defaults.AK),
            "dws_sk": SecretStr(defaults.SK),
            "dws_region": defaults.REGION,
        }
    values |= overrides
    return load_settings(**values)


def command_fields(
    slack: FakeSlack, who: Person, text: str, channel: str = CHANNEL
) -> dict[str, str]:
    """The fields of ``who`` typing ``/dws text`` (a fresh response_url and trigger_id)."""
    return payloads.slash_command(
        text=text,
        user_id=who.id,
        user_name=who.name,
        channel_id=channel,
        channel_name=CHANNEL_NAME,
        response_url=slack.response_url(channel, user=who.id),
        trigger_id=slack.trigger_id(),
    )


@dataclass
class Bot:
    """A running `dwsbot serve` and a way to talk to it as Slack does."""

    url: str
    service: SlackService
    slack: FakeSlack
    http: httpx.AsyncClient
    metrics: Metrics

    async def post(self, signed: payloads.SignedRequest) -> httpx.Response:
        return await self.http.post(
            f"{self.url}/slack/events", content=signed.body, headers=signed.headers
        )

    async def command(
        self, who: Person, text: str, channel: str = CHANNEL, **sign: Any
    ) -> tuple[httpx.Response, str]:
        """Type ``/dws text``: the HTTP answer (the ack) and the response_url used."""
        fields = command_fields(self.slack, who, text, channel)
        signed = payloads.signed_command(fields, secret=sign.pop("secret", SIGNING_SECRET), **sign)
        return await self.post(signed), fields["response_url"]

    def click_payload(
        self,
        who: Person,
        action_id: str,
        value: str,
        *,
        message: Mapping[str, Any] | None = None,
        message_ts: str | None = None,
    ) -> dict[str, Any]:
        """The block_actions payload of pressing a button: of a channel ``message`` as stored
        by the fake, or of the ephemeral message ``message_ts``."""
        channel = str((message or {}).get("channel") or CHANNEL)
        ts = message["ts"] if message is not None else message_ts
        return payloads.block_actions(
            action_id=action_id,
            value=value,
            user_id=who.id,
            user_name=who.name,
            channel_id=channel,
            channel_name=CHANNEL_NAME,
            response_url=self.slack.response_url(channel, user=who.id, message_ts=ts),
            trigger_id=self.slack.trigger_id(),
            message=message,
            message_ts=None if message is not None else message_ts,
        )

    async def interact(self, payload: Mapping[str, Any], **sign: Any) -> httpx.Response:
        """Send an interactive payload, signed as Slack signs it."""
        secret = sign.pop("secret", SIGNING_SECRET)
        return await self.post(payloads.signed_interactive(payload, secret=secret, **sign))

    async def click(
        self, who: Person, message: Mapping[str, Any], action_id: str, value: str, **sign: Any
    ) -> httpx.Response:
        """Press a button of a channel message as stored by the fake."""
        return await self.interact(
            self.click_payload(who, action_id, value, message=message), **sign
        )


@contextlib.asynccontextmanager
async def serving(
    tmp_path: Path,
    slack: FakeSlack,
    *,
    mode: str = "http",
    ping_interval: float = PING_INTERVAL_S,
    **overrides: Any,
) -> AsyncIterator[Bot]:
    """`dwsbot serve` on 127.0.0.1 (a free port), stopped gracefully on exit; ``overrides``
    are settings, ``ping_interval`` Socket Mode's."""
    settings = settings_for(tmp_path, slack, **overrides)
    metrics = Metrics(registry)
    started: asyncio.Future[tuple[SlackService, int]] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(
            settings,
            mode=mode,  # type: ignore[arg-type]
            host="127.0.0.1",
            port=0,
            metrics=metrics,
            on_start=lambda service, port: started.set_result((service, port)),
            say=lambda line: None,
            stop=stop,
            ping_interval=ping_interval,
        )
    )
    waiting: set[asyncio.Future[Any]] = {task, started}
    done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # raises what stopped the start
    service, port = started.result()
    url = f"http://127.0.0.1:{port}"
    try:
        while True:  # uvicorn accepts once its server has started
            try:
                async with httpx.AsyncClient() as probe:
                    await probe.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                await asyncio.sleep(0.01)
        async with httpx.AsyncClient(timeout=10) as http:
            yield Bot(url, service, slack, http, metrics)
    finally:
        stop.set()
        await task

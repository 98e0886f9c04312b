"""`dwsbot serve --socket` end to end: the real AsyncApp behind slack_sdk's aiohttp Socket Mode
client, connected over a real WebSocket to the fake Slack (envelopes in, acks out), the Web API
and response_url on the fake, DWS the simulator over HTTP, SQLite in tmp_path.

A command is acked before its work and answered through its response_url; a request approved
by a click runs once; an event redelivered (`retry_attempt`) is handled once; Slack's
`disconnect` moves the bot to a new connection; a connection gone quiet fails /readyz and is
replaced; a refused SLACK_APP_TOKEN stops the start.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.slack.service import ServeError
from dws.simulator import SimClock, SimState
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import CONNECTIONS_OPEN, FakeSlack
from tests.bot.slack.fake_socket import wait_for
from tests.bot.slack.harness import (
    ALICE,
    BOB,
    Bot,
    Person,
    command_fields,
    serving,
    simulator_over_http,
)
from tests.bot.slack.test_serve_http import buttons, channel_messages, history, restarts


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.set_channel("C0OPS", "ops")
        fake.add_user(ALICE.id, ALICE.name, display_name="Alice")
        fake.add_user(BOB.id, BOB.name, display_name="Bob")
        yield fake


@pytest.fixture
async def world(tmp_path: Path, slack: FakeSlack) -> AsyncIterator[tuple[Bot, SimState]]:
    state = SimState(clock=SimClock(speed=0.0))
    async with (
        simulator_over_http(state) as dws_url,
        serving(tmp_path, slack, mode="socket", dws_endpoint=dws_url) as bot,
    ):
        yield bot, state


async def deliver(bot: Bot, envelope: dict[str, Any]) -> dict[str, Any] | None:
    """Send an envelope as Slack does; what the bot acked it with (None: a bare ack)."""
    await bot.slack.socket_send(envelope)
    return await bot.slack.socket_ack(envelope["envelope_id"])


async def command(bot: Bot, who: Person, text: str) -> None:
    """``who`` types ``/dws text``; the bot acks it with no payload."""
    assert (
        await deliver(bot, payloads.command_envelope(command_fields(bot.slack, who, text))) is None
    )


async def click(bot: Bot, who: Person, message: dict[str, Any], action_id: str) -> None:
    """``who`` presses a button of a channel message; the bot acks it."""
    value = buttons(message)[action_id]["value"]
    payload = bot.click_payload(who, action_id, value, message=message)
    assert await deliver(bot, payloads.interactive_envelope(payload)) is None


async def socket_check(bot: Bot) -> tuple[int, str]:
    """/readyz: its status and what it says of the socket."""
    ready = await bot.http.get(f"{bot.url}/readyz")
    return ready.status_code, ready.json()["checks"]["socket"]


async def socket_ok_again(bot: Bot) -> None:
    """Poll /readyz until the socket is ok (about 10 s at most)."""
    for _ in range(1000):
        if await socket_check(bot) == (200, "ok"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"/readyz still says {await socket_check(bot)}")


async def test_a_command_is_acked_before_its_work_and_answered_through_its_response_url(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    held = bot.slack.hold("users.info")  # the work after the ack waits here
    await command(bot, ALICE, "clusters")
    await wait_for(lambda: held.waiting)
    assert bot.slack.ephemeral == []  # acked while its work is still running
    held.release()
    [answer] = await wait_for(lambda: bot.slack.ephemeral)
    assert (answer["user"], answer["via"]) == (ALICE.id, "response_url")
    assert all(c.name in str(answer["blocks"]) for c in state.clusters.values())
    assert bot.slack.calls_to("response_url")[0].status == 200


async def test_readyz_reports_the_socket(world: tuple[Bot, SimState]) -> None:
    bot, _ = world
    ready = await bot.http.get(f"{bot.url}/readyz")
    checks = {"database": "ok", "slack": "ok", "socket": "ok"}
    assert ready.status_code == 200 and ready.json() == {"ready": True, "checks": checks}
    assert (await bot.http.post(f"{bot.url}/slack/events")).status_code == 404  # no HTTP mode


async def test_a_request_approved_over_socket_mode_restarts_once(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    await command(bot, ALICE, "restart reporting")
    [request] = await wait_for(lambda: channel_messages(bot))
    await click(bot, ALICE, request, "approve")  # her own request: refused, to her alone
    await wait_for(lambda: [e for e in bot.slack.ephemeral if "own request" in str(e)])
    assert restarts(state) == []
    await click(bot, BOB, request, "approve")
    await wait_for(lambda: "approve" not in buttons(history(bot, request)[-1]))
    await wait_for(lambda: len(bot.service.bot.tasks) == 0)
    assert len(restarts(state)) == 1


async def test_a_redelivered_event_is_handled_once(world: tuple[Bot, SimState]) -> None:
    bot, _ = world
    event = payloads.event_callback(payloads.app_home_opened(BOB.id, "D0BOB"), event_id="Ev0HOME")
    assert await deliver(bot, payloads.event_envelope(event)) is None
    await wait_for(lambda: bot.slack.home.get(BOB.id))
    again = payloads.event_envelope(event, retry_attempt=1, retry_reason="timeout")
    assert await deliver(bot, again) is None  # acked, so that Slack stops retrying
    await wait_for(lambda: len(bot.service.bot.tasks) == 0)
    assert len(bot.slack.calls_to("views.publish")) == 1


async def test_a_disconnect_moves_the_bot_to_a_new_connection(
    world: tuple[Bot, SimState],
) -> None:
    bot, _ = world
    [first] = await wait_for(lambda: bot.slack.socket_open)
    await bot.slack.socket_disconnect("refresh_requested")
    [second] = await wait_for(lambda: [c for c in bot.slack.socket_open if c.id != first.id])
    assert first.ws.closed and len(bot.slack.calls_to(CONNECTIONS_OPEN)) == 2
    await command(bot, ALICE, "clusters")
    await wait_for(lambda: bot.slack.ephemeral)
    assert any(m.get("type") == "slash_commands" for m in second.sent)


async def test_a_quiet_connection_fails_readyz_and_is_replaced(
    tmp_path: Path, slack: FakeSlack
) -> None:
    async with serving(tmp_path, slack, mode="socket", ping_interval=1.0) as bot:
        client = bot.service.socket.client
        await wait_for(lambda: client.last_ping_pong_time)  # a first ping was answered
        [quiet] = await wait_for(lambda: slack.socket_open)
        held = slack.hold(CONNECTIONS_OPEN)  # keeps the replacement waiting, to look at /readyz
        slack.socket_stop_pongs()
        await wait_for(lambda: held.waiting)  # the bot gave up on the quiet connection
        await wait_for(lambda: quiet.ws.closed)
        status, socket = await socket_check(bot)
        seconds = re.fullmatch(r"no pong for (\d+) s", socket)
        assert status == 503 and seconds and int(seconds[1]) >= 1, socket  # 1.5 intervals

        held.release()
        await wait_for(lambda: [c for c in slack.socket_open if c.id != quiet.id])
        await socket_ok_again(bot)  # once its first pong comes back
        await command(bot, ALICE, "whoami")
        await wait_for(lambda: slack.ephemeral)


@pytest.mark.parametrize(
    ("app_token", "error"),
    [("xapp-1-revoked", "invalid_auth"), ("xoxb-test", "not_allowed_token_type")],
)
async def test_a_refused_app_token_stops_the_start(
    tmp_path: Path, slack: FakeSlack, app_token: str, error: str
) -> None:
    refused_token = SecretStr(app_token)
    with pytest.raises(ServeError) as refused:
        async with asyncio.timeout(60):  # a start that retries forever fails, not hangs
            async with serving(tmp_path, slack, mode="socket", slack_app_token=refused_token):
                pass
    assert str(refused.value).startswith(f"SLACK_APP_TOKEN was refused by Slack ({error}):")
    assert len(slack.calls_to(CONNECTIONS_OPEN)) == 1 and slack.socket_connections == []

"""`dwsbot serve --http` end to end: signed requests over real HTTP into the real AsyncApp, the
Web API and response_url on the fake Slack, DWS the simulator over HTTP, SQLite in tmp_path.

The full flow: alice asks for a restart → the approval message in the channel → her own click
is refused (to her alone) → bob approves → exactly one restart reaches DWS → the same message
is updated as the restart progresses → the outcome is said in its thread naming both → the
audit has the Slack ids and names.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from commands.store.models import AuditEvent
from dws.simulator import SimClock, SimState
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.fake_socket import wait_for
from tests.bot.slack.harness import (
    ALICE,
    BOB,
    CHANNEL,
    SIGNING_SECRET,
    VICTOR,
    Bot,
    serving,
    simulator_over_http,
)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Bot, SimState]]:
    state = SimState(clock=SimClock(speed=0.0))
    async with simulator_over_http(state) as dws_url, FakeSlack() as slack:
        slack.set_channel(CHANNEL, "ops")
        slack.add_user(ALICE.id, ALICE.name, real_name="Alice Liddell", display_name="Alice")
        slack.add_user(BOB.id, BOB.name, display_name="Bob")
        async with serving(tmp_path, slack, dws_endpoint=dws_url) as bot:
            yield bot, state


def restarts(state: SimState) -> list[Any]:
    return [r for r in state.request_log if r.method == "POST" and "restart" in r.path]


def idle_cluster(state: SimState) -> Any:
    """The seeded cluster that can be restarted (idle, in no DR pair)."""
    return next(c for c in state.clusters.values() if c.name == "reporting")


def channel_messages(bot: Bot) -> list[dict[str, Any]]:
    return [m for m in bot.slack.messages.get(CHANNEL, {}).values() if not m.get("thread_ts")]


def history(bot: Bot, message: dict[str, Any]) -> list[dict[str, Any]]:
    return bot.slack.history(CHANNEL, message["ts"])


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            found[element["action_id"]] = element
    return found


async def test_a_read_is_answered_to_the_asker_alone(world: tuple[Bot, SimState]) -> None:
    bot, state = world
    response, _ = await bot.command(ALICE, "clusters")
    assert response.status_code == 200 and response.content == b""  # the ack, nothing else
    [answer] = await wait_for(lambda: bot.slack.ephemeral)
    assert (answer["user"], answer["via"]) == (ALICE.id, "response_url")
    text = str(answer["blocks"]) + answer["text"]
    assert all(c.name in text for c in state.clusters.values())
    assert "simulator" not in str(answer["blocks"])  # a configured target, not the embedded one
    assert channel_messages(bot) == []


async def test_full_approval_flow(world: tuple[Bot, SimState]) -> None:
    bot, state = world
    cluster = idle_cluster(state)
    response, _ = await bot.command(ALICE, f"restart {cluster.name}")
    assert response.status_code == 200
    [request] = await wait_for(lambda: channel_messages(bot))
    assert cluster.name in request["text"] and set(buttons(request)) == {
        "approve",
        "deny",
        "cancel",
    }
    approval_id = buttons(request)["approve"]["value"]

    own = await bot.click(ALICE, request, "approve", approval_id)
    assert own.status_code == 200
    refusal = await wait_for(lambda: [e for e in bot.slack.ephemeral if "own request" in str(e)])
    assert refusal and restarts(state) == []
    assert len(bot.slack.history(CHANNEL, request["ts"])) == 1  # the message did not change

    viewer = await bot.click(VICTOR, request, "approve", approval_id)
    assert viewer.status_code == 200
    await wait_for(lambda: len([e for e in bot.slack.ephemeral if "Vote refused" in str(e)]) >= 2)

    await bot.click(BOB, request, "approve", approval_id)
    await wait_for(lambda: restarts(state))
    updated = await wait_for(
        lambda: [
            v for v in bot.slack.history(CHANNEL, request["ts"]) if "approve" not in buttons(v)
        ]
    )
    assert updated  # the buttons are gone once decided

    state.clock.advance(state.start_delay + 1)  # DWS starts the restart: REBOOTING
    state.tick()
    await wait_for(lambda: any("REBOOTING" in str(v) for v in history(bot, request)))
    state.clock.advance(3600)  # and ends it
    state.tick()
    thread = await wait_for(
        lambda: [
            m for m in bot.slack.messages[CHANNEL].values() if m.get("thread_ts") == request["ts"]
        ]
    )
    assert f"<@{ALICE.id}>" in thread[-1]["text"] and f"<@{BOB.id}>" in thread[-1]["text"]
    assert "succeeded" in thread[-1]["text"]
    assert len(restarts(state)) == 1
    await wait_for(lambda: "succeeded" in str(history(bot, request)[-1]))  # edited in place too

    async with bot.service.runtime.db.unit_of_work(readonly=True) as uow:
        [succeeded] = await uow.audit.query(event=AuditEvent.SUCCEEDED)
        [approved] = await uow.audit.query(event=AuditEvent.APPROVED)
    assert (succeeded.user_id, succeeded.user_name) == (ALICE.id, "Alice")
    assert (approved.user_id, approved.user_name) == (BOB.id, "Bob")
    assert succeeded.channel == CHANNEL and succeeded.approvers == ["Bob"]


async def test_forged_or_stale_requests_get_401_and_run_nothing(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    cluster = idle_cluster(state)
    wrong, _ = await bot.command(ALICE, f"restart {cluster.name}", secret="not-the-secret")
    stale, _ = await bot.command(ALICE, f"restart {cluster.name}", age=301)
    assert (wrong.status_code, stale.status_code) == (401, 401)
    async with bot.service.runtime.db.unit_of_work(readonly=True) as uow:
        assert await uow.approvals.list_pending() == []
    assert bot.slack.ephemeral == [] and channel_messages(bot) == []


async def test_health_readiness_and_metrics(world: tuple[Bot, SimState]) -> None:
    bot, _ = world
    assert (await bot.http.get(f"{bot.url}/healthz")).text == "ok"
    ready = await bot.http.get(f"{bot.url}/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "slack": "ok",
    }
    await bot.command(ALICE, "clusters")
    await wait_for(lambda: bot.slack.ephemeral)
    scraped = (await bot.http.get(f"{bot.url}/metrics")).text
    assert 'dwsbot_commands_total{command="clusters",outcome="info"} 1.0' in scraped
    assert 'dwsbot_ack_seconds_count{kind="command"} 1.0' in scraped
    assert 'dwsbot_dws_calls_total{operation="list_clusters",status="200"}' in scraped
    assert bot.slack.bot_token not in scraped


async def test_the_ack_metric_times_the_listener(world: tuple[Bot, SimState]) -> None:
    bot, _ = world

    @bot.service.app.command("/late-ack")
    async def late(ack: Any) -> None:
        await asyncio.sleep(0.05)  # so the ack is at least 50 ms after the request
        await ack()

    fields = payloads.slash_command(
        command="/late-ack",
        user_id=ALICE.id,
        user_name=ALICE.name,
        channel_id=CHANNEL,
        channel_name="ops",
        response_url=bot.slack.response_url(CHANNEL, user=ALICE.id),
        trigger_id=bot.slack.trigger_id(),
    )
    response = await bot.post(payloads.signed_command(fields, secret=SIGNING_SECRET))
    assert response.status_code == 200
    scraped = (await bot.http.get(f"{bot.url}/metrics")).text
    assert 'dwsbot_ack_seconds_bucket{kind="command",le="0.025"} 0.0' in scraped
    assert 'dwsbot_ack_seconds_count{kind="command"} 1.0' in scraped


async def test_replies_reuse_kept_alive_connections(world: tuple[Bot, SimState]) -> None:
    bot, _ = world

    async def ask() -> None:  # and wait for the reply, so that its connection is free again
        before = len(bot.slack.calls_to("response_url"))
        await bot.command(ALICE, "clusters")
        await wait_for(lambda: len(bot.slack.calls_to("response_url")) > before)

    for _ in range(3):
        await ask()
    replies = bot.slack.calls_to("response_url")
    assert all(call.status == 200 for call in replies)
    assert len({call.peer for call in replies}) < len(replies)  # not a new connection for each

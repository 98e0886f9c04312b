"""`dwsbot serve --http` at the edges: channels it cannot post in, `--public`, long answers
paged with "Show more", follow-up buttons, user groups, App Home, a 429 on chat.update, a
double click and a click on a decided request. Real bolt app over real HTTP, the fake Slack,
the simulator over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dws.simulator import SimClock, SimState
from dws.simulator.state.seed import Fleet
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.fake_socket import wait_for
from tests.bot.slack.harness import (
    ALICE,
    BOB,
    CHANNEL,
    SIGNING_SECRET,
    Bot,
    Person,
    serving,
    simulator_over_http,
)
from tests.bot.slack.test_serve_http import buttons, channel_messages, history, restarts

DAVE = Person("U0DAVE", "dave")


async def _world(tmp_path: Path, state: SimState) -> AsyncIterator[tuple[Bot, SimState]]:
    async with simulator_over_http(state) as dws_url, FakeSlack() as slack:
        slack.set_channel(CHANNEL, "ops")
        slack.set_channel("C0PRIV", "secret", private=True, member=False)
        slack.add_user(ALICE.id, ALICE.name, display_name="Alice")
        slack.add_user(BOB.id, BOB.name, display_name="Bob")
        slack.add_user(DAVE.id, DAVE.name, display_name="Dave")
        slack.add_usergroup("S0DP", "data-platform", [DAVE.id])
        async with serving(tmp_path, slack, dws_endpoint=dws_url) as bot:
            yield bot, state


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Bot, SimState]]:
    async for pair in _world(tmp_path, SimState(clock=SimClock(speed=0.0))):
        yield pair


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[tuple[Bot, SimState]]:
    async for pair in _world(tmp_path, Fleet.generate(200, clock=SimClock(speed=0.0))):
        yield pair


def ephemeral_to(bot: Bot, who: Person) -> list[dict[str, Any]]:
    return [e for e in bot.slack.ephemeral if e.get("user") == who.id]


async def test_a_channel_the_bot_is_not_in_gets_one_line_saying_how_to_fix_it(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    await bot.command(ALICE, "restart reporting", channel="C0PRIV")
    [answer] = await wait_for(lambda: ephemeral_to(bot, ALICE))
    assert "invite me to #ops with `/invite @dwsbot`" in answer["text"]
    assert "Approval needed" in answer["text"]  # the request itself, which alice may cancel
    assert bot.slack.messages.get("C0PRIV") is None and restarts(state) == []


async def test_public_answers_go_to_the_channel(world: tuple[Bot, SimState]) -> None:
    bot, _ = world
    await bot.command(ALICE, "clusters --public")
    [answer] = await wait_for(lambda: channel_messages(bot))
    assert "reporting" in json.dumps(answer["blocks"]) and ephemeral_to(bot, ALICE) == []


async def test_a_long_answer_is_paged_with_show_more(fleet: tuple[Bot, SimState]) -> None:
    bot, state = fleet
    await bot.command(ALICE, "clusters")
    [first] = await wait_for(lambda: ephemeral_to(bot, ALICE))
    more = [b for b in _elements(first) if b.get("action_id") == "more"]
    assert len(more) == 1 and json.loads(more[0]["value"])  # a cursor, not the data
    names = {c.name for c in state.clusters.values()}
    shown = {n for n in names if n in _rows(first)}
    assert 0 < len(shown) < len(names)

    payload = bot.click_payload(ALICE, "more", more[0]["value"], message_ts=first["ts"])
    assert (await bot.interact(payload)).is_success
    second = await wait_for(lambda: ephemeral_to(bot, ALICE)[1:])
    shown_next = {n for n in names if n in _rows(second[0])}
    assert shown_next and not shown_next & shown  # the next rows, none repeated


def _rows(message: dict[str, Any]) -> str:
    """The text of a message's table or sections (not its buttons)."""
    return json.dumps([b for b in message["blocks"] if b["type"] in ("table", "section")])


def _elements(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) for e in b.get("elements", [])]


async def test_a_follow_up_button_runs_its_command_for_the_clicker(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    await bot.command(ALICE, "clusters")
    [answer] = await wait_for(lambda: ephemeral_to(bot, ALICE))
    [follow] = [e for e in _elements(answer) if e.get("action_id", "").startswith("run:")]
    payload = bot.click_payload(BOB, follow["action_id"], follow["value"], message_ts=answer["ts"])
    await bot.interact(payload)
    [shown] = await wait_for(lambda: ephemeral_to(bot, BOB))
    name = follow["value"].split()[-1]
    cluster = next(c for c in state.clusters.values() if c.name == name)
    assert cluster.id in json.dumps(shown["blocks"])


async def test_user_groups_reach_the_policy(world: tuple[Bot, SimState]) -> None:
    bot, _ = world
    await bot.command(DAVE, "whoami")
    [answer] = await wait_for(lambda: ephemeral_to(bot, DAVE))
    text = json.dumps(answer["blocks"])
    assert "data-platform" in text and "operator" in text  # the group's role, not the default
    assert "Dave" in text  # the display name from users.info


async def test_app_home_shows_pending_approvals_with_working_buttons(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    await bot.command(ALICE, "restart reporting")
    [request] = await wait_for(lambda: channel_messages(bot))
    event = payloads.event_callback(payloads.app_home_opened(BOB.id, "D0BOB"), event_id="Ev0HOME")
    await bot.post(payloads.signed_event(event, secret=SIGNING_SECRET))
    await bot.post(payloads.signed_event(event, secret=SIGNING_SECRET, retry_num=1))
    home = await wait_for(lambda: bot.slack.home.get(BOB.id))
    approve = [e for e in _blocks_elements(home) if e.get("action_id") == "approve"]
    assert approve and approve[0]["value"] == buttons(request)["approve"]["value"]
    assert "reporting" in json.dumps(home) and "operator" in json.dumps(home)
    assert len(bot.slack.calls_to("views.publish")) == 1  # the retry was not handled again

    payload = bot.click_payload(BOB, "approve", approve[0]["value"], message_ts=request["ts"])
    payload.pop("response_url", None)  # a click in App Home has no response_url
    payload["container"] = {"type": "view", "view_id": "V0HOME"}
    payload["view"] = {"id": "V0HOME", "type": "home"}
    await bot.interact(payload)
    await wait_for(lambda: restarts(state))
    await wait_for(lambda: len(bot.slack.calls_to("views.publish")) == 2)  # Home refreshed
    await wait_for(lambda: "approve" not in buttons(history(bot, request)[-1]))


def _blocks_elements(view: dict[str, Any]) -> list[dict[str, Any]]:
    view = view.get("view", view)
    return [e for b in view.get("blocks", []) for e in b.get("elements", [])]


async def test_a_429_on_chat_update_is_honoured_and_the_edit_lands(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    await bot.command(ALICE, "restart reporting")
    [request] = await wait_for(lambda: channel_messages(bot))
    bot.slack.rate_limit("chat.update", retry_after=1, times=1)
    await bot.click(BOB, request, "approve", buttons(request)["approve"]["value"])
    await wait_for(lambda: "approve" not in buttons(history(bot, request)[-1]))
    updates = bot.slack.calls_to("chat.update")
    assert [c.status for c in updates][:2] == [429, 200]
    assert len(restarts(state)) == 1


async def test_a_double_click_votes_once(world: tuple[Bot, SimState]) -> None:
    bot, state = world
    await bot.command(ALICE, "stop reporting")  # destructive: two approvals
    [request] = await wait_for(lambda: channel_messages(bot))
    approve = buttons(request)["approve"]
    assert approve.get("confirm")  # Slack asks "Are you sure?" before the vote counts
    await asyncio.gather(*(bot.click(BOB, request, "approve", approve["value"]) for _ in range(5)))
    refusals = await wait_for(
        lambda: [e for e in ephemeral_to(bot, BOB) if "already voted" in e["text"]][3:]
    )
    assert len(refusals) == 1  # four of the five said so; one vote counted
    await wait_for(lambda: "1 of 2" in json.dumps(history(bot, request)[-1]))
    assert not [r for r in state.request_log if r.method == "POST" and "stop" in r.path]


async def test_a_click_on_a_decided_request_is_answered_to_the_clicker_alone(
    world: tuple[Bot, SimState],
) -> None:
    bot, state = world
    await bot.command(ALICE, "restart reporting")
    [request] = await wait_for(lambda: channel_messages(bot))
    approve = buttons(request)["approve"]["value"]
    await bot.click(BOB, request, "approve", approve)
    await wait_for(lambda: "approve" not in buttons(history(bot, request)[-1]))  # decided
    late = await bot.click(DAVE, request, "approve", approve)  # the message DAVE saw still had it
    assert late.status_code == 200
    [answer] = await wait_for(lambda: ephemeral_to(bot, DAVE))
    assert "This request is already executing." in answer["text"]
    [said] = [c for c in bot.slack.calls_to("response_url") if "already" in json.dumps(c.args)]
    assert said.args["response_type"] == "ephemeral" and said.args["replace_original"] is False
    await bot.service.bot.delivery.editor.flush(10)
    edits = [c for c in bot.slack.calls_to("chat.update") if "already" in json.dumps(c.args)]
    assert edits == []  # the shared message is not the place for a no-op
    assert len(restarts(state)) == 1


async def test_audit_checkpoints_are_posted_to_the_audit_channel(tmp_path: Path) -> None:
    from bot.slack import audit_channel
    from commands.audit import verify
    from commands.store.chain import CHECKPOINT_PREFIX, Checkpoint

    async with FakeSlack() as slack:
        slack.set_channel("C0AUDIT", "audit")
        async with serving(tmp_path, slack, audit_channel="C0AUDIT") as bot:
            [posted] = await wait_for(lambda: list(slack.messages.get("C0AUDIT", {}).values()))
            [line] = [x for x in posted["text"].splitlines() if x.startswith(CHECKPOINT_PREFIX)]
            db = bot.service.runtime.db
            assert (await verify(db, [Checkpoint.parse(line)])).ok
            again = await audit_channel.post_if_due(bot.service.bot, "C0AUDIT", timedelta(hours=1))
            assert again is False  # one per interval, whichever replica asks
            assert len(slack.messages["C0AUDIT"]) == 1

"""The forms end to end: `dwsbot serve --http` (tests/bot/slack/harness.py: the real bolt app
under uvicorn, the runtime on the embedded simulator, SQLite in tmp_path) driven by signed
slash commands, view_submission and block_suggestion requests, with the Web API on the fake
Slack. The harness's policy: alice and bob operators, carol admin, victor a viewer."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.slack import on_view
from bot.slack.modals import GENERATE, PARAM_ACTION, SECRET
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack
from tests.bot.slack.harness import (
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    SIGNING_SECRET,
    VICTOR,
    Person,
    serving,
)
from tests.bot.slack.harness import Bot as Served
from tests.bot.slack.test_modals import form_state

PASSWORD_BLOCK = SECRET + "password"


@dataclass
class Bot:
    """The served bot, and the forms' side of talking to it."""

    served: Served
    db_path: Path

    @property
    def slack(self) -> FakeSlack:
        return self.served.slack

    async def command(self, text: str, who: Person = ALICE, channel: str = CHANNEL) -> None:
        answer, _url = await self.served.command(who, text, channel)
        assert answer.status_code == 200

    async def form(self, text: str, who: Person = ALICE, channel: str = CHANNEL) -> dict:
        """Type ``/dws <text>`` and wait for the modal it opens."""
        opened = len(self.slack.calls_to("views.open"))
        await self.command(text, who, channel)
        [call] = await self.slack.wait_for(lambda: self.slack.calls_to("views.open")[opened:])
        assert call.response["ok"], call.response
        return dict(call.response["view"])

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return await self.served.post(payloads.signed_interactive(payload, secret=SIGNING_SECRET))

    async def submit(
        self, view: dict, *, who: Person = ALICE, answers: dict[str, Any] | None = None, **more: str
    ) -> dict | None:
        """Submit the modal with ``answers`` and ``more`` (block_id → value); the ack's JSON
        (None: the modal closes)."""
        payload = payloads.view_submission(
            view=view,
            values=form_state(view, {**(answers or {}), **more}),
            user_id=who.id,
            user_name=who.name,
            trigger_id=self.slack.trigger_id(),
        )
        answer = await self.interact(payload)
        assert answer.status_code == 200, answer.text
        return answer.json() if answer.content else None

    async def approve(self, who: Person = BOB) -> None:
        [message] = self.slack.messages[CHANNEL].values()
        [(approval_id,)] = self.rows("select id from approvals")
        assert (await self.served.click(who, message, "approve", approval_id)).status_code == 200

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            return db.execute(query).fetchall()

    def approvals(self) -> list[tuple[Any, ...]]:
        return self.rows("select requester_id, command_text, status from approvals")

    def everything_stored(self) -> str:
        """The text of every row of every table."""
        tables = [r[0] for r in self.rows("select name from sqlite_master where type='table'")]
        return "\n".join(repr(self.rows(f'select * from "{t}"')) for t in tables)

    def cluster(self, name: str) -> Any:
        simulator = self.served.service.runtime.simulator
        return next(c for c in simulator.clusters.values() if c.name == name)

    async def settled(self) -> None:
        """Wait until the work after the acks is done."""
        await self.slack.wait_for(lambda: len(self.served.service.bot.tasks) == 0)


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    # Slack's 3 s are not raced here: a submission is answered in the modal once the command
    # has answered, however slow the machine (the ack closing first has its own tests).
    monkeypatch.setattr(on_view, "ANSWER_WITHIN_S", 60.0)
    monkeypatch.setattr(on_view, "LOOKUP_WITHIN_S", 60.0)
    async with FakeSlack() as slack:
        slack.set_channel(CHANNEL, "ops")
        for person in (ALICE, BOB, CAROL, VICTOR):
            slack.add_user(person.id, person.name)
        async with serving(tmp_path, slack) as served:
            yield Bot(served, tmp_path / "bot.db")


async def test_a_command_without_its_arguments_opens_its_form(bot: Bot) -> None:
    view = await bot.form("snapshot create")
    assert view["callback_id"] == "dws-form:snapshot create"
    assert json.loads(view["private_metadata"]) == {
        "channel": CHANNEL,
        "command": "snapshot create",
    }
    blocks = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(blocks) == ["cluster", "name", "description"]
    assert blocks["cluster"]["optional"] is False and blocks["name"]["optional"] is True
    await bot.settled()
    assert bot.slack.ephemeral == [] and bot.approvals() == []  # nothing was dispatched


async def test_a_bad_count_is_refused_on_its_field_and_a_good_one_asks_for_approval(
    bot: Bot,
) -> None:
    view = await bot.form("add-nodes reporting")
    assert {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}["cluster"]["element"][
        "initial_value"
    ] == "reporting"
    refused = await bot.submit(view, count="0")
    assert refused is not None and refused["response_action"] == "errors"
    assert list(refused["errors"]) == ["count"]
    assert "greater than or equal to 1" in refused["errors"]["count"]
    assert bot.approvals() == []

    assert await bot.submit(view, count="2") is None  # the modal closes
    [(requester, text, status)] = bot.approvals()
    assert (requester, text, status) == (ALICE.id, "/dws add-nodes reporting 2", "pending")
    [message] = bot.slack.messages[CHANNEL].values()
    said = json.dumps(message)
    assert "Add 2 nodes to cluster reporting" in said
    assert '"action_id": "approve"' in said

    assert await bot.submit(view, count="2") is None  # delivered again: handled once
    await bot.settled()
    assert len(bot.approvals()) == 1 and len(bot.slack.messages[CHANNEL]) == 1


async def test_a_viewer_gets_the_policys_sentence_not_a_form(bot: Bot) -> None:
    await bot.command("add-nodes", who=VICTOR)
    await bot.slack.wait_for(lambda: bot.slack.ephemeral)
    await bot.settled()
    assert bot.slack.calls_to("views.open") == []
    said = json.dumps(bot.slack.ephemeral)
    assert "Not allowed" in said and "operator" in said and "Traceback" not in said


async def test_a_refusal_known_before_closing_is_said_in_the_modal(bot: Bot) -> None:
    view = await bot.form("add-nodes")
    answer = await bot.submit(view, who=VICTOR, cluster="reporting", count="1")
    assert answer is not None and answer["response_action"] == "update"
    shown = json.dumps(answer["view"])
    assert "Not allowed" in shown and "Traceback" not in shown
    assert '"actions"' not in shown  # no buttons in a modal
    assert bot.approvals() == []


async def test_a_failure_after_the_modal_closed_is_told_ephemerally(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(on_view, "ANSWER_WITHIN_S", 0.0)
    view = await bot.form("snapshot create")
    assert await bot.submit(view, cluster="no-such-cluster") is None
    [said] = await bot.slack.wait_for(lambda: bot.slack.ephemeral)
    assert (said["channel"], said["user"], said["via"]) == (CHANNEL, ALICE.id, "chat.postEphemeral")
    assert "no-such-cluster" in json.dumps(said)


async def test_a_channel_the_bot_cannot_post_in_is_said_in_the_modal(bot: Bot) -> None:
    bot.slack.set_channel("G0SECRET", "secret", private=True, member=False)
    view = await bot.form("add-nodes", channel="G0SECRET")
    answer = await bot.submit(view, cluster="reporting", count="1")
    assert answer is not None and answer["response_action"] == "update"
    shown = json.dumps(answer["view"])
    assert "/invite @dwsbot" in shown and "Add 1 node to cluster reporting" in shown
    assert "G0SECRET" not in bot.slack.messages


async def test_the_parameter_select_lists_the_clusters_parameters(bot: Bot) -> None:
    view = await bot.form("params set reporting")
    payload = {
        "type": "block_suggestion",
        "user": {"id": ALICE.id, "username": "alice", "name": "alice", "team_id": "T0TEST"},
        "team": {"id": "T0TEST", "domain": "dwsbot-test"},
        "api_app_id": "A0TEST",
        "token": "fake-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "action_id": PARAM_ACTION,
        "block_id": "name",
        "value": "MAX_CONN",
        "view": {**view, "state": {"values": form_state(view, {})}},
    }
    answer = await bot.interact(payload)
    assert answer.status_code == 200
    options = answer.json()["options"]
    assert [o["value"] for o in options] == ["max_connections"]

    refused = await bot.submit(view, name="max_connections", value="lots")
    assert refused is not None and list(refused["errors"]) == ["value"]
    assert "whole number from 10 to 262143" in refused["errors"]["value"]
    assert await bot.submit(view, name="max_connections", value="800") is None
    assert bot.approvals()[0][1] == "/dws params set reporting max_connections 800"


async def test_a_failover_needs_the_dr_name_typed_again(bot: Bot) -> None:
    view = await bot.form("dr failover")
    refused = await bot.submit(view, dr="prod-dw-dr", confirm="prod-dw")
    assert refused is not None and list(refused["errors"]) == ["confirm"]
    assert await bot.submit(view, dr="prod-dw-dr", confirm="prod-dw-dr") is None
    assert bot.approvals()[0][1:] == ("/dws dr failover prod-dw-dr", "pending")


async def test_a_generated_password_is_shown_once_to_the_requester_and_nowhere_else(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cluster = bot.cluster("reporting")
    before = cluster.password_set
    view = await bot.form("reset-password reporting")
    said = json.dumps(view)
    assert "Slack has no masked input" in said and GENERATE in said
    answer = await bot.submit(view, answers={GENERATE: True})
    assert answer is not None and answer["response_action"] == "update"
    shown = answer["view"]
    password = shown["blocks"][1]["text"]["text"]
    assert len(password) >= 12 and "submit" not in shown
    assert bot.approvals()[0][1:] == ("/dws reset-password reporting", "pending")

    await bot.approve()
    await bot.slack.wait_for(lambda: cluster.password_set != before)  # DWS got it
    await bot.settled()
    assert password not in json.dumps([c.args for c in bot.slack.calls])
    assert password not in json.dumps([c.response for c in bot.slack.calls])
    assert password not in caplog.text
    assert password not in bot.everything_stored()


async def test_a_typed_password_reaches_the_command_and_nothing_else(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    typed = "Typed-Secret-Pass-42"
    view = await bot.form("reset-password")
    refused = await bot.submit(view, cluster="reporting", answers={PASSWORD_BLOCK: "weak"})
    assert refused is not None and list(refused["errors"]) == [PASSWORD_BLOCK]
    assert await bot.submit(view, cluster="reporting", answers={PASSWORD_BLOCK: typed}) is None
    cluster = bot.cluster("reporting")
    before = cluster.password_set
    await bot.approve()
    await bot.slack.wait_for(lambda: cluster.password_set != before)
    await bot.settled()
    assert typed not in json.dumps([[c.args, c.response] for c in bot.slack.calls])
    assert typed not in caplog.text
    assert typed not in bot.everything_stored()


async def test_a_form_that_cannot_be_opened_says_so(bot: Bot) -> None:
    bot.slack.fail_next("views.open", error="expired_trigger_id")
    await bot.command("snapshot restore before-upgrade")
    [said] = await bot.slack.wait_for(lambda: bot.slack.ephemeral)
    text = json.dumps(said)
    assert "expired_trigger_id" in text and "/dws snapshot restore" in text


async def test_after_closing_an_answer_the_channel_refuses_goes_to_a_direct_message(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(on_view, "ANSWER_WITHIN_S", 0.0)
    bot.slack.set_channel("G0SECRET", "secret", private=True, member=False)
    view = await bot.form("snapshot create", channel="G0SECRET")
    assert await bot.submit(view, cluster="no-such-cluster") is None
    [call] = await bot.slack.wait_for(
        lambda: [c for c in bot.slack.calls_to("chat.postMessage") if c.response.get("ok")]
    )
    assert call.args["channel"] == ALICE.id
    said = json.dumps(call.args)
    assert "/invite @dwsbot" in said and "no-such-cluster" in said
    assert bot.slack.ephemeral == []


async def test_a_form_dwsbot_no_longer_knows_is_said_to_be_out_of_date(bot: Bot) -> None:
    view = await bot.form("add-nodes")
    stale = {**view, "private_metadata": json.dumps({"channel": CHANNEL, "command": "gone"})}
    answer = await bot.submit(stale, cluster="reporting", count="1")
    assert answer is not None and answer["response_action"] == "update"
    assert "out of date" in json.dumps(answer["view"])
    assert bot.approvals() == []

"""The forms end to end: the real bolt app of `dwsbot serve --http` (bot.slack.service, the
runtime on the embedded simulator, SQLite in tmp_path) driven by signed slash commands,
view_submission and block_suggestion requests over httpx.ASGITransport, with the Web API on
the fake Slack. Demo policy: alice and bob operators, carol admin, victor viewer."""

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

from bot.settings import load_settings
from bot.slack import on_view
from bot.slack.modals import GENERATE, PARAM_ACTION, SECRET
from bot.slack.server import create_server
from bot.slack.service import SlackService, open_service
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack

SIGNING_SECRET = "form-test-signing-secret"
PASSWORD_BLOCK = SECRET + "password"
CHANNEL = "C0OPS"
USERS = ("alice", "bob", "carol", "victor")


@dataclass
class Bot:
    """A running service and the fake Slack it talks to."""

    service: SlackService
    http: httpx.AsyncClient
    slack: FakeSlack
    db_path: Path

    async def command(self, text: str, user: str = "alice", channel: str = CHANNEL) -> str:
        """Type ``/dws <text>``; the trigger_id sent with it."""
        trigger = self.slack.trigger_id()
        fields = payloads.slash_command(
            text=text,
            user_id=user,
            user_name=user,
            channel_id=channel,
            channel_name=channel.lower(),
            response_url=self.slack.response_url(channel, user=user),
            trigger_id=trigger,
        )
        body, headers = payloads.signed_command(fields, secret=SIGNING_SECRET)
        answer = await self.http.post("/slack/events", content=body, headers=headers)
        assert answer.status_code == 200
        return trigger

    async def form(self, text: str, user: str = "alice", channel: str = CHANNEL) -> dict:
        """Type ``/dws <text>`` and wait for the modal it opens."""
        trigger = await self.command(text, user, channel)
        call = await self.slack.wait_for(
            lambda: next(
                (c for c in self.slack.calls_to("views.open") if c.args["trigger_id"] == trigger),
                None,
            )
        )
        assert call.response["ok"], call.response
        return dict(call.response["view"])

    async def interact(self, payload: dict[str, Any]) -> httpx.Response:
        body, headers = payloads.signed_interactive(payload, secret=SIGNING_SECRET)
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def submit(
        self, view: dict, *, user: str = "alice", answers: dict[str, Any] | None = None, **more: str
    ) -> dict | None:
        """Submit the modal with ``answers`` and ``more`` (block_id → value); the ack's JSON
        (None: the modal closes)."""
        payload = payloads.view_submission(
            view=view,
            values=state(view, {**(answers or {}), **more}),
            user_id=user,
            user_name=user,
            trigger_id=self.slack.trigger_id(),
        )
        answer = await self.interact(payload)
        assert answer.status_code == 200, answer.text
        return answer.json() if answer.content else None

    def approvals(self) -> list[tuple[str, ...]]:
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            return db.execute("select requester_id, command_text, status from approvals").fetchall()

    def everything_stored(self) -> str:
        """The text of every row of every table."""
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
            return "\n".join(repr(db.execute(f'select * from "{t}"').fetchall()) for t in tables)


def state(view: dict, answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The view's state as Slack submits it: ``answers``, else the inputs' prefills."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind, action = element["type"], element["action_id"]
        initial = element.get("initial_value") or (element.get("initial_option") or {}).get("value")
        answer = answers.get(block["block_id"], initial)
        if kind in ("static_select", "external_select"):
            item = payloads.static_select(answer, answer) if answer else {"selected_option": None}
            item["type"] = kind
        elif kind == "checkboxes":
            item = {"type": kind, "selected_options": element["options"][:1] if answer else []}
        else:
            item = {"type": kind, "value": None if answer is None else str(answer)}
        values[block["block_id"]] = {action: item}
    return values


@pytest.fixture
async def bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Bot]:
    # Slack's 3 s are not raced here: a submission is answered in the modal once the command
    # has answered, however slow the machine (the ack closing first has its own test).
    monkeypatch.setattr(on_view, "ANSWER_WITHIN_S", 60.0)
    monkeypatch.setattr(on_view, "LOOKUP_WITHIN_S", 60.0)
    async with FakeSlack() as slack:
        slack.set_channel(CHANNEL, "ops")
        for user in USERS:
            slack.add_user(user, user)
        db_path = tmp_path / "bot.db"
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.bot_token)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        monkeypatch.setenv("DWSBOT_SLACK_API_URL", slack.api_url)
        monkeypatch.setenv("DWSBOT_DATABASE_URL", f"sqlite:///{db_path}")
        async with open_service(load_settings(), mode="http") as service:
            transport = httpx.ASGITransport(app=create_server(service))
            async with httpx.AsyncClient(transport=transport, base_url="http://dwsbot") as http:
                yield Bot(service, http, slack, db_path)


async def settled(bot: Bot) -> None:
    """Wait until the work after the acks is done."""
    await bot.slack.wait_for(lambda: len(bot.service.bot.tasks) == 0)


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
    await settled(bot)
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
    assert (requester, text, status) == ("alice", "/dws add-nodes reporting 2", "pending")
    [message] = bot.slack.messages[CHANNEL].values()
    said = json.dumps(message)
    assert "Add 2 nodes to cluster reporting" in said
    assert '"action_id": "approve"' in said

    assert await bot.submit(view, count="2") is None  # delivered again: handled once
    await settled(bot)
    assert len(bot.approvals()) == 1 and len(bot.slack.messages[CHANNEL]) == 1


async def test_a_viewer_gets_the_policys_sentence_not_a_form(bot: Bot) -> None:
    await bot.command("add-nodes", user="victor")
    await bot.slack.wait_for(lambda: bot.slack.ephemeral)
    await settled(bot)
    assert bot.slack.calls_to("views.open") == []
    said = json.dumps(bot.slack.ephemeral)
    assert "Not allowed" in said and "operator" in said and "Traceback" not in said


async def test_a_refusal_known_before_closing_is_said_in_the_modal(bot: Bot) -> None:
    view = await bot.form("add-nodes")
    answer = await bot.submit(view, user="victor", cluster="reporting", count="1")
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
    assert (said["channel"], said["user"], said["via"]) == (CHANNEL, "alice", "chat.postEphemeral")
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
        "user": {"id": "alice", "username": "alice", "name": "alice", "team_id": "T0TEST"},
        "team": {"id": "T0TEST", "domain": "dwsbot-test"},
        "api_app_id": "A0TEST",
        "token": "fake-verification-token",
        "container": {"type": "view", "view_id": view["id"]},
        "action_id": PARAM_ACTION,
        "block_id": "name",
        "value": "MAX_CONN",
        "view": {**view, "state": {"values": state(view, {})}},
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


async def approve(bot: Bot, approver: str = "bob") -> None:
    [message] = bot.slack.messages[CHANNEL].values()
    [(approval_id,)] = _ids(bot)
    payload = payloads.block_actions(
        action_id="approve",
        value=approval_id,
        user_id=approver,
        user_name=approver,
        channel_id=CHANNEL,
        channel_name="ops",
        response_url=bot.slack.response_url(CHANNEL, message_ts=message["ts"]),
        trigger_id=bot.slack.trigger_id(),
        message=message,
    )
    assert (await bot.interact(payload)).status_code == 200


def _ids(bot: Bot) -> list[tuple[str]]:
    with contextlib.closing(sqlite3.connect(bot.db_path)) as db:
        return db.execute("select id from approvals").fetchall()


async def test_a_generated_password_is_shown_once_to_the_requester_and_nowhere_else(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cluster = next(
        c for c in bot.service.runtime.simulator.clusters.values() if c.name == "reporting"
    )
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

    await approve(bot)
    await bot.slack.wait_for(lambda: cluster.password_set != before)  # DWS got it
    await settled(bot)
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
    cluster = next(
        c for c in bot.service.runtime.simulator.clusters.values() if c.name == "reporting"
    )
    before = cluster.password_set
    await approve(bot)
    await bot.slack.wait_for(lambda: cluster.password_set != before)
    await settled(bot)
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
    assert call.args["channel"] == "alice"
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

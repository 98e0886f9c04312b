"""The payload builders, proven with slack_sdk's SignatureVerifier and a real bolt AsyncApp that
talks to the fake Slack: over HTTP (signed requests) and over Socket Mode (envelopes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import parse_qs, parse_qsl

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack

SECRET = "fake-signing-secret"
APPROVE = {
    "type": "actions",
    "block_id": "approval",
    "elements": [
        {
            "type": "button",
            "action_id": "approve",
            "value": "a-17",
            "text": {"type": "plain_text", "text": "Approve", "emoji": True},
        }
    ],
}


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        fake.set_channel("C1", "ops")
        fake.add_user("U1", "alice")
        yield fake


def command(slack: FakeSlack, text: str = "clusters") -> dict[str, str]:
    return payloads.slash_command(
        text=text,
        user_id="U1",
        user_name="alice",
        channel_id="C1",
        channel_name="ops",
        response_url=slack.response_url("C1", user="U1"),
        trigger_id=slack.trigger_id(),
    )


def bolt(slack: FakeSlack) -> AsyncApp:
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    return AsyncApp(client=client, signing_secret=SECRET)


async def dispatch(app: AsyncApp, signed: payloads.SignedRequest):
    headers: dict[str, str | Sequence[str]] = dict(signed.headers)
    request = AsyncBoltRequest(body=signed.body.decode(), headers=headers)
    return await app.async_dispatch(request)


def test_a_signed_slash_command_verifies_and_forged_ones_do_not(slack):
    fields = command(slack)
    body, headers = payloads.signed_command(fields, secret=SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert [key for key, _ in parse_qsl(body.decode())] == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    assert dict(parse_qsl(body.decode())) == fields
    assert verifier.is_valid_request(*payloads.signed_command(fields, secret=SECRET, age=290))
    assert not verifier.is_valid_request(*payloads.signed_command(fields, secret=SECRET, age=301))
    assert not verifier.is_valid_request(*payloads.signed_command(fields, secret="another"))
    for header in (payloads.SIGNATURE, payloads.TIMESTAMP):
        forged = payloads.signed_command(fields, secret=SECRET, omit=[header])
        assert header not in forged.headers and not verifier.is_valid_request(*forged)


def test_interactions_and_events_are_encoded_as_slack_sends_them(slack):
    message = {"type": "message", "ts": "1733212345.000100", "text": "?", "blocks": [APPROVE]}
    click = payloads.block_actions(
        action_id="approve",
        value="a-17",
        user_id="U1",
        user_name="alice",
        channel_id="C1",
        channel_name="ops",
        response_url=slack.response_url("C1", message_ts=message["ts"]),
        trigger_id=slack.trigger_id(),
        message=message,
    )
    body, headers = payloads.signed_interactive(click, secret=SECRET)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert json.loads(parse_qs(body.decode())["payload"][0]) == click
    (action,) = click["actions"]
    assert (action["block_id"], action["text"]["text"]) == ("approval", "Approve")
    assert click["container"] == {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    event = payloads.event_callback(payloads.app_home_opened("U1", "D1"))
    body, headers = payloads.signed_event(event, secret=SECRET, retry_num=2)
    assert json.loads(body) == event and headers["Content-Type"] == "application/json"
    assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("2", "http_timeout")


async def test_bolt_answers_a_signed_command_and_its_respond_lands_on_the_fake(slack):
    app = bolt(slack)

    @app.command("/dws")
    async def dws(ack, respond, command):
        await ack()
        await respond(f"you asked for {command['text']}")

    answer = await dispatch(app, payloads.signed_command(command(slack), secret=SECRET))
    assert answer.status == 200
    await slack.wait_for(lambda: slack.calls_to("response_url"))
    assert [e["text"] for e in slack.ephemeral] == ["you asked for clusters"]
    stale = payloads.signed_command(command(slack), secret=SECRET, age=301)
    assert (await dispatch(app, stale)).status == 401


async def test_bolt_reads_a_click_on_a_stored_message_and_edits_it(slack):
    app = bolt(slack)
    posted = await app.client.chat_postMessage(channel="C1", text="approve?", blocks=[APPROVE])

    @app.action("approve")
    async def approve(ack, respond, action):
        await ack()
        await respond(text=f"approved {action['value']}", replace_original=True)

    click = payloads.block_actions(
        action_id="approve",
        value="a-17",
        user_id="U1",
        user_name="alice",
        channel_id="C1",
        channel_name="ops",
        response_url=slack.response_url("C1", user="U1", message_ts=posted["ts"]),
        trigger_id=slack.trigger_id(),
        message=slack.messages["C1"][posted["ts"]],
    )
    assert (await dispatch(app, payloads.signed_interactive(click, secret=SECRET))).status == 200
    await slack.wait_for(lambda: len(slack.history("C1", posted["ts"])) == 2)
    assert slack.messages["C1"][posted["ts"]]["text"] == "approved a-17"


async def test_bolt_receives_events_with_their_retry_headers(slack):
    app = bolt(slack)
    retries = []

    @app.event("app_home_opened")
    async def home(ack, event, request, client):
        await ack()
        retries.append(request.headers.get("x-slack-retry-num"))
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    event = payloads.event_callback(payloads.app_home_opened("U1", "D1"))
    answer = await dispatch(app, payloads.signed_event(event, secret=SECRET, retry_num=1))
    assert answer.status == 200
    await slack.wait_for(lambda: "U1" in slack.home)
    assert retries == [["1"]]
    challenge = payloads.signed_event(payloads.url_verification("c-42"), secret=SECRET)
    assert json.loads((await dispatch(app, challenge)).body) == {"challenge": "c-42"}


async def test_bolt_over_socket_mode_acks_commands_views_and_events(slack):
    app = bolt(slack)
    modal = {"type": "modal", "callback_id": "reset", "title": {"type": "plain_text", "text": "R"}}
    view = (await app.client.views_open(trigger_id=slack.trigger_id(), view=modal))["view"]

    @app.command("/dws")
    async def dws(ack, command):
        await ack(f"looking up {command['text']}")

    retries = []

    @app.event("app_home_opened")
    async def home(ack, request):
        await ack()
        retries.append([request.headers[f"x-slack-retry-{h}"] for h in ("num", "reason")])

    @app.view("reset")
    async def reset(ack, view):
        values = view["state"]["values"]
        chosen = values["cluster"]["pick"]["selected_option"]["value"]
        await ack(
            response_action="errors", errors={"pw": f"{chosen}: {values['pw']['in']['value']}"}
        )

    submission = payloads.view_submission(
        view=view,
        values={
            "pw": {"in": payloads.text_input("too short")},
            "cluster": {"pick": payloads.static_select("c-1", "prod-dw")},
        },
        user_id="U1",
        user_name="alice",
        trigger_id=slack.trigger_id(),
    )
    handler = AsyncSocketModeHandler(app, slack.app_token)
    await handler.connect_async()
    try:
        envelope = payloads.command_envelope(command(slack, "events"))
        await slack.socket_send(envelope)
        assert await slack.socket_ack(envelope["envelope_id"]) == {"text": "looking up events"}
        envelope = payloads.interactive_envelope(submission)
        await slack.socket_send(envelope)
        assert await slack.socket_ack(envelope["envelope_id"]) == {
            "response_action": "errors",
            "errors": {"pw": "c-1: too short"},
        }
        event = payloads.event_callback(payloads.app_home_opened("U1", "D1"))
        envelope = payloads.event_envelope(event, retry_attempt=2, retry_reason="timeout")
        await slack.socket_send(envelope)
        assert await slack.socket_ack(envelope["envelope_id"]) is None
        await slack.wait_for(lambda: retries)
        assert retries == [[["2"], ["timeout"]]]
    finally:
        await handler.close_async()

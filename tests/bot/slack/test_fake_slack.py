"""The fake Slack, proven with the real clients: slack_sdk's AsyncWebClient (with its 429 retry
handler), AsyncWebhookClient (what bolt's respond() uses) and aiohttp SocketModeClient."""

from __future__ import annotations

import asyncio
import json
import random
import re

import httpx
import pytest
from aiohttp import ClientSession, WSServerHandshakeError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import FakeSlack

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*restart* prod-dw"}}
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Reset password"}, "blocks": []}


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        fake.set_channel("C1", "ops")
        fake.add_user("U1", "alice", real_name="Alice Example", display_name="ali")
        yield fake


def web(slack: FakeSlack, token: str | None = "bot", **kw) -> AsyncWebClient:
    token = {"bot": slack.bot_token, "app": slack.app_token}.get(token or "", token)
    return AsyncWebClient(token=token, base_url=slack.api_url, **kw)


async def error_of(call) -> str:
    with pytest.raises(SlackApiError) as failed:
        await call
    return failed.value.response["error"]


async def test_a_message_is_posted_then_updated_and_every_version_kept(slack):
    client = web(slack)
    posted = await client.chat_postMessage(channel="C1", text="v1", blocks=[SECTION])
    ts = posted["ts"]
    assert re.fullmatch(r"\d{10}\.\d{6}", ts) and posted["channel"] == "C1"
    updated = await client.chat_update(channel="C1", ts=ts, text="v2")  # blocks are kept
    reply = await client.chat_postMessage(channel="C1", text="done", thread_ts=ts)
    assert updated["message"]["text"] == "v2" and reply["ts"] > ts
    stored = slack.messages["C1"][ts]
    assert stored["blocks"][0]["text"] == SECTION["text"] and stored["blocks"][0]["block_id"]
    assert [v["text"] for v in slack.history("C1", ts)] == ["v1", "v2"]
    assert stored["replies"] == [{"user": "U0BOT", "ts": reply["ts"]}]
    assert slack.messages["C1"][reply["ts"]]["thread_ts"] == ts
    post, update = "chat.postMessage", "chat.update"
    assert [c.method for c in slack.calls] == [post, update, post]


async def test_an_update_before_its_message_exists_is_message_not_found(slack):
    client = web(slack)
    missing = client.chat_update(channel="C1", ts="1733212345.000100", text="x")
    assert await error_of(missing) == "message_not_found"
    assert slack.calls[-1].response == {"ok": False, "error": "message_not_found"}
    assert await error_of(client.chat_update(channel="C1", ts="", text="x")) == "message_not_found"


async def test_messages_are_refused_as_slack_refuses_them(slack):
    client = web(slack)
    empty = client.api_call("chat.postMessage", json={"channel": "C1", "blocks": []})
    assert await error_of(empty) == "no_text"
    assert await error_of(client.chat_postMessage(channel="", text="x")) == "channel_not_found"
    with pytest.raises(SlackApiError) as failed:
        await client.chat_postMessage(channel="C1", text="x", blocks=[SECTION] * 51)
    assert failed.value.response["error"] == "invalid_blocks"
    assert failed.value.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]
    long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as failed:
        await client.chat_postMessage(channel="C1", text="x", blocks=[long])
    assert "/blocks/0/text/text" in failed.value.response["response_metadata"]["messages"][0]
    twice = [{"type": "divider", "block_id": "d"}, {"type": "divider", "block_id": "d"}]
    duplicate = client.chat_postMessage(channel="C1", text="x", blocks=twice)
    assert await error_of(duplicate) == "invalid_blocks"
    unknown_thread = client.chat_postMessage(channel="C1", text="x", thread_ts="1.000001")
    assert await error_of(unknown_thread) == "thread_not_found"
    assert slack.messages == {}


def button(**fields):
    return {
        "type": "button",
        "action_id": "a",
        "text": {"type": "plain_text", "text": "A"},
    } | fields


def text(kind: str, n: int) -> dict:
    return {"type": kind, "text": "x" * n}


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        ({"type": "header", "text": text("plain_text", 151)}, "/blocks/0/text/text"),
        ({"type": "section", "fields": [text("mrkdwn", 1)] * 11}, "/blocks/0/fields"),
        ({"type": "section", "fields": [text("mrkdwn", 2001)]}, "/blocks/0/fields/0/text"),
        ({"type": "context", "elements": [text("mrkdwn", 1)] * 11}, "/blocks/0/elements"),
        ({"type": "actions", "elements": [button()] * 26}, "/blocks/0/elements"),
        ({"type": "actions", "elements": [button(value="v" * 2001)]}, "/blocks/0/elements/0/value"),
        (
            {"type": "actions", "elements": [button(action_id="a" * 256)]},
            "/blocks/0/elements/0/action_id",
        ),
        (
            {
                "type": "section",
                "text": text("mrkdwn", 1),
                "accessory": button(text=text("plain_text", 76)),
            },
            "/blocks/0/accessory/text/text",
        ),
        ({"type": "markdown", "text": "x" * 12001}, "/blocks/0/text"),
        ({"type": "table", "rows": [[{"type": "raw_text", "text": "1"}]] * 101}, "/blocks/0/rows"),
        ({"type": "table", "rows": [[{"type": "raw_text", "text": "1"}] * 21]}, "/blocks/0/rows/0"),
        ({"type": "divider", "block_id": "b" * 256}, "/blocks/0/block_id"),
        ({"text": "no type"}, "/blocks/0"),
    ],
)
async def test_block_kit_limits_are_refused_with_slacks_pointer(slack, block, pointer):
    with pytest.raises(SlackApiError) as failed:
        await web(slack).chat_postMessage(channel="C1", text="x", blocks=[block])
    assert failed.value.response["error"] == "invalid_blocks"
    (message,) = failed.value.response["response_metadata"]["messages"]
    assert message.endswith(f"[json-pointer:{pointer}]") and slack.messages == {}


async def test_a_429_is_honoured_by_the_rate_limit_retry_handler(slack):
    handler = AsyncRateLimitErrorRetryHandler(max_retry_count=1)
    client = web(slack, retry_handlers=[handler])
    ts = (await client.chat_postMessage(channel="C1", text="v1"))["ts"]
    slack.rate_limit("chat.update", retry_after=0)
    await client.chat_update(channel="C1", ts=ts, text="v2")
    calls = slack.calls_to("chat.update")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}
    assert slack.messages["C1"][ts]["text"] == "v2"
    slack.rate_limit("chat.update", retry_after=30)
    with pytest.raises(SlackApiError) as failed:  # no retry handler: the 429 reaches the caller
        await web(slack).chat_update(channel="C1", ts=ts, text="v3")
    assert failed.value.response.status_code == 429
    assert failed.value.response.headers["Retry-After"] == "30"


async def test_a_held_method_answers_once_released(slack):
    held = slack.hold("users.info")
    call = asyncio.create_task(web(slack).users_info(user="U1"))
    await slack.wait_for(lambda: held.waiting)
    assert not call.done() and slack.calls_to("users.info") == []
    assert (await web(slack).auth_test())["ok"]  # other methods are not held
    held.release()
    assert (await call)["user"]["name"] == "alice"
    assert [c.status for c in slack.calls_to("users.info")] == [200]


async def test_channels_the_bot_is_not_in_answer_like_slack(slack):
    client = web(slack)
    slack.set_channel("C2", "public", member=False)
    slack.set_channel("G1", "private", private=True, member=False)
    slack.set_channel("C3", "old", archived=True)
    assert await error_of(client.chat_postMessage(channel="C2", text="x")) == "not_in_channel"
    assert await error_of(client.chat_postMessage(channel="G1", text="x")) == "channel_not_found"
    assert await error_of(client.chat_postMessage(channel="C404", text="x")) == "channel_not_found"
    assert await error_of(client.chat_postMessage(channel="C3", text="x")) == "is_archived"
    assert await error_of(client.conversations_info(channel="G1")) == "channel_not_found"
    assert (await client.conversations_info(channel="C2"))["channel"]["is_member"] is False
    dm = await client.chat_postMessage(channel="U1", text="your restart is done")
    assert dm["channel"].startswith("D") and slack.messages[dm["channel"]]
    slack.fail_next("chat.postMessage", error="not_in_channel")
    assert await error_of(client.chat_postMessage(channel="C1", text="x")) == "not_in_channel"
    assert (await client.chat_postMessage(channel="C1", text="x"))["ok"]


async def test_ephemeral_messages_need_a_user_in_the_channel(slack):
    client = web(slack)
    answer = await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert slack.ephemeral == [
        {"channel": "C1", "user": "U1", "ts": answer["message_ts"], "via": "chat.postEphemeral"}
        | {"text": "only you"}
    ]
    slack.set_channel("C2", "small", members={"U0BOT"})
    ephemeral = client.chat_postEphemeral(channel="C2", user="U1", text="x")
    assert await error_of(ephemeral) == "user_not_in_channel"


async def test_json_form_and_query_arguments_are_read_by_content_type(slack):
    client = web(slack)
    await client.chat_postMessage(channel="C1", text="json")
    blocks = json.dumps([SECTION])
    await client.api_call(
        "chat.postMessage", data={"channel": "C1", "text": "form", "blocks": blocks}
    )
    await client.users_info(user="U1")  # GET, arguments in the query string
    json_call, form_call, query_call = slack.calls
    assert json_call.headers["Content-Type"].startswith("application/json")
    assert form_call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_call.args["blocks"] == blocks and query_call.args == {"user": "U1"}
    texts = {m["text"]: m for m in slack.messages["C1"].values()}
    assert texts["form"]["blocks"][0]["text"] == SECTION["text"]
    async with httpx.AsyncClient(base_url=slack.api_url) as raw:
        form_token = {"token": slack.bot_token, "channel": "C1", "text": "t"}
        assert (await raw.post("chat.postMessage", data=form_token)).json()["ok"]
        json_token = await raw.post("chat.postMessage", json=form_token)  # needs the header
        assert json_token.json() == {"ok": False, "error": "not_authed"}
        bad = await raw.post(
            "auth.test", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert bad.json() == {"ok": False, "error": "invalid_json"}


async def test_tokens_are_checked_on_every_call(slack):
    assert await error_of(web(slack, "xoxb-wrong").auth_test()) == "invalid_auth"
    assert await error_of(web(slack, None).auth_test()) == "not_authed"
    app_token = web(slack, "app").chat_postMessage(channel="C1", text="x")
    assert await error_of(app_token) == "not_allowed_token_type"
    connections = web(slack).apps_connections_open(app_token=slack.bot_token)
    assert await error_of(connections) == "not_allowed_token_type"
    assert await error_of(web(slack).api_call("chat.flyToMoon")) == "unknown_method"
    assert (await web(slack).auth_test())["user_id"] == "U0BOT"
    assert slack.messages == {}


async def test_modals_open_once_with_a_fresh_trigger_and_home_views_are_kept_per_user():
    now = [1_733_212_345.0]
    async with FakeSlack(clock=lambda: now[0]) as slack:
        slack.add_user("U1", "alice")
        client = web(slack)
        trigger = slack.trigger_id()
        view = (await client.views_open(trigger_id=trigger, view=MODAL))["view"]
        assert slack.views[view["id"]]["title"] == MODAL["title"]
        assert (
            await error_of(client.views_open(trigger_id=trigger, view=MODAL))
            == "exchanged_trigger_id"
        )
        assert (
            await error_of(client.views_open(trigger_id="1.2.3", view=MODAL))
            == "invalid_trigger_id"
        )
        late = slack.trigger_id()
        now[0] += 3.5
        assert (
            await error_of(client.views_open(trigger_id=late, view=MODAL)) == "expired_trigger_id"
        )
        stale = client.views_update(view_id=view["id"], view=MODAL, hash="0.stale")
        assert await error_of(stale) == "hash_conflict"
        new = {**MODAL, "private_metadata": "a1"}
        updated = await client.views_update(view_id=view["id"], view=new, hash=view["hash"])
        assert updated["view"]["id"] == view["id"] and updated["view"]["hash"] != view["hash"]
        by_external_id = {**MODAL, "external_id": "reset-a17"}
        opened = await client.views_open(trigger_id=slack.trigger_id(), view=by_external_id)
        found = await client.views_update(external_id="reset-a17", view=by_external_id)
        assert found["view"]["id"] == opened["view"]["id"] != view["id"]
        assert await error_of(client.views_update(external_id="nope", view=MODAL)) == "not_found"
        home = {"type": "home", "blocks": [SECTION]}
        published = (await client.views_publish(user_id="U1", view=home))["view"]
        assert slack.home["U1"] == published and published["blocks"][0]["text"] == SECTION["text"]
        assert await error_of(client.views_publish(user_id="U9", view=home)) == "invalid_arguments"
        long_title = {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}
        refused = client.views_open(trigger_id=slack.trigger_id(), view=long_title)
        assert await error_of(refused) == "invalid_arguments"


async def test_users_and_user_groups(slack):
    slack.add_usergroup("S1", "dba", ["U1"], name="DBAs")
    client = web(slack)
    user = (await client.users_info(user="U1"))["user"]
    assert user == slack.users["U1"] and slack.usergroups["S1"]["user_count"] == 1
    assert (user["name"], user["real_name"], user["profile"]["display_name"]) == (
        "alice",
        "Alice Example",
        "ali",
    )
    assert await error_of(client.users_info(user="U9")) == "user_not_found"
    with_users = (await client.usergroups_list(include_users=True))["usergroups"]
    assert [(g["id"], g["handle"], g["users"]) for g in with_users] == [("S1", "dba", ["U1"])]
    assert "users" not in (await client.usergroups_list())["usergroups"][0]
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1"]
    assert await error_of(client.usergroups_users_list(usergroup="S9")) == "no_such_subteam"


async def test_a_response_url_posts_edits_and_is_spent_after_five_posts(slack):
    hook = AsyncWebhookClient(slack.response_url("C1", user="U1"))
    first = await hook.send(text="working", response_type="in_channel")
    assert (first.status_code, first.body) == (200, "ok")
    (ts,) = slack.messages["C1"]
    await hook.send(text="done", replace_original=True)  # the message this URL made
    assert [v["text"] for v in slack.history("C1", ts)] == ["working", "done"]
    for n in range(3):
        await hook.send(text=f"note {n}")
    assert [e["text"] for e in slack.ephemeral if e["via"] == "response_url"] == [
        "note 0",
        "note 1",
        "note 2",
    ]
    sixth = await hook.send(text="too many")
    assert (sixth.status_code, sixth.body) == (404, "expired_url")
    assert [c.status for c in slack.calls_to("response_url")] == [200] * 5 + [404]
    posted = await web(slack).chat_postMessage(channel="C1", text="approve?")
    click = AsyncWebhookClient(slack.response_url("C1", user="U1", message_ts=posted["ts"]))
    assert (await click.send(text="", delete_original=True)).status_code == 200
    assert posted["ts"] not in slack.messages["C1"]
    assert slack.history("C1", posted["ts"])[-1]["deleted"] is True
    assert (await click.send(text="")).body == "no_text"


def socket_client(slack: FakeSlack, **kw) -> SocketModeClient:
    return SocketModeClient(
        slack.app_token, web_client=AsyncWebClient(base_url=slack.api_url), **kw
    )


async def test_socket_mode_says_hello_delivers_an_envelope_and_records_its_ack(slack):
    client = socket_client(slack)
    seen, requests = [], []

    async def on_message(_client, message, _raw):
        seen.append(message)

    async def on_request(client, request):
        requests.append(request)
        ack = SocketModeResponse(envelope_id=request.envelope_id, payload={"text": "on it"})
        await client.send_socket_mode_response(ack)

    client.message_listeners.append(on_message)
    client.socket_mode_request_listeners.append(on_request)
    await client.connect()
    try:
        await slack.wait_for(lambda: seen)
        assert seen[0]["type"] == "hello" and seen[0]["num_connections"] == 1
        fields = payloads.slash_command(
            text="clusters",
            user_id="U1",
            user_name="alice",
            channel_id="C1",
            channel_name="ops",
            response_url=slack.response_url("C1"),
            trigger_id=slack.trigger_id(),
        )
        envelope = payloads.command_envelope(fields)
        await slack.socket_send(envelope)
        assert await slack.socket_ack(envelope["envelope_id"]) == {"text": "on it"}
        assert requests[0].payload == fields and requests[0].accepts_response_payload
    finally:
        await client.close()


async def test_a_disconnect_or_a_half_open_socket_makes_the_client_reconnect(slack):
    client = socket_client(slack, ping_interval=0.5)
    await client.connect()
    try:
        await slack.wait_for(lambda: slack.socket_open)
        await slack.socket_disconnect()
        await slack.wait_for(lambda: [c.id for c in slack.socket_open] == [2])
        assert len(slack.calls_to("apps.connections.open")) == 2
        slack.socket_stop_pongs()  # connection 2 stays up but goes quiet
        await slack.wait_for(lambda: [c.id for c in slack.socket_open] == [3])
        assert slack.socket_connections[1].pings > 0
    finally:
        await client.close()


class Pick(random.Random):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def choice(self, seq):
        return seq[self.index]


@pytest.mark.parametrize("index", [0, 1])
async def test_an_envelope_goes_to_the_connection_the_random_choice_picks(index):
    async with FakeSlack(rng=Pick(index)) as slack:
        clients = [socket_client(slack), socket_client(slack)]
        for client in clients:
            await client.connect()
        try:
            await slack.wait_for(lambda: len(slack.socket_open) == 2)
            envelope = payloads.event_envelope(payloads.event_callback({"type": "app_mention"}))
            picked, other = slack.socket_open[index], slack.socket_open[1 - index]
            assert await slack.socket_send(envelope) == picked.id
            assert envelope in picked.sent and envelope not in other.sent
        finally:
            for client in clients:
                await client.close()


async def test_a_socket_mode_url_opens_one_connection_only(slack):
    url = (await web(slack, "app").apps_connections_open(app_token=slack.app_token))["url"]
    assert url.startswith(slack.base_url.replace("http", "ws") + "/link/?ticket=")
    async with ClientSession() as session, session.ws_connect(url) as ws:
        assert (await ws.receive_json())["type"] == "hello"
        with pytest.raises(WSServerHandshakeError) as refused:
            await session.ws_connect(url)
        assert refused.value.status == 401

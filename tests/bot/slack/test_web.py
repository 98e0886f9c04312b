"""bot.slack.web against a tiny Slack Web API on 127.0.0.1: counts, retries, quiet logs.

The server below answers only what these tests need (a fuller fake Slack lives elsewhere):
``auth.test`` ok, ``chat.postMessage`` ``not_in_channel``, ``chat.update`` 429 once (Retry-After
1) then ok, ``views.open`` always 429 with a Retry-After too long to wait for.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.errors import SlackApiError

import commands.handlers  # noqa: F401  (fills the registry)
from bot.metrics import Metrics
from bot.slack.web import make_web_client
from commands.registry import registry

TOKEN = "xoxb-1111-2222-SeCrEtBoTtOkEn"


@dataclass
class FakeSlack:
    url: str
    calls: list[tuple[str, str]] = field(default_factory=list)
    """(method, Authorization header) of every request received."""


def counts(metrics: Metrics) -> dict[tuple[str, ...], float]:
    body, _ = metrics.render()
    return {
        (s.name, *(f"{k}={v}" for k, v in sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
        if s.name.startswith("dwsbot_slack") and not s.name.endswith("_created")
    }


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    updates = 0

    async def handle(request: web.Request) -> web.Response:
        nonlocal updates
        method = request.match_info["method"]
        fake.calls.append((method, request.headers.get("Authorization", "")))
        await request.read()
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": "U0BOT", "team_id": "T0"})
        if method == "chat.postMessage":
            return web.json_response({"ok": False, "error": "not_in_channel"})
        if method == "chat.update":
            updates += 1
            if updates == 1:
                return _limited(1)
            return web.json_response({"ok": True, "ts": "1.2"})
        if method == "views.open":
            return _limited(60)
        return web.json_response({"ok": False, "error": "unknown_method"})

    app = web.Application()
    app.router.add_post("/api/{method}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fake = FakeSlack(f"http://{host}:{port}/api/")
    try:
        yield fake
    finally:
        await runner.cleanup()


def _limited(retry_after: int) -> web.Response:
    return web.json_response(
        {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}
    )


async def test_calls_are_counted_by_method_and_result_and_429s_retried(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = Metrics(registry)
    client = make_web_client(TOKEN, slack.url, metrics)
    caplog.set_level(logging.DEBUG)
    assert (await client.auth_test())["user_id"] == "U0BOT"
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", text=f"hello {TOKEN}")
    assert (await client.chat_update(channel="C1", ts="1.2", text="edited"))["ok"]
    assert counts(metrics) == {
        ("dwsbot_slack_calls_total", "method=auth.test", "result=ok"): 1,
        ("dwsbot_slack_calls_total", "method=chat.postMessage", "result=not_in_channel"): 1,
        ("dwsbot_slack_calls_total", "method=chat.update", "result=ok"): 1,
        ("dwsbot_slack_ratelimited_total", "method=chat.update"): 1,
    }
    methods = [method for method, _ in slack.calls]
    assert methods == ["auth.test", "chat.postMessage", "chat.update", "chat.update"]
    assert {auth for _, auth in slack.calls} == {f"Bearer {TOKEN}"}  # the token was sent
    assert TOKEN not in caplog.text and "hello" not in caplog.text
    failures = [r for r in caplog.records if r.name == "dwsbot.slack"]
    assert [(r.levelname, r.getMessage()) for r in failures] == [
        ("WARNING", "slack chat.postMessage failed: not_in_channel")
    ]


async def test_a_long_retry_after_is_not_waited_for(slack: FakeSlack) -> None:
    metrics = Metrics(registry)
    client = make_web_client(TOKEN, slack.url, metrics)
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id="1.2.3", view={"type": "modal"})
    assert info.value.response.status_code == 429
    assert [method for method, _ in slack.calls] == ["views.open"]
    found = counts(metrics)
    assert found[("dwsbot_slack_calls_total", "method=views.open", "result=ratelimited")] == 1
    assert found[("dwsbot_slack_ratelimited_total", "method=views.open")] == 1


async def test_an_unreachable_slack_is_a_transport_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    metrics = Metrics(registry)
    client = make_web_client(TOKEN, f"http://127.0.0.1:{port}/api/", metrics)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(OSError):
        await client.auth_test()
    found = counts(metrics)
    assert found[("dwsbot_slack_calls_total", "method=auth.test", "result=transport_error")] == 1
    assert TOKEN not in caplog.text
    [failure] = [r for r in caplog.records if r.name == "dwsbot.slack"]
    assert failure.getMessage() == "slack auth.test failed: ClientConnectorError"


async def test_without_metrics_calls_still_work(slack: FakeSlack) -> None:
    client = make_web_client(TOKEN, slack.url, None)
    assert (await client.auth_test())["ok"]
    with pytest.raises(SlackApiError):
        await client.views_open(trigger_id="1.2.3", view={"type": "modal"})
    assert [method for method, _ in slack.calls] == ["auth.test", "views.open"]

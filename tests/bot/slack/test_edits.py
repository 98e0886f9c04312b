"""The Editor on SQLite and PostgreSQL: newest state wins, per-key order, one shared budget.

Time is virtual (`VirtualTime`): the editor sleeps on it and the test moves it. The 429 case
goes through slack_sdk's real AsyncWebClient to a loopback Slack Web API fake.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.edits import MAX_PAUSE_S, Editor, retry_after
from commands.store import Database
from tests.bot.slack.virtual_time import T0, VirtualTime
from tests.commands.test_execution_lifecycle import until
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind"]

TOKEN = "xoxb-test-token-never-logged"
BUDGET = "slack:chat.update:T1"


@dataclass
class Sent:
    """What the send callables got: (key, state, virtual time) in the order sent."""

    time: VirtualTime
    calls: list[tuple[str, int, datetime]] = field(default_factory=list)

    def send(self, key: str, state: int) -> Callable[[], Any]:
        async def send() -> None:
            self.calls.append((key, state, self.time.now))

        return send

    def states(self, key: str) -> list[int]:
        return [state for k, state, _ in self.calls if k == key]


def editor(db: Database, time: VirtualTime, *, burst: int = 40, rate: float = 40.0) -> Editor:
    return Editor(db, "T1", rate_per_minute=rate, burst=burst, clock=time.clock, sleep=time.sleep)


def within_budget(times: list[datetime], *, burst: int, rate: float) -> bool:
    """No prefix of the sends (in time order) spends more than burst + the refill since T0."""
    ordered = sorted(times)
    return all(
        n + 1 <= burst + rate / 60 * (at - T0).total_seconds() + 1e-6
        for n, at in enumerate(ordered)
    )


async def test_100_states_while_the_budget_is_empty_become_one_send(database: Database) -> None:
    time = VirtualTime()
    async with database.unit_of_work() as uow:  # another replica spent the budget
        for _ in range(40):
            assert await uow.budgets.take(BUDGET, rate_per_minute=40, burst=40, now=T0) == 0.0
    sent, edits = Sent(time), editor(database, time)
    for state in range(100):
        await edits.submit("C1:1733.0001", sent.send("C1:1733.0001", state))
    await until(lambda: time.sleeping == 1)
    assert sent.calls == []
    await time.run_until(lambda: bool(sent.calls))
    assert await edits.flush(5) == 0
    assert [(key, state) for key, state, _ in sent.calls] == [("C1:1733.0001", 99)]
    assert sent.calls[0][2] >= T0 + timedelta(seconds=1.5)
    await edits.aclose()


async def test_a_keys_sends_never_overlap_and_keep_their_order(database: Database) -> None:
    time = VirtualTime()
    edits, got, running, release = editor(database, time), [], set(), asyncio.Event()
    overlapped = False

    def send(key: str, state: int, *, hold: bool = False) -> Callable[[], Any]:
        async def send() -> None:
            nonlocal overlapped
            overlapped = overlapped or key in running
            running.add(key)
            if hold:
                await release.wait()
            got.append((key, state))
            running.discard(key)

        return send

    await edits.submit("A", send("A", 1, hold=True))
    await until(lambda: "A" in running)
    for state in (2, 3, 4):
        await edits.submit("A", send("A", state))
    await edits.submit("B", send("B", 1))
    await until(lambda: ("B", 1) in got)  # another message is not held up behind A
    assert [s for k, s in got if k == "A"] == []
    release.set()
    assert await edits.flush(5) == 0
    assert [s for k, s in got if k == "A"] == [1, 4]
    for state in range(5, 30):  # submissions while sends run: still in order, last one sent
        await edits.submit("A", send("A", state))
        await asyncio.sleep(0)
    assert await edits.flush(5) == 0
    states = [s for k, s in got if k == "A"]
    assert states == sorted(set(states)) and states[-1] == 29
    assert not overlapped
    await edits.aclose()


async def test_the_last_state_of_60_keys_is_sent_40_at_once_then_paced(
    database: Database,
) -> None:
    time = VirtualTime()
    sent, edits = Sent(time), editor(database, time)
    keys = [f"C1:{n:04d}.0001" for n in range(60)]
    for state in range(3):
        for key in keys:
            await edits.submit(key, sent.send(key, state))
    await until(lambda: time.sleeping == 1 and len(sent.calls) == 40)
    assert {at for _, _, at in sent.calls} == {T0}
    await time.run_until(lambda: len(sent.calls) == 60)
    assert await edits.flush(5) == 0
    assert [key for key, _, _ in sent.calls] == keys  # oldest waiting key first
    assert all(sent.states(key) == [2] for key in keys)
    for n, (_, _, at) in enumerate(sent.calls[40:], start=1):
        assert at >= T0 + timedelta(seconds=1.5 * n - 1e-3)  # 40/min: one every 1.5 s
    assert within_budget([at for _, _, at in sent.calls], burst=40, rate=40)
    await edits.aclose()


async def test_two_replicas_share_one_budget(database: Database) -> None:
    time = VirtualTime()
    sent = Sent(time)
    replicas = [editor(database, time, burst=5), editor(database, time, burst=5)]
    keys = [f"C{r}:{n}.0" for n in range(20) for r in range(2)]
    for n, key in enumerate(keys):
        await replicas[n % 2].submit(key, sent.send(key, 0))
    await time.run_until(lambda: len(sent.calls) == 40)
    times = [at for _, _, at in sent.calls]
    assert times.count(T0) == 5  # not five for each replica
    assert within_budget(times, burst=5, rate=40)
    assert sorted(key for key, _, _ in sent.calls) == sorted(keys)
    for edits in replicas:
        assert await edits.flush(5) == 0
        await edits.aclose()


@dataclass
class FakeSlack:
    """chat.update on a loopback port: answers 429 (Retry-After 30) ``limited`` times first."""

    time: VirtualTime
    limited: int = 1
    error: str | None = None
    updates: list[tuple[str, datetime]] = field(default_factory=list)
    url: str = ""

    async def chat_update(self, request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        body = await request.json()
        self.updates.append((body["text"], self.time.now))
        if self.limited:
            self.limited -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "30"}
            )
        if self.error:
            return web.json_response({"ok": False, "error": self.error})
        return web.json_response({"ok": True, "channel": body["channel"], "ts": body["ts"]})


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(VirtualTime())
    app = web.Application()
    app.router.add_post("/api/chat.update", fake.chat_update)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.url = f"http://127.0.0.1:{port}/api/"
    yield fake
    await runner.cleanup()


async def test_a_429_on_one_replica_pauses_the_other(
    database: Database, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    time, client = slack.time, AsyncWebClient(token=TOKEN, base_url=slack.url)
    sent = Sent(time)
    first, second = editor(database, time), editor(database, time)

    async def update() -> None:
        await client.chat_update(channel="C1", ts="1.0", text="state-1")

    with caplog.at_level(logging.DEBUG):
        await first.submit("C1:1.0", update)
        await until(lambda: time.sleeping == 1)  # 429 seen, pause recorded, waiting
        await second.submit("C2:2.0", sent.send("C2:2.0", 1))
        await until(lambda: time.sleeping == 2)
        assert sent.calls == [] and len(slack.updates) == 1
        await time.run_until(lambda: len(slack.updates) == 2 and bool(sent.calls))
        assert await first.flush(5) == 0 and await second.flush(5) == 0
    assert [text for text, _ in slack.updates] == ["state-1", "state-1"]  # the same state again
    assert slack.updates[1][1] >= T0 + timedelta(seconds=30)
    assert sent.calls[0][2] >= T0 + timedelta(seconds=30)
    assert "paused for 30 s" in caplog.text and TOKEN not in caplog.text
    for edits in (first, second):
        await edits.aclose()


async def test_a_failed_send_is_logged_by_class_and_dropped(
    database: Database, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    time, client = slack.time, AsyncWebClient(token=TOKEN, base_url=slack.url)
    slack.limited, slack.error = 0, "message_not_found"
    sent, edits = Sent(time), editor(database, time)

    async def broken() -> None:
        raise RuntimeError("secret message body")

    async def refused() -> None:
        await client.chat_update(channel="C1", ts="1.0", text="gone")

    await edits.submit("C1:1.0", broken)
    await edits.submit("C2:2.0", refused)
    assert await edits.flush(5) == 0
    await edits.submit("C1:1.0", sent.send("C1:1.0", 2))
    assert await edits.flush(5) == 0
    assert sent.calls == [("C1:1.0", 2, T0)]  # dropped, not retried, and no pause
    assert [text for text, _ in slack.updates] == ["gone"]
    assert "chat.update failed (RuntimeError)" in caplog.text
    assert "chat.update failed (SlackApiError, HTTP 200)" in caplog.text
    assert "secret message body" not in caplog.text and TOKEN not in caplog.text
    await edits.aclose()


async def test_the_editor_outlives_a_database_outage(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    time = VirtualTime()
    sent, edits = Sent(time), editor(database, time)
    await database.downgrade("0005")  # no rate_budgets table: every take fails
    await edits.submit("C1:1.0", sent.send("C1:1.0", 1))
    await until(lambda: time.sleeping == 1)
    assert "edit budget unreadable" in caplog.text and sent.calls == []
    await database.upgrade()
    await time.run_until(lambda: bool(sent.calls))
    assert sent.calls == [("C1:1.0", 1, T0 + timedelta(seconds=1))]
    await edits.aclose()


async def test_flush_gives_up_after_its_timeout_and_aclose_drops(database: Database) -> None:
    time = VirtualTime()
    sent, edits = Sent(time), editor(database, time)
    await edits.pause_for(3600)  # kept to MAX_PAUSE_S; nobody moves time here
    await edits.submit("C1:1.0", sent.send("C1:1.0", 1))
    await until(lambda: time.sleeping == 1)
    assert await edits.flush(0.05) == 1
    await edits.aclose()
    assert edits.pending == 0 and time.sleeping == 0 and sent.calls == []
    with pytest.raises(RuntimeError, match="closed"):
        await edits.submit("C1:1.0", sent.send("C1:1.0", 2))
    async with database.unit_of_work() as uow:
        wait = await uow.budgets.take(BUDGET, rate_per_minute=40, burst=40, now=T0)
    assert wait == pytest.approx(MAX_PAUSE_S)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"retry-after": ["7"]}, 7.0),
        ({"Retry-After": "soon"}, 1.0),
        ({"Retry-After": "-5"}, 1.0),
        ({"Retry-After": "nan"}, 1.0),
        ({}, 1.0),
    ],
)
def test_retry_after_reads_the_header(headers: dict[str, Any], seconds: float) -> None:
    assert retry_after(headers) == seconds

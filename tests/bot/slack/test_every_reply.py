"""Every reply any command can produce fits Slack: the real dispatcher (every handler, the demo
policy, a migrated SQLite database, the real DWS client) against the whole simulator with the
demo fleet plus 200 generated clusters, as alice (operator), carol (admin) and victor (viewer).

Each command's examples, its usage errors (no arguments, too many, a typo, an unknown flag), its
help and policy explanation, the approvals they ask for (approved, denied, cancelled, expired,
tracked to the end), DWS failures (injected 500s) and the built-ins are rendered as messages
(every page, following the Show more cursors) and as views, and each one is checked by
`check_message` / `check_view`. Random replies (hypothesis) are checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import commands.handlers  # noqa: F401  (fills the registry)
from bot.slack.blocks import MORE, Message, Where, message, read_cursor, view_blocks
from commands.dispatch import ActionRequest, Dispatcher, InvocationRequest
from commands.registry import UserRef, registry
from commands.replies import APPROVE, CANCEL, DENY, Action, Field, Reply, Severity
from commands.store.session import Database
from dws.client import DwsClient
from dws.simulator import SimClock, SimState
from dws.simulator.control import simulator_app
from dws.simulator.faults import FaultInjector
from dws.simulator.state.seed import populate_demo, populate_generated
from tests.bot.slack.slack_limits import check_message, check_view
from tests.commands.handlers.conftest import TARGET
from tests.commands.sim_bot import sim_dispatcher

ALICE, BOB = UserRef("alice", "Alice"), UserRef("bob", "Bob")
CAROL, VICTOR = UserRef("carol", "Carol"), UserRef("victor", "Victor")
USERS = (ALICE, CAROL, VICTOR)
FLEET = 200
Json = dict[str, Any]


def fleet(state: SimState) -> None:
    """The demo clusters (the examples name them) and 200 more, with 400 events."""
    populate_demo(state)
    populate_generated(state, FLEET, 400)


@dataclass
class Bot:
    state: SimState
    faults: FaultInjector
    dispatcher: Dispatcher
    seen: list[tuple[str, Reply]] = field(default_factory=list)
    """(the command text, or what produced the reply; the reply)."""
    notes: list[Reply] = field(default_factory=list)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.state.now(), UTC)

    async def say(self, user: UserRef, text: str, secret: str | None = "Dws-Secret-2026!") -> Reply:
        async def prompt(_question: str) -> str | None:
            return secret

        reply = await self.dispatcher.handle(InvocationRequest(user, "C-ops", text, prompt))
        self.keep(text, reply)
        return reply

    async def click(self, user: UserRef, approval_id: str, choice: str) -> Reply:
        reply = await self.dispatcher.act(ActionRequest(user, approval_id, choice))
        self.keep(f"click {choice}", reply)
        return reply

    def advance(self, seconds: float) -> None:
        self.state.clock.advance(seconds)
        self.state.tick()

    def keep(self, what: str, reply: Reply) -> None:
        self.seen.append((what, reply))
        self.seen += [("notification", r) for r in self.notes]
        self.notes.clear()


@asynccontextmanager
async def running(tmp_path: Path) -> AsyncIterator[Bot]:
    state = SimState(clock=SimClock(speed=0.0), populate=fleet)
    faults = FaultInjector()
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'dwsbot.db'}")
    await db.upgrade()
    transport = httpx.ASGITransport(app=simulator_app(state, faults=faults))
    try:
        async with DwsClient(TARGET, transport=transport) as client:
            notes: list[Reply] = []

            async def notify(channel: str, reply: Reply) -> None:
                notes.append(reply)

            clock = lambda: datetime.fromtimestamp(state.now(), UTC)  # noqa: E731
            dispatcher = sim_dispatcher(db, client, clock=clock, notify=notify)
            bot = Bot(state, faults, dispatcher, notes=notes)
            try:
                yield bot
            finally:
                await dispatcher.aclose()
    finally:
        await db.dispose()


REQUESTS = (
    "/dws restart reporting",
    "/dws stop reporting",
    "/dws start dev-sandbox",
    "/dws snapshot create reporting",
    "/dws add-nodes reporting 1",
    "/dws switchback etl-batch",
    "/dws params set reporting max_connections 600",
    "/dws dr switchover prod-dw-dr",
    "/dws dr failover prod-dw-dr",
    "/dws reset-password reporting",
    "/dws cancel-readonly analytics",
    "/dws restart cluster-00007",
    "/dws stop cluster-00008",
)
"""Changes the demo fleet allows: each asks for an approval."""


def typed_texts() -> list[str]:
    """What people type: every example, and every way to get a command wrong."""
    texts = ["/dws", "", "hello", "/dws nosuchcommand", "/dws whoami", "/dws help", "/dws audit"]
    texts += ["/dws clusters", "/dws events --limit 500", "/dws audit --limit 1000", '/dws "']
    texts += ["/dws audit --since 2026-13-45", "/dws events --since 99999d", "/dws help nothing"]
    texts += REQUESTS
    for spec in registry:
        name = spec.name
        texts += spec.examples
        texts += [f"/dws {name}", f"/dws {name} a b c d e f", f"/dws {name} prod-dw --nope=1"]
        texts += [f"/dws {name[:-1]}", f"/dws {name}x", f"/dws help {name}"]
        texts += [f"/dws policy explain {name} prod-dw", f"/dws policy explain {name}"]
    return list(dict.fromkeys(texts))


async def every_reply(bot: Bot) -> None:
    texts = typed_texts()
    for user in USERS:
        for text in texts:
            await bot.say(user, text)
    await bot.say(ALICE, "/dws reset-password reporting", secret=None)  # the prompt cancelled
    await approvals(bot)
    bot.faults.add("error", "*", status=500)
    for text in ("/dws clusters", "/dws cluster prod-dw", "/dws restart reporting"):
        await bot.say(CAROL, text)
    bot.faults.clear()
    for user in USERS:
        await bot.say(user, "/dws audit --limit 1000")


async def approvals(bot: Bot) -> None:
    """Requests by alice, then every way they end: approved (and tracked), denied, cancelled,
    refused clicks, expired."""
    asked = [r.ref for w, r in bot.seen if r.ref and w.startswith("/dws") and r.actions]
    assert len(asked) >= 10, asked
    for i, approval_id in enumerate(asked):
        await bot.click(ALICE, approval_id, APPROVE)  # the requester's own vote: refused
        await bot.click(VICTOR, approval_id, APPROVE)  # a viewer: refused
        if i % 4 == 0:
            await bot.click(BOB, approval_id, DENY)
        elif i % 4 == 1:
            await bot.click(ALICE, approval_id, CANCEL)
        elif i % 4 == 2:
            await bot.click(CAROL, approval_id, APPROVE)
            await bot.click(BOB, approval_id, APPROVE)
        await bot.click(CAROL, approval_id, "frobnicate")
    for _ in range(4):  # the operations start, run and finish; trackers report
        bot.advance(bot.state.start_delay + 900)
        await bot.dispatcher.tracking.tick()
        bot.keep("tracking", Reply())
    bot.advance(3600)
    for reply in await bot.dispatcher.expire_due():
        bot.keep("expiry", reply)
    await bot.click(CAROL, "no-such-approval", APPROVE)


# ----- rendering and checking ------------------------------------------------------------------


def rendered(reply: Reply, command: str, where: Where) -> list[Message]:
    """Every page of ``reply`` (following Show more), each checked, and the views."""
    check_message(message(reply, where))
    shown = [message(reply, where, command=command)]
    while more := [
        e
        for b in shown[-1].blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == MORE
    ]:
        assert read_cursor(more[0]["value"]) == (command, len(shown))
        shown.append(message(reply, where, page=len(shown), command=command))
        assert len(shown) <= 200, command
    for m in shown:
        check_message(m)
    for budget in (100, 30, 4):
        check_view(view_blocks(reply, where, budget=budget), budget)
    return shown


def table_cells(shown: list[Message]) -> list[list[str]]:
    rows: list[list[str]] = []
    for m in shown:
        for block in (b for b in m.blocks if b["type"] == "table"):
            rows += [[c["text"] for c in row] for row in block["rows"][1:]]
    return rows


async def test_every_reply_fits_slack(tmp_path: Path) -> None:
    async with running(tmp_path) as bot:
        await every_reply(bot)
        where = Where("sim", simulated=True, at=bot.now())
        paged: dict[str, int] = {}
        for command, reply in bot.seen:
            shown = rendered(reply, command if command.startswith("/dws") else "/dws", where)
            paged[command] = max(paged.get(command, 0), len(shown))
            if table_cells(shown):  # every row is reachable, in order
                want = [[" ".join(c.split()) or "—" for c in row] for row in reply.rows]
                assert table_cells(shown) == want, command
    replies = [r for _, r in bot.seen]
    assert len(replies) > 1000
    assert {r.severity for r in replies} == set(Severity)
    assert paged["/dws clusters"] >= 3  # 206 clusters: 99 rows a page
    assert any(a.confirm for r in replies for a in r.actions)  # a destructive Approve
    assert any(r.mention for r in replies)  # a tracked operation that finished
    assert any("(500)" in r.text or "DWS.0001" in r.text for r in replies), "no DWS error"
    assert any("\nUsage: " in r.text for r in replies)


# ----- random replies --------------------------------------------------------------------------

_words = st.sampled_from(["<@U1>", "&", "<!here>", "```", "`code`", "*b*", "é", "😀", " ", "\n"])
_short = st.one_of(st.text(max_size=30), _words)
_long = st.tuples(st.text(min_size=1, max_size=8), st.integers(1, 1500)).map(lambda t: t[0] * t[1])
_value = st.one_of(
    _short, _long, st.sampled_from(["2026-12-03 08:00 UTC", "2026-12-03T08:00:00+08:00"])
)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    width = draw(st.integers(0, 25))
    columns = tuple(draw(st.lists(_short, min_size=width, max_size=width)))
    some = draw(st.lists(st.lists(_value, min_size=width, max_size=width), max_size=5))
    template = draw(st.lists(_short, min_size=width, max_size=width))
    many = [[f"{c}{i}" for c in template] for i in range(draw(st.integers(0, 400)))]
    return columns, tuple(tuple(r) for r in some + many)


@st.composite
def _replies(draw: st.DrawFn) -> Reply:
    columns, rows = draw(_tables())
    ids = st.one_of(st.sampled_from([APPROVE, DENY, CANCEL, MORE, "run:0", ""]), _long)
    action = st.builds(
        Action,
        _short,
        ids,
        st.one_of(_short, _long),
        st.sampled_from([None, "primary", "danger", "weird"]),
        st.one_of(st.none(), _short, _long),
    )
    return Reply(
        title=draw(st.one_of(_short, _long)),
        text="\n".join(draw(st.lists(st.one_of(_short, _long), max_size=30))),
        fields=tuple(draw(st.lists(st.builds(Field, _short, _value), max_size=35))),
        columns=columns,
        rows=rows,
        actions=tuple(draw(st.lists(action, max_size=30))),
        severity=draw(st.sampled_from(Severity)),
        follow_ups=tuple(draw(st.lists(st.one_of(_short, _long), max_size=30))),
    )


_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_SETTINGS
@given(_replies(), st.integers(0, 60), st.one_of(st.none(), _short, _long), st.integers(-5, 120))
def test_any_reply_fits_slack(reply: Reply, page: int, command: str | None, budget: int) -> None:
    where = Where("sim", simulated=False, at=datetime(2026, 12, 3, tzinfo=UTC))
    check_message(message(reply, where, page=page, command=command))
    blocks = view_blocks(reply, where, budget=budget)
    check_view(blocks, max(budget, 0))


@_SETTINGS
@given(st.lists(st.one_of(_short, _long), max_size=40).map("\n".join))
def test_any_text_is_all_shown_across_the_pages(text: str) -> None:
    """Nothing is cut silently: the pages together hold every character of the text."""
    reply, where = Reply(text=text), Where("sim", simulated=True)
    shown = rendered(reply, "/dws x", where)
    sections = [b["text"]["text"] for m in shown for b in m.blocks if b["type"] == "section"]
    unescaped = "".join(sections).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert re.sub(r"\s", "", unescaped) == re.sub(r"\s", "", text)

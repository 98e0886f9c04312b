"""Whatever a user types or clicks, the dispatcher answers with a Reply, never an internal error.

The bot here is the real one: every handler of the registry, the demo policy, the real DWS client
against the in-process simulator, and a migrated SQLite database. An internal error is what
`commands.services.unexpected` produces (an error id instead of a traceback, logged at ERROR):
the fuzz fails on such a reply, on any ERROR logged by the command layer, and on a traceback in
any reply or notification. The clicks drive real approvals: requests made by the users of the
policy, then approvals, denials and cancels by anyone, on real, closed or made-up ids, with
made-up choices, while the simulated clock moves (expiry, trackers, clusters settling).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import commands.handlers  # noqa: F401  (fills the registry)
from commands.dispatch import ActionRequest, Dispatcher, InvocationRequest
from commands.registry import UserRef, registry
from commands.replies import APPROVAL_CHOICES, Reply
from commands.services import unexpected
from commands.store.models import ApprovalStatus
from commands.store.session import Database
from dws.client import DwsClient
from dws.simulator import SimClock, SimState
from dws.simulator.app import create_app
from tests.commands.handlers.conftest import TARGET
from tests.commands.sim_bot import sim_dispatcher

T = TypeVar("T")
INTERNAL = "Something went wrong on our side"
"""The opening of the internal-error reply (`commands.services.unexpected`)."""


class _Errors(logging.Handler):
    """Keeps every ERROR the command layer logs (an internal error logs one, with its id)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Bot:
    """The real bot on its own event loop, kept for every example of one test."""

    loop: asyncio.AbstractEventLoop
    state: SimState
    dispatcher: Dispatcher
    errors: _Errors
    notes: list[Reply] = field(default_factory=list)
    approval_ids: list[str] = field(default_factory=list)

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def advance(self, seconds: float) -> None:
        self.state.clock.advance(seconds)
        self.state.tick()

    def check(self, reply: object, what: str) -> None:
        """A Reply, not an internal error, no traceback; nothing logged at ERROR meanwhile."""
        assert isinstance(reply, Reply), f"{what}: {reply!r}"
        for shown in (reply, *self.notes):
            text = " ".join([shown.title, shown.text, *(f.value for f in shown.fields)])
            assert INTERNAL not in text, f"{what}: internal error {text!r}"
            assert "error id" not in text, f"{what}: internal error {text!r}"
            assert "Traceback" not in text, f"{what}: traceback {text!r}"
        self.notes.clear()
        logged = [r.getMessage() for r in self.errors.records]
        self.errors.records.clear()
        assert not logged, f"{what}: logged {logged}"


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[Bot]:
    loop = asyncio.new_event_loop()
    state = SimState(clock=SimClock(speed=0.0))
    db_file = tmp_path / "dwsbot.db"
    stack = AsyncExitStack()
    notes: list[Reply] = []

    async def notify(channel: str, reply: Reply) -> None:
        notes.append(reply)

    async def start() -> Dispatcher:
        db = Database(f"sqlite+aiosqlite:///{db_file}")
        stack.push_async_callback(db.dispose)
        await db.upgrade()
        transport = httpx.ASGITransport(app=create_app(state))
        client = await stack.enter_async_context(DwsClient(TARGET, transport=transport))
        dispatcher = sim_dispatcher(
            db, client, clock=lambda: datetime.fromtimestamp(state.now(), UTC), notify=notify
        )
        stack.push_async_callback(dispatcher.aclose)
        return dispatcher

    errors = _Errors()
    logger = logging.getLogger("dwsbot")
    logger.addHandler(errors)
    try:
        dispatcher = loop.run_until_complete(start())
        yield Bot(loop, state, dispatcher, errors, notes)
    finally:
        logger.removeHandler(errors)
        loop.run_until_complete(stack.aclose())
        loop.close()


_NAMES = [w for spec in registry for n in (spec.name, *spec.aliases) for w in n.split()]
_WORDS = [
    *_NAMES,
    *("reporting", "prod-dw", "prod-dw-dr", "analytics", "etl-batch", "dev-sandbox", "report"),
    *("--target", "sim", "other", "--name", "--type", "DN", "--since", "--limit", "--verbose"),
    *("--description", "--subnet-id", "--x=1", "max_connections", "600", "1w", "999999d"),
    *("-5", "0", "²", "'", '"', "--", "=", "\\", "\x00", "é", "reporting-copy", "before-upgrade"),
]
_users = st.sampled_from(
    [UserRef(u) for u in ("alice", "bob", "carol", "victor", "nobody", "", "ALICE")]
)
_texts = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(_WORDS), max_size=7).map(lambda ws: " ".join(["/dws", *ws])),
    st.lists(st.sampled_from(_WORDS), max_size=7).map(" ".join),
)


def test_handle_always_replies(bot: Bot) -> None:
    @settings(max_examples=200)
    @given(_users, _texts)
    def typed(user: UserRef, text: str) -> None:
        reply = bot.run(bot.dispatcher.handle(InvocationRequest(user, "C-ops", text)))
        bot.check(reply, f"{user.id!r} typed {text!r}")

    typed()


_REQUESTS = [
    "/dws restart reporting",
    "/dws restart analytics",
    "/dws stop reporting",
    "/dws start dev-sandbox",
    "/dws snapshot create reporting",
    "/dws add-nodes reporting 1",
    "/dws switchback etl-batch",
    "/dws params set reporting max_connections 600",
    "/dws dr switchover prod-dw-dr",
    "/dws dr failover prod-dw-dr",
]
_requesters = st.sampled_from([UserRef(u) for u in ("alice", "bob", "carol")])
_recent = st.integers(min_value=0, max_value=2)
_ids = st.one_of(_recent, _recent, _recent, st.text(max_size=40))
"""A recent approval (0 = the newest), or anything at all."""
_valid = st.sampled_from(APPROVAL_CHOICES)
_choices = st.one_of(_valid, _valid, _valid, st.text(max_size=10))
_clickers = st.one_of(_requesters, _requesters, _users)
"""Mostly real clicks (a policy user, a recent approval, a real choice), else anything."""


def test_act_always_replies(bot: Bot) -> None:
    """Clicks on real approvals; afterwards, the approvals really ended every way there is."""

    @settings(max_examples=100, derandomize=True)  # fixed examples: the ending check is exact
    @given(
        st.sampled_from([0, 0, 0, 60, 60, 31 * 60, 4 * 3600]),
        st.lists(st.tuples(_requesters, st.sampled_from(_REQUESTS)), min_size=1, max_size=3),
        st.lists(st.tuples(_clickers, _ids, _choices), min_size=1, max_size=8),
    )
    def session(
        wait: float,
        requests: list[tuple[UserRef, str]],
        clicks: list[tuple[UserRef, int | str, str]],
    ) -> None:
        bot.advance(wait)  # operations finish, clusters settle, pending requests expire ...
        for reply in bot.run(bot.dispatcher.expire_due()):  # ... as the periodic worker says
            bot.check(reply, "expiry")
        for requester, text in requests:
            reply = bot.run(bot.dispatcher.handle(InvocationRequest(requester, "C-ops", text)))
            bot.check(reply, f"{requester.id} asked {text!r}")
            if reply.ref:
                bot.approval_ids.append(reply.ref)
        for user, which, choice in clicks:
            known = bot.approval_ids
            approval_id = (
                known[-1 - which % len(known)] if isinstance(which, int) and known else which
            )
            reply = bot.run(bot.dispatcher.act(ActionRequest(user, str(approval_id), choice)))
            bot.check(reply, f"{user.id!r} clicked {choice!r} on {approval_id!r}")

    session()
    ended = bot.run(_statuses(bot))
    ran = {ApprovalStatus.EXECUTING, ApprovalStatus.SUCCEEDED}  # a tracker may not be done yet
    assert ended & ran, ended
    assert {ApprovalStatus.DENIED, ApprovalStatus.CANCELLED, ApprovalStatus.EXPIRED} <= ended


async def _statuses(bot: Bot) -> set[ApprovalStatus]:
    db = bot.dispatcher.services.db
    assert db is not None
    seen: set[ApprovalStatus] = set()
    async with db.unit_of_work(readonly=True) as uow:
        for approval_id in bot.approval_ids:
            approval = await uow.approvals.get(approval_id)
            assert approval is not None
            seen.add(approval.status)
    return seen


def test_the_internal_error_reply_is_the_one_checked(caplog: pytest.LogCaptureFixture) -> None:
    reply = unexpected(RuntimeError("a bug"), "the fuzz's probe")
    assert reply.text.startswith(INTERNAL) and "error id E-" in reply.text
    assert [r.levelno for r in caplog.records] == [logging.ERROR]

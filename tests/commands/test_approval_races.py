"""Two replicas race on one approval (PostgreSQL): the records agree with what DWS received.

Two bots share one PostgreSQL schema, each with its own `Database` (engine and connection pool),
its own DWS client and its own `Dispatcher`, as two replicas of the service; the simulator is the
one DWS both talk to. In each of 50 trials alice asks for a restart, then bob approves on one
replica while, on the other, alice cancels (or carol denies) the same request. Both clicks are
released by a barrier; by trial, the close goes at once, or as soon as the other replica's
database shows bob's vote, or the approval out of pending (conditions on data, not on time), so
every window of the race is tried. Whichever wins, afterwards:

- DWS received the restart at most once;
- received: the approval is executing (tracked) or succeeded, no cancelled/denied record exists
  for it, bob was told it was submitted, and no reply or notification says cancelled or denied;
- not received: the approval is cancelled/denied, audited so exactly once, with no record of an
  execution (intent or outcome), and every reply that shows the request shows it so;
- the losing click's reply has no ``ref``: only the winner's updates the request's message.

The assertions are about the end state of every trial, never about which click wins; the other
records a trial may carry (a vote, an `executing` intent before the DWS call) are not counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

import commands.handlers  # noqa: F401  (fills the registry)
from commands.dispatch import ActionRequest, Dispatcher, InvocationRequest
from commands.registry import UserRef
from commands.replies import APPROVE, CANCEL, DENY, Reply
from commands.store.models import ApprovalStatus, AuditEvent
from commands.store.session import Database, UnitOfWork
from dws.client import DwsClient
from dws.simulator import SimClock, SimState
from dws.simulator.app import create_app
from tests import db_fixtures
from tests.commands.handlers.conftest import TARGET
from tests.commands.sim_bot import sim_dispatcher
from tests.db_fixtures import fresh_database

pytestmark = pytest.mark.postgres

TRIALS = 50
ALICE, BOB, CAROL = UserRef("alice", "Alice"), UserRef("bob", "Bob"), UserRef("carol", "Carol")
EXECUTION_EVENTS = {
    AuditEvent.EXECUTING,
    AuditEvent.EXECUTED,
    AuditEvent.SUCCEEDED,
    AuditEvent.FAILED,
    AuditEvent.UNKNOWN,
    AuditEvent.INTERRUPTED,
}
RAN = {ApprovalStatus.EXECUTING, ApprovalStatus.SUCCEEDED}


Ready = Callable[[UnitOfWork, str], Awaitable[bool]]


async def _voted(uow: UnitOfWork, approval_id: str) -> bool:
    """Bob's vote is committed: the close races the tally and the pending→executing update."""
    return any(v.voter_id == BOB.id for v in await uow.approvals.votes(approval_id))


async def _left_pending(uow: UnitOfWork, approval_id: str) -> bool:
    """The approve won: the close can only lose, and must say so."""
    approval = await uow.approvals.get(approval_id)
    return approval is not None and approval.status is not ApprovalStatus.PENDING


WHEN: tuple[Ready | None, ...] = (None, _voted, _left_pending)
"""When the close is sent, by trial: with the approve (None), or once the other replica's
database shows a step of the approve (conditions on the data, not on time)."""


@dataclass
class Replicas:
    """Two dispatchers on one PostgreSQL schema and one simulated DWS."""

    state: SimState
    db: Database
    bots: tuple[Dispatcher, Dispatcher]
    notes: list[Reply] = field(default_factory=list)

    def restarts(self, cluster_id: str) -> int:
        """How many restart requests of ``cluster_id`` DWS has received."""
        return sum(
            1
            for r in self.state.request_log
            if r.method == "POST" and r.path.endswith(f"/clusters/{cluster_id}/restart")
        )


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[Replicas]:
    state = SimState(clock=SimClock(speed=0.0))
    app = create_app(state)
    notes: list[Reply] = []

    async def notify(channel: str, reply: Reply) -> None:
        notes.append(reply)

    async with fresh_database("postgres", tmp_path) as first, AsyncExitStack() as stack:
        second = Database(db_fixtures.PG_URL, schema=first.schema, pool_size=5, max_overflow=0)
        stack.push_async_callback(second.dispose)
        bots = []
        for db in (first, second):
            transport = httpx.ASGITransport(app=app)
            client = await stack.enter_async_context(DwsClient(TARGET, transport=transport))
            bot = sim_dispatcher(
                db, client, clock=lambda: datetime.fromtimestamp(state.now(), UTC), notify=notify
            )
            stack.push_async_callback(bot.aclose)
            bots.append(bot)
        yield Replicas(state, first, (bots[0], bots[1]), notes)


def _status_shown(reply: Reply) -> str | None:
    return next((f.value for f in reply.fields if f.label == "Status"), None)


def _says(reply: Reply) -> str:
    return " ".join([reply.title, reply.text, *(f"{f.label}: {f.value}" for f in reply.fields)])


async def _race(replicas: Replicas, trial: int, other: tuple[UserRef, str]) -> None:
    """One trial: request, then approve on one replica and ``other`` on the other, together."""
    replicas.state.clock.advance(4 * 3600)  # the previous restart is over: the cluster is idle
    replicas.state.tick()
    cluster_id = next(c.id for c in replicas.state.clusters.values() if c.name == "reporting")
    before = replicas.restarts(cluster_id)
    first, second = replicas.bots if trial % 2 == 0 else reversed(replicas.bots)
    asked = await first.handle(InvocationRequest(ALICE, "C-ops", "/dws restart reporting"))
    approval_id = asked.ref
    assert approval_id, _says(asked)
    replicas.notes.clear()
    barrier = asyncio.Barrier(2)
    user, choice = other
    closer_db = second.services.db
    assert closer_db is not None

    async def approve() -> Reply:
        await barrier.wait()
        return await first.act(ActionRequest(BOB, approval_id, APPROVE))

    async def seen(ready: Ready) -> bool:
        async with closer_db.unit_of_work(readonly=True) as uow:
            return await ready(uow, approval_id)

    async def close() -> Reply:
        await barrier.wait()
        ready = WHEN[trial % len(WHEN)]
        while ready is not None and not approving.done() and not await seen(ready):
            await asyncio.sleep(0)
        return await second.act(ActionRequest(user, approval_id, choice))

    approving = asyncio.ensure_future(approve())
    approved, closed = await asyncio.gather(approving, close())

    received = replicas.restarts(cluster_id) - before
    async with replicas.db.unit_of_work(readonly=True) as uow:
        approval = await uow.approvals.get(approval_id)
        events = [r.event async for r in uow.audit.stream() if r.approval_id == approval_id]
        tracked = any(
            op.approval_id == approval_id for op in await uow.trackers.list_active(limit=1000)
        )
    assert approval is not None
    closing = AuditEvent.CANCELLED if choice == CANCEL else AuditEvent.DENIED
    end = ApprovalStatus.CANCELLED if choice == CANCEL else ApprovalStatus.DENIED
    marker = f"{'Cancelled' if choice == CANCEL else 'Denied'} by"
    shown = [approved, closed, *(n for n in replicas.notes if n.ref == approval_id)]
    where = f"trial {trial}: DWS received {received}, status {approval.status}, events {events}"

    assert received in (0, 1), where
    if received:
        assert approval.status in RAN, where
        assert tracked or approval.status is ApprovalStatus.SUCCEEDED, f"{where}; not tracked"
        assert closing not in events and AuditEvent.EXECUTED in events, where
        assert approved.title.endswith(": submitted"), f"{where}; bob was told {_says(approved)}"
        assert (approved.ref, closed.ref) == (approval_id, None), where  # the loser edits nothing
        for reply in shown:
            assert _status_shown(reply) not in (end.value,), f"{where}; {_says(reply)}"
            assert marker not in _says(reply), f"{where}; {_says(reply)}"
    else:
        assert approval.status is end, where
        assert events.count(closing) == 1 and not EXECUTION_EVENTS & set(events), where
        assert marker in closed.text and user.display in closed.text, f"{where}; {_says(closed)}"
        assert (closed.ref, approved.ref) == (approval_id, None), where  # the loser edits nothing
        for reply in shown:
            assert not reply.title.endswith(": submitted"), f"{where}; {_says(reply)}"
            assert _status_shown(reply) in (None, end.value), f"{where}; {_says(reply)}"
            if marker in reply.text:  # whoever is named as closing it is the one who did
                assert f"{marker} {user.display}" in reply.text, f"{where}; {_says(reply)}"


@pytest.mark.parametrize("other", [(ALICE, CANCEL), (CAROL, DENY)], ids=["cancel", "deny"])
async def test_approve_racing_a_close_on_two_replicas(
    replicas: Replicas, other: tuple[UserRef, str]
) -> None:
    for trial in range(TRIALS):
        await _race(replicas, trial, other)

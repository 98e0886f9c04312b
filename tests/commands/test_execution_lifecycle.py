"""The execution lifecycle: the intent before the call, the outcome after it, and the sweeper
that settles what a stopped process left in between — real handlers, the real DWS client on
the in-process simulator (with its fault rules), SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

import commands.handlers  # noqa: F401  (fills the registry)
from commands.audit import verify
from commands.dispatch import ActionRequest, Dispatcher, InvocationRequest
from commands.outcomes import PendingOutcomes
from commands.policy import bundled_policy_text, load_policy_text
from commands.registry import UserRef, registry
from commands.replies import APPROVE, Reply, Severity
from commands.store.models import Approval, ApprovalStatus, AuditEvent
from commands.store.session import Database
from commands.sweeper import NOT_STARTED
from dws.client import DwsClient
from dws.simulator import SimClock, SimState
from dws.simulator.control import simulator_app
from dws.simulator.faults import FaultInjector, FaultRule
from tests.commands.handlers.conftest import TARGET
from tests.commands.sim_bot import sim_dispatcher
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind"]

ALICE, BOB = UserRef("alice", "Alice"), UserRef("bob", "Bob")
RESTART = "*/clusters/*/restart"
HOLD = timedelta(minutes=10)
DIRECT = load_policy_text(
    bundled_policy_text("demo").replace("actions:\n", "actions:\n  restart: {approvals: 0}\n"),
    registry,
    where="direct.yaml",
)


class Hooked(httpx.AsyncBaseTransport):
    """The simulator's transport, with a hook run on each POST (before or after it is sent)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.before_post: Callable[[], Any] | None = None
        self.after_post: Callable[[], Any] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and self.before_post is not None:
            await self.before_post()
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and self.after_post is not None:
            await self.after_post()
        return response


@dataclass
class Env:
    state: SimState
    faults: FaultInjector
    transport: Hooked
    client: DwsClient
    db: Database
    sent: list[tuple[str, Reply]]
    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.state.now(), UTC) + self.offset

    def dispatcher(self, *, approvals: bool = False) -> Dispatcher:
        """A fresh process: its own tracking owner, no memory of the last one. Restart needs
        no approval unless ``approvals``."""

        async def notify(channel: str, reply: Reply) -> None:
            self.sent.append((channel, reply))

        d = sim_dispatcher(
            self.db,
            self.client,
            clock=self.now,
            notify=notify,
            policy=None if approvals else DIRECT,
            execution_hold=HOLD,
        )
        d.services.outcomes = PendingOutcomes(first_pause=0.01, max_pause=0.05)
        return d

    def restarted(self) -> str:
        """The name of a cluster the simulator is restarting (the call landed)."""
        return next(c.name for c in self.state.clusters.values() if c.task is not None)

    def idle(self) -> str:
        busy = set()
        for dr in self.state.dr_tasks.values():
            busy |= {dr.primary_id, dr.standby_id}
        return next(
            c.name
            for c in self.state.clusters.values()
            if c.status == "AVAILABLE" and c.task is None and c.id not in busy
        )

    def finish_operations(self) -> None:
        self.state.clock.advance(3600)
        self.state.tick()
        self.offset += timedelta(minutes=1)  # past the sweeper's recheck


@pytest.fixture
async def env(database: Database) -> AsyncIterator[Env]:
    state = SimState(clock=SimClock(speed=0.0))
    faults = FaultInjector()
    transport = Hooked(httpx.ASGITransport(app=simulator_app(state, faults=faults)))
    async with DwsClient(TARGET, transport=transport) as client:
        yield Env(state, faults, transport, client, database, [])


async def say(d: Dispatcher, user: UserRef, text: str) -> Reply:
    return await d.handle(InvocationRequest(user, "C-ops", text))


async def approvals(db: Database) -> list[Approval]:
    async with db.unit_of_work(readonly=True) as uow:
        rows = await uow.session.scalars(sa.select(Approval).order_by(Approval.created_at))
        return list(rows.all())


async def trail(db: Database, approval_id: str) -> list[str]:
    async with db.unit_of_work(readonly=True) as uow:
        records = await uow.audit.query(approval_id=approval_id, limit=100)
    return [r.event.value for r in reversed(records)]


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never met")


async def crash_during_restart(env: Env, run: Callable[[], Awaitable[Reply]]) -> FaultRule:
    """Run until the restart has landed on DWS (its answer held back), then stop the process
    there, as a kill would; the hold rule (its ``fired`` counts the restarts DWS received)."""
    rule = env.faults.add("hold", RESTART, method="POST", seconds=600)
    task = asyncio.ensure_future(run())
    await until(lambda: any(c.task is not None for c in env.state.clusters.values()))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return rule


async def test_direct_change_crash_after_the_call_is_settled_by_the_sweeper(env: Env) -> None:
    first = env.dispatcher()
    name = env.idle()
    held = await crash_during_restart(env, lambda: say(first, BOB, f"/dws restart {name}"))
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.EXECUTING and row.required_approvals == 0
    assert row.executor == first.tracking.owner
    assert await trail(env.db, row.id) == ["executing"]  # the intent, before the call

    second = env.dispatcher()  # the restart: a new process on the same database
    assert await second.sweep() == []  # the first process still holds it
    env.offset += HOLD
    assert await second.sweep() == []  # held no more, but DWS is still restarting it
    env.finish_operations()
    assert await second.sweep() == [row.id]
    assert await second.sweep() == []
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.SUCCEEDED and row.executor is None
    assert await trail(env.db, row.id) == ["executing", "succeeded"]
    assert held.fired == 1  # DWS received one restart, and no second one
    channel, note = env.sent[-1]
    assert channel == "C-ops" and note.ref == row.id and note.severity is Severity.SUCCESS
    assert "rebootClusterSuccess" in note.text
    assert (await verify(env.db)).ok
    await first.aclose()
    await second.aclose()


async def test_approved_change_crash_after_the_call_is_settled_once(env: Env) -> None:
    first = env.dispatcher(approvals=True)
    name = env.idle()
    pending = await say(first, ALICE, f"/dws restart {name}")
    assert pending.ref is not None
    approval_id = pending.ref
    held = await crash_during_restart(
        env, lambda: first.act(ActionRequest(BOB, approval_id, APPROVE))
    )
    assert await trail(env.db, approval_id) == ["requested", "approved", "executing"]

    second = env.dispatcher()
    env.offset += HOLD
    env.finish_operations()
    assert await second.sweep() == [approval_id]
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.SUCCEEDED
    assert await trail(env.db, approval_id) == [
        "requested",
        "approved",
        "executing",
        "succeeded",
    ]
    async with env.db.unit_of_work(readonly=True) as uow:
        [done] = await uow.audit.query(approval_id=approval_id, event=AuditEvent.SUCCEEDED)
    assert (done.user_id, done.approvers) == ("alice", ["Bob"])
    assert held.fired == 1
    assert (await verify(env.db)).ok
    await first.aclose()
    await second.aclose()


async def test_a_crash_before_the_intent_leaves_an_approval_the_sweeper_voids(env: Env) -> None:
    first = env.dispatcher(approvals=True)
    name = env.idle()
    pending = await say(first, ALICE, f"/dws restart {name}")
    assert pending.ref is not None
    approval_id = pending.ref

    def fail_gets(request: httpx.Request) -> None:  # the process stops during the re-plan
        if request.method == "GET":
            raise asyncio.CancelledError

    original = env.transport.handle_async_request

    async def stopping(request: httpx.Request) -> httpx.Response:
        fail_gets(request)
        return await original(request)

    env.transport.handle_async_request = stopping  # type: ignore[method-assign]
    with pytest.raises(asyncio.CancelledError):
        await first.act(ActionRequest(BOB, approval_id, APPROVE))
    env.transport.handle_async_request = original  # type: ignore[method-assign]
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.APPROVED

    second = env.dispatcher()
    env.offset += HOLD
    assert await second.sweep() == [approval_id]
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.VOIDED
    assert await trail(env.db, approval_id) == ["requested", "approved", "voided"]
    assert "Nothing was executed" in env.sent[-1][1].text
    assert not [r for r in env.state.request_log if r.method == "POST"]
    await first.aclose()
    await second.aclose()


async def test_lost_connection_is_unknown_then_settled_as_interrupted(env: Env) -> None:
    d = env.dispatcher()
    name = env.idle()
    env.faults.add("drop", RESTART, method="POST", count=1)
    reply = await say(d, BOB, f"/dws restart {name}")
    assert reply.severity is Severity.WARNING and "outcome unknown" in reply.title
    assert "does not send the request again" in reply.text
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.EXECUTING and row.executor is None
    assert await trail(env.db, row.id) == ["executing", "unknown"]

    assert await d.sweep() == []  # released at once, but DWS may yet start it: look again
    env.offset += NOT_STARTED
    assert await d.sweep() == [row.id]  # still nothing to see: interrupted
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.INTERRUPTED
    assert await trail(env.db, row.id) == ["executing", "unknown", "interrupted"]
    assert "check the cluster" in env.sent[-1][1].text
    posts = [r for r in env.state.request_log if r.method == "POST" and "restart" in r.path]
    assert len(posts) == 1  # never sent again
    await d.aclose()


async def test_another_operations_event_does_not_settle_a_lost_restart(env: Env) -> None:
    d = env.dispatcher()
    name = env.idle()
    cluster = next(c for c in env.state.clusters.values() if c.name == name)
    env.faults.add("drop", RESTART, method="POST", count=1)
    await say(d, BOB, f"/dws restart {name}")
    env.state.emit_event("updateConfigurationSuccess", cluster.id, cluster.name)
    env.offset += NOT_STARTED
    assert await d.sweep() != []
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.INTERRUPTED  # not 'succeeded' by a parameter change
    assert "updateConfigurationSuccess only" in (row.result_text or "")
    await d.aclose()


async def test_a_request_never_sent_is_failed(env: Env) -> None:
    d = env.dispatcher()
    name = env.idle()

    async def refuse() -> None:
        raise httpx.ConnectError("connection refused")

    env.transport.before_post = refuse
    reply = await say(d, BOB, f"/dws restart {name}")
    assert reply.severity is Severity.ERROR and "could not reach" in reply.text
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.FAILED and row.executor is None
    assert row.executing_until is None
    assert await trail(env.db, row.id) == ["executing", "failed"]
    env.offset += HOLD
    assert await d.sweep() == []
    await d.aclose()


async def test_an_outcome_the_database_refuses_is_retried_until_it_lands(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    d = env.dispatcher()
    name = env.idle()
    back = asyncio.Event()

    async def lose_the_database() -> None:
        async with env.db.unit_of_work() as uow:
            await uow.session.execute(sa.text("ALTER TABLE audit_records RENAME TO gone"))

    async def restore() -> None:
        async with env.db.unit_of_work() as uow:
            await uow.session.execute(sa.text("ALTER TABLE gone RENAME TO audit_records"))
        back.set()

    env.transport.after_post = lose_the_database
    reply = await say(d, BOB, f"/dws restart {name}")
    env.transport.after_post = None
    assert reply.severity is Severity.SUCCESS, reply  # the call happened; the user is told
    assert d.services.outcomes.waiting
    assert "could not record the outcome" in caplog.text
    [row] = await approvals(env.db)
    assert row.status is ApprovalStatus.EXECUTING  # not lost: the sweeper would find it too

    caplog.set_level(logging.INFO)
    await restore()
    await d.services.outcomes.wait()
    assert await trail(env.db, row.id) == ["executing", "executed"]
    async with env.db.unit_of_work(readonly=True) as uow:
        assert await uow.trackers.active_for(row.id)
    assert "recorded after" in caplog.text
    assert (await verify(env.db)).ok
    await d.aclose()

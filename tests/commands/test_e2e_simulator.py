"""End to end: the real handlers, the demo policy, the real DWS client against the in-process
simulator, and the store on SQLite and PostgreSQL — request, approve, execute once, track, audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import commands.handlers  # noqa: F401  (fills the registry)
from commands.audit import verify
from commands.dispatch import ActionRequest, Dispatcher, InvocationRequest
from commands.registry import UserRef
from commands.replies import APPROVE, Reply, Severity
from commands.store.models import ApprovalStatus, AuditEvent, TrackerStatus
from commands.store.session import Database
from dws.client import DwsClient
from dws.config import DwsTarget
from dws.simulator import SimClock, SimState, defaults
from dws.simulator.app import create_app
from tests.commands.sim_bot import sim_dispatcher
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind"]

TARGET = DwsTarget(
    name="sim",
    endpoint="http://simulator.test",
    project_id=defaults.PROJECT_ID,
    ak=SecretStr(defaults.AK),
    sk=SecretStr(defaults.SK),
)
ALICE, BOB = UserRef("alice", "Alice"), UserRef("bob", "Bob")
CAROL, VICTOR = UserRef("carol", "Carol"), UserRef("victor", "Victor")


@dataclass
class Env:
    state: SimState
    client: DwsClient
    db: Database
    dispatcher: Dispatcher
    sent: list[tuple[str, Reply]]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.state.now(), UTC)

    def make_dispatcher(self) -> Dispatcher:
        async def notify(channel: str, reply: Reply) -> None:
            self.sent.append((channel, reply))

        return sim_dispatcher(self.db, self.client, clock=self.now, notify=notify)

    async def say(self, user: UserRef, text: str) -> Reply:
        return await self.dispatcher.handle(InvocationRequest(user, "C-ops", text))

    async def click(self, user: UserRef, approval_id: str, choice: str = APPROVE) -> Reply:
        return await self.dispatcher.act(ActionRequest(user, approval_id, choice))

    def advance(self, seconds: float) -> None:
        self.state.clock.advance(seconds)
        self.state.tick()

    def cluster(self, name: str) -> Any:
        return next(c for c in self.state.clusters.values() if c.name == name)

    def restarts(self) -> list[Any]:
        return [r for r in self.state.request_log if r.method == "POST" and "restart" in r.path]


@pytest.fixture
async def env(database: Database) -> AsyncIterator[Env]:
    state = SimState(clock=SimClock(speed=0.0))
    async with DwsClient(TARGET, transport=httpx.ASGITransport(app=create_app(state))) as client:
        e = Env(state, client, database, None, [])  # type: ignore[arg-type]
        e.dispatcher = e.make_dispatcher()
        try:
            yield e
        finally:
            await e.dispatcher.aclose()


def idle_cluster(env: Env, rows: tuple[tuple[str, ...], ...], columns: tuple[str, ...]) -> str:
    """A cluster that can be restarted: AVAILABLE, idle, not in a DR pair."""
    names = [r[columns.index("name")] for r in rows]
    in_dr = set()
    for dr in getattr(env.state, "drs", {}).values():
        in_dr |= {getattr(dr, "primary_cluster_id", None), getattr(dr, "standby_cluster_id", None)}
    for name in names:
        c = env.cluster(name)
        if c.status == "AVAILABLE" and c.task is None and c.id not in in_dr:
            return name
    raise AssertionError("the simulator has no idle cluster")


async def approved_restart(env: Env) -> tuple[str, str]:
    """Alice asks to restart an idle cluster and Bob approves: (its name, the approval id)."""
    listing = await env.say(ALICE, "/dws clusters")
    name = idle_cluster(env, listing.rows, listing.columns)
    pending = await env.say(ALICE, f"/dws restart {name}")
    assert pending.ref
    await env.click(BOB, pending.ref)
    return name, pending.ref


async def test_restart_approved_tracked_and_audited(env: Env) -> None:
    listing = await env.say(ALICE, "/dws clusters")
    assert listing.rows, listing
    name = idle_cluster(env, listing.rows, listing.columns)

    pending = await env.say(ALICE, f"/dws restart {name}")
    assert pending.severity is Severity.WARNING and pending.ref, pending
    approval_id = pending.ref
    assert "status=AVAILABLE" in next(f.value for f in pending.fields if f.label == "State")
    assert (await env.click(ALICE, approval_id)).text == "You cannot approve your own request."
    assert (await env.click(VICTOR, approval_id)).severity is Severity.ERROR
    assert env.restarts() == []

    done = await env.click(BOB, approval_id)
    assert done.severity is Severity.SUCCESS, done
    assert done.title == f"Restart cluster {name}: submitted"
    assert len(env.restarts()) == 1
    again = await env.click(CAROL, approval_id)
    assert "already executing" in again.text and len(env.restarts()) == 1

    async with env.db.unit_of_work(readonly=True) as uow:
        [op] = await uow.trackers.list_active()
    assert await env.dispatcher.tracking.poll_once(op.id) is False  # accepted, not started
    env.advance(env.state.start_delay)
    assert await env.dispatcher.tracking.poll_once(op.id) is False  # REBOOTING: started
    env.advance(3600)
    assert await env.dispatcher.tracking.poll_once(op.id) is True
    async with env.db.unit_of_work(readonly=True) as uow:
        finished = await uow.trackers.get(op.id)
        approval = await uow.approvals.get(approval_id)
    assert finished is not None and finished.status is TrackerStatus.SUCCEEDED
    assert approval is not None and approval.status is ApprovalStatus.SUCCEEDED
    final = env.sent[-1]
    assert final[0] == "C-ops" and final[1].ref == approval_id
    assert final[1].severity is Severity.SUCCESS and "succeeded" in final[1].title
    assert final[1].mention == ("alice", "bob")  # the edit notifies nobody: these are told
    progress = [r for _, r in env.sent if r.ref == approval_id and not r.mention]
    assert progress and all(
        ("Requested by", "Alice") in [(f.label, f.value) for f in r.fields] for r in progress
    )

    log = await env.say(CAROL, f"/dws audit {name}")
    events = [row[1] for row in reversed(log.rows)]
    assert events == [
        "requested",
        "denied_by_policy",
        "denied_by_policy",
        "approved",
        "executing",
        "executed",
        "succeeded",
    ]
    async with env.db.unit_of_work(readonly=True) as uow:
        [record] = await uow.audit.query(event=AuditEvent.SUCCEEDED)
    assert (record.user_id, record.user_name, record.approvers) == ("alice", "Alice", ["Bob"])
    assert record.command_text == f"/dws restart {name}" and record.channel == "C-ops"
    assert record.params == {"cluster_id": env.cluster(name).id}
    async with env.db.unit_of_work(readonly=True) as uow:
        [executed] = await uow.audit.query(event=AuditEvent.EXECUTED)
    assert executed.request_id and len(executed.request_id) == 32  # the simulator's X-Request-Id
    assert (await verify(env.db)).ok


async def test_state_change_voids_the_approval(env: Env) -> None:
    listing = await env.say(ALICE, "/dws clusters")
    name = idle_cluster(env, listing.rows, listing.columns)
    pending = await env.say(ALICE, f"/dws restart {name}")
    assert pending.ref
    env.state.restart_cluster(env.cluster(name).id)  # someone restarts it outside the bot
    env.advance(env.state.start_delay)  # and the restart has started
    void = await env.click(BOB, pending.ref)
    assert void.text.startswith("The approval is void: ") and "Nothing was executed" in void.text
    assert len(env.restarts()) == 0
    assert env.sent[-1][1] == void


async def test_tracker_resumes_after_restart(env: Env) -> None:
    await approved_restart(env)
    await env.dispatcher.aclose()  # the bot stops; the tracker stays active in the database
    env.dispatcher = env.make_dispatcher()
    resumed = await env.dispatcher.resume_trackers()
    assert len(resumed) == 1
    env.advance(3600)
    assert await env.dispatcher.tracking.poll_once(resumed[0]) is True


async def test_builtin_commands(env: Env) -> None:
    victor_help = await env.say(VICTOR, "/dws help")
    commands_seen = {row[0] for row in victor_help.rows}
    assert "/dws clusters" in commands_seen and "/dws restart" not in commands_seen
    alice_help = await env.say(ALICE, "/dws")
    needs = {row[0]: row[2] for row in alice_help.rows}
    assert needs["/dws restart"] == "1 approval" and needs["/dws stop"] == "2 approvals"
    assert needs["/dws clusters"] == ""
    one = await env.say(VICTOR, "/dws help restart")
    assert "You may not run it" in one.fields[0].value
    who = await env.say(UserRef("nobody"), "/dws whoami")
    assert ("Role", "none (ask an admin to grant one)") in {(f.label, f.value) for f in who.fields}
    explain = await env.say(VICTOR, "/dws policy explain dr failover prod-dw")
    assert "2 approvals by the operator role" in explain.text
    assert "user alice, user bob, user carol" in explain.text
    bad = await env.say(VICTOR, "/dws audit --since yesterday")
    assert bad.severity is Severity.ERROR and "--since: 'yesterday' is neither" in bad.text
    assert (await env.say(VICTOR, "/dws audit --user nobody")).text == "No audit records match."
    typo = await env.say(VICTOR, "/dws help restrat")
    assert typo.severity is Severity.ERROR and "Did you mean `restart`" in typo.text
    typo = await env.say(VICTOR, "/dws policy explain restrat prod-dw")
    assert "Did you mean `restart`" in typo.text


async def test_failed_operation_is_recorded(env: Env) -> None:
    name, approval_id = await approved_restart(env)
    async with env.db.unit_of_work(readonly=True) as uow:
        [op] = await uow.trackers.list_active()
    cluster = env.cluster(name)
    cluster.task = None
    cluster.last_task_status = "REBOOT_FAILURE"  # the restart failed inside DWS
    assert await env.dispatcher.tracking.poll_once(op.id) is True
    async with env.db.unit_of_work(readonly=True) as uow:
        approval = await uow.approvals.get(approval_id)
        [failed] = await uow.audit.query(event=AuditEvent.FAILED)
    assert approval is not None and approval.status is ApprovalStatus.FAILED
    assert failed.error_code == "REBOOT_FAILURE" and failed.user_id == "alice"
    assert env.sent[-1][1].severity is Severity.ERROR


async def test_another_replica_polls_due_trackers(env: Env) -> None:
    await approved_restart(env)
    await env.dispatcher.aclose()  # replica 1 goes away after its first poll
    replica2 = env.make_dispatcher()
    try:
        assert replica2.tracking.owner != env.dispatcher.tracking.owner
        async with env.db.unit_of_work(readonly=True) as uow:
            [op] = await uow.trackers.list_active()
        if op.polls:  # replica 1 polled it: next poll is one interval later
            assert await replica2.tracking.tick() == 0
        env.advance(3600)
        assert await replica2.tracking.tick() == 1
        async with env.db.unit_of_work(readonly=True) as uow:
            assert await uow.trackers.list_active() == []
        assert await replica2.tracking.tick() == 0
    finally:
        await replica2.aclose()


async def test_destructive_approve_button_asks_for_confirmation(env: Env) -> None:
    listing = await env.say(ALICE, "/dws clusters")
    name = idle_cluster(env, listing.rows, listing.columns)
    stop = await env.say(ALICE, f"/dws stop {name}")
    restart = await env.say(ALICE, f"/dws restart {name}")
    confirms = {
        reply.title: {a.action_id: a.confirm for a in reply.actions} for reply in (stop, restart)
    }
    [stop_buttons, restart_buttons] = confirms.values()
    assert stop_buttons["approve"] and name in stop_buttons["approve"], confirms
    assert stop_buttons["deny"] is None and stop_buttons["cancel"] is None
    assert set(restart_buttons.values()) == {None}, confirms


async def test_closing_gives_up_the_leases_held(env: Env) -> None:
    await approved_restart(env)
    # Replica 1 (no worker of its own running) holds the tracker and the sweeper lease; the
    # time is later than any lease the executing dispatcher's own worker can hold.
    replica1 = env.make_dispatcher()
    later = env.now() + timedelta(hours=4)
    async with env.db.unit_of_work() as uow:
        [op] = await uow.trackers.claim_due(
            replica1.tracking.owner, lease_for=timedelta(hours=1), now=later
        )
    await replica1.sweep()
    async with env.db.unit_of_work(readonly=True) as uow:
        assert await uow.leases.holder("sweeper", now=env.now()) == replica1.sweeper.owner
    await replica1.aclose()  # SIGTERM: another replica must not wait for the leases
    replica2 = env.make_dispatcher()
    try:
        async with env.db.unit_of_work() as uow:
            assert await uow.leases.holder("sweeper", now=env.now()) is None
            [taken] = await uow.trackers.claim_due(
                "replica-2", lease_for=timedelta(hours=1), now=later
            )
        assert (taken.id, taken.lease_owner) == (op.id, "replica-2")
    finally:
        await replica2.aclose()

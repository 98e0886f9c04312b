"""What is approved is what runs: plans bound to ids, parameters executed as given, and a
cancel or deny racing an approve decided by one conditional update (issues 7.1, 12.1, 12.2)."""

from __future__ import annotations

import asyncio
import copy
import uuid
from typing import Any

import pytest

from commands.dispatch import ActionRequest, InvocationRequest
from commands.registry import UserRef
from commands.replies import APPROVE, CANCEL, DENY, Severity
from commands.store.models import ApprovalStatus, AuditEvent
from commands.store.session import Database
from tests.commands.test_e2e_simulator import ALICE, BOB, Env, env
from tests.commands.world import Clock, Notes, World, make_dispatcher
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind", "env"]


def _posts(env: Env, word: str) -> list[Any]:
    return [r for r in env.state.request_log if r.method in ("POST", "PUT") and word in r.path]


def _twin(env: Env, name: str, twin_name: str) -> Any:
    """A new cluster whose bound state equals ``name``'s, named ``twin_name``."""
    twin = copy.deepcopy(env.cluster(name))
    twin.id = str(uuid.uuid4())
    twin.name = twin_name
    env.state.clusters[twin.id] = twin
    return twin


async def test_a_partial_name_executes_on_the_id_it_designated(env: Env) -> None:
    target = env.cluster("reporting")
    assert target.task is None
    pending = await env.say(ALICE, "/dws restart report")
    assert pending.severity is Severity.WARNING and pending.ref, pending
    shown = next(f.value for f in pending.fields if f.label == "Target")
    assert f"reporting ({target.id})" in shown
    # Meanwhile another cluster with the same state is named exactly `report`.
    twin = _twin(env, "reporting", "report")
    done = await env.click(BOB, pending.ref)
    assert done.severity is Severity.SUCCESS, done
    [sent] = _posts(env, "restart")
    assert target.id in sent.path and twin.id not in sent.path
    assert "reporting" in done.title


async def test_a_deleted_cluster_voids_instead_of_resolving_again(env: Env) -> None:
    target = env.cluster("reporting")
    pending = await env.say(ALICE, "/dws restart reporting")
    assert pending.ref
    del env.state.clusters[target.id]
    _twin_of = _twin  # the same cluster recreated under the same name, with another id
    env.state.clusters[target.id] = target
    _twin_of(env, "reporting", "reporting")
    del env.state.clusters[target.id]
    void = await env.click(BOB, pending.ref)
    assert "void" in void.text and "no longer exists" in void.text, void
    assert _posts(env, "restart") == []


async def test_a_value_that_looks_like_a_secret_is_executed_unchanged(env: Env) -> None:
    pending = await env.say(ALICE, '/dws params set reporting datestyle "password=ISO,MDY"')
    assert pending.ref, pending
    command = next(f.value for f in pending.fields if f.label == "Command")
    assert "password=***" in command  # shown redacted ...
    done = await env.click(BOB, pending.ref)
    assert done.severity is Severity.SUCCESS, done
    assert env.cluster("reporting").param_values["datestyle"] == ("password=ISO,MDY",) * 2
    async with env.db.unit_of_work(readonly=True) as uow:
        records = [r async for r in uow.audit.stream()]
    assert all("password=ISO" not in str(r.params) for r in records)  # ... and audited so


@pytest.mark.parametrize("rival", [CANCEL, DENY])
async def test_cancel_or_deny_racing_an_approve_leaves_true_records(
    database: Database, rival: str
) -> None:
    for _ in range(15):
        world, clock, notes = World(), Clock(), Notes()
        dispatcher, _ = make_dispatcher(world, database, clock, notes)
        pending = await dispatcher.handle(
            InvocationRequest(UserRef("alice"), "C-OPS", "/dws restart prod-dw")
        )
        assert pending.ref
        rival_user = UserRef("alice") if rival == CANCEL else UserRef("dave")
        _, other = await asyncio.gather(
            dispatcher.act(ActionRequest(UserRef("bob"), pending.ref, APPROVE)),
            dispatcher.act(ActionRequest(rival_user, pending.ref, rival)),
        )
        async with database.unit_of_work(readonly=True) as uow:
            approval = await uow.approvals.get(pending.ref)
            events = [r.event async for r in uow.audit.stream() if r.approval_id == pending.ref]
        assert approval is not None
        ran = len(world.executed) == 1
        stopped = AuditEvent.CANCELLED if rival == CANCEL else AuditEvent.DENIED
        if ran:
            assert approval.status is ApprovalStatus.SUCCEEDED, approval.status
            assert stopped not in events, events
            assert "already" in other.text or other.severity is Severity.ERROR, other
        else:
            assert approval.status in (ApprovalStatus.CANCELLED, ApprovalStatus.DENIED)
            assert stopped in events and AuditEvent.EXECUTED not in events, events
        await dispatcher.aclose()


async def test_a_refused_cancel_is_audited(database: Database) -> None:
    world, clock, notes = World(), Clock(), Notes()
    dispatcher, _ = make_dispatcher(world, database, clock, notes)
    pending = await dispatcher.handle(
        InvocationRequest(UserRef("alice"), "C-OPS", "/dws restart prod-dw")
    )
    assert pending.ref
    refused = await dispatcher.act(ActionRequest(UserRef("bob"), pending.ref, CANCEL))
    assert refused.severity is Severity.ERROR
    async with database.unit_of_work(readonly=True) as uow:
        records = [r async for r in uow.audit.stream() if r.approval_id == pending.ref]
    assert records[-1].event is AuditEvent.DENIED_BY_POLICY and records[-1].user_id == "bob"
    assert "cancel" in (records[-1].outcome or "")


async def test_a_failed_plan_is_audited_with_the_cluster_it_found(env: Env) -> None:
    stopped = next(c for c in env.state.clusters.values() if c.status == "STOPPED")
    refused = await env.say(ALICE, f"/dws restart {stopped.name}")
    assert refused.severity is Severity.ERROR, refused
    async with env.db.unit_of_work(readonly=True) as uow:
        records = [r async for r in uow.audit.stream()]
    assert records[-1].event is AuditEvent.FAILED
    assert records[-1].cluster_id == stopped.id

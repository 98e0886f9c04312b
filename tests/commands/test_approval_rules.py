"""Pending approvals are re-judged by the policy in force when a vote would complete them.

A policy change is a restart with another policy file: a second dispatcher on the same database
(SQLite and PostgreSQL), the request made and the first votes cast under the old policy.
"""

from __future__ import annotations

from commands.dispatch import ActionRequest, Dispatcher, InvocationRequest
from commands.registry import UserRef
from commands.replies import APPROVE, Reply, Severity
from commands.store.session import Database
from tests.commands.world import POLICY, Clock, Notes, World, make_dispatcher
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind"]

ALICE, BOB, DAVE = UserRef("alice", "Alice"), UserRef("bob", "Bob"), UserRef("dave", "Dave")
CAROL, ERIN = UserRef("carol", "Carol"), UserRef("erin", "Erin")
GINA = UserRef("gina", "Gina", groups=("ops",))
HANK = UserRef("hank", "Hank", groups=("ops",))


async def ask(d: Dispatcher, user: UserRef, text: str) -> str:
    reply = await d.handle(InvocationRequest(user=user, channel="C-OPS", text=text))
    assert reply.severity is Severity.WARNING and reply.ref is not None, reply
    return reply.ref


async def click(d: Dispatcher, user: UserRef, approval_id: str) -> Reply:
    return await d.act(ActionRequest(user=user, approval_id=approval_id, choice=APPROVE))


def fields(reply: Reply) -> dict[str, str]:
    return {f.label: f.value for f in reply.fields}


async def last_event(db: Database) -> tuple[str, str | None]:
    async with db.unit_of_work(readonly=True) as uow:
        row = (await uow.audit.query(limit=1))[0]
    return row.event.value, row.outcome


async def test_demoted_approver_and_a_higher_count_keep_it_pending(database: Database) -> None:
    world, clock, notes = World(), Clock(), Notes()
    old, _ = make_dispatcher(world, database, clock, notes)
    approval_id = await ask(old, ALICE, "/dws stop prod-dw")
    assert fields(await click(old, BOB, approval_id))["Approvals"] == "1 of 2 (Bob)"
    changed = POLICY.replace("bob: operator", "bob: viewer, erin: operator").replace(
        "actions: {}", "actions:\n  stop: {approvals: 3}"
    )
    new, _ = make_dispatcher(world, database, clock, notes, changed)
    reply = await click(new, DAVE, approval_id)
    assert reply.text == (
        "Vote by Dave recorded. The policy changed: 3 approvals now needed, "
        "1 vote no longer counts (Bob is no longer an approver)."
    )
    assert reply.actions and fields(reply)["Approvals"] == "1 of 3 (Dave)"
    assert world.executed == []
    assert fields(await click(new, CAROL, approval_id))["Approvals"] == "2 of 3 (Dave, Carol)"
    done = await click(new, ERIN, approval_id)
    assert done.severity is Severity.SUCCESS, done
    assert fields(done)["Approved by"] == "Dave, Carol, Erin"
    assert world.executed == [("stop", "alice", {"cluster_id": "c-1"})]


async def test_a_raised_approver_role_refuses_new_votes_and_drops_old_ones(
    database: Database,
) -> None:
    world, clock, notes = World(), Clock(), Notes()
    old, _ = make_dispatcher(world, database, clock, notes)
    approval_id = await ask(old, ALICE, "/dws stop prod-dw")
    await click(old, BOB, approval_id)
    changed = POLICY.replace(
        "actions: {}", "actions:\n  stop: {approvals: 1, approver_role: admin}"
    )
    new, _ = make_dispatcher(world, database, clock, notes, changed)
    refused = await click(new, DAVE, approval_id)
    assert refused.text == "Approving stop needs the admin role; you are operator."
    done = await click(new, CAROL, approval_id)
    assert done.severity is Severity.SUCCESS and fields(done)["Approved by"] == "Carol"
    assert world.executed == [("stop", "alice", {"cluster_id": "c-1"})]


async def test_a_requester_who_may_no_longer_ask_is_voided_on_the_next_vote(
    database: Database,
) -> None:
    world, clock, notes = World(), Clock(), Notes()
    old, _ = make_dispatcher(world, database, clock, notes)
    approval_id = await ask(old, ALICE, "/dws stop prod-dw")
    new, _ = make_dispatcher(
        world, database, clock, notes, POLICY.replace("alice: operator", "alice: viewer")
    )
    reply = await click(new, BOB, approval_id)
    why = (
        "the policy changed: Alice may no longer request stop "
        "(it needs the operator role; Alice is now viewer)"
    )
    assert reply.text == f"The approval is void: {why}. Nothing was executed; Alice may ask again."
    assert not reply.actions and world.executed == []
    assert await last_event(database) == ("voided", why)


async def test_group_granted_roles_survive_the_recheck(database: Database) -> None:
    world, clock, notes = World(), Clock(), Notes()
    old, _ = make_dispatcher(world, database, clock, notes)
    approval_id = await ask(old, GINA, "/dws stop prod-dw")
    await click(old, HANK, approval_id)
    restarted, _ = make_dispatcher(world, database, clock, notes)
    done = await click(restarted, DAVE, approval_id)
    assert done.severity is Severity.SUCCESS, done
    assert fields(done)["Approved by"] == "Hank, Dave"
    assert world.executed == [("stop", "gina", {"cluster_id": "c-1"})]
    async with database.unit_of_work(readonly=True) as uow:
        stored = await uow.approvals.get(approval_id, with_votes=True)
        assert stored is not None and stored.requester_groups == ["ops"]
        assert [(v.voter_id, v.voter_groups) for v in stored.votes] == [
            ("hank", ["ops"]),
            ("dave", []),
        ]


async def test_the_message_names_every_change(database: Database) -> None:
    world, clock, notes = World(), Clock(), Notes()
    three = POLICY.replace("actions: {}", "actions:\n  stop: {approvals: 3}")
    old, _ = make_dispatcher(world, database, clock, notes, three)
    approval_id = await ask(old, ALICE, "/dws stop prod-dw")
    await click(old, BOB, approval_id)
    await click(old, DAVE, approval_id)
    changed = three.replace("bob: operator, dave: operator", "bob: viewer, dave: viewer").replace(
        "{approvals: 3}", "{approvals: 2, distinct_roles: true}"
    )
    new, _ = make_dispatcher(world, database, clock, notes, changed)
    reply = await click(new, CAROL, approval_id)
    assert reply.text == (
        "Vote by Carol recorded. The policy changed: 2 approvals now needed, approvals must now "
        "come from distinct roles, 2 votes no longer count (Bob and Dave are no longer approvers)."
    )
    assert fields(reply)["Approvals"] == "1 of 2 from distinct roles (Carol)"
    assert world.executed == []

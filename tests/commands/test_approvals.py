"""The approval flow through the dispatcher, on SQLite and PostgreSQL (world commands, no DWS)."""

from __future__ import annotations

import asyncio
import logging

import pytest
import sqlalchemy as sa

from commands.dispatch import ActionRequest, Dispatcher, InvocationRequest
from commands.registry import UserRef
from commands.replies import APPROVE, CANCEL, DENY, Reply, Severity
from commands.services import DB_DOWN
from commands.store.models import AuditEvent
from commands.store.session import Database
from tests.commands.world import Clock, Notes, World, make_dispatcher
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind"]

ALICE, BOB, DAVE = UserRef("alice", "Alice"), UserRef("bob", "Bob"), UserRef("dave", "Dave")
CAROL, VICTOR = UserRef("carol", "Carol"), UserRef("victor", "Victor")


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def notes() -> Notes:
    return Notes()


@pytest.fixture
def dispatcher(world: World, database: Database, clock: Clock, notes: Notes) -> Dispatcher:
    return make_dispatcher(world, database, clock, notes)[0]


async def say(d: Dispatcher, user: UserRef, text: str, channel: str = "C-OPS") -> Reply:
    return await d.handle(InvocationRequest(user=user, channel=channel, text=text))


async def click(d: Dispatcher, user: UserRef, approval_id: str, choice: str = APPROVE) -> Reply:
    return await d.act(ActionRequest(user=user, approval_id=approval_id, choice=choice))


async def events(db: Database) -> list[tuple[str, str | None]]:
    async with db.unit_of_work(readonly=True) as uow:
        rows = await uow.audit.query(limit=500)
    return [(r.event.value, r.user_id) for r in reversed(rows)]


async def request(d: Dispatcher, user: UserRef, text: str) -> str:
    reply = await say(d, user, text)
    assert reply.severity is Severity.WARNING, reply
    assert [a.action_id for a in reply.actions] == [APPROVE, DENY, CANCEL]
    assert reply.ref is not None and all(a.value == reply.ref for a in reply.actions)
    return reply.ref


async def test_read_command_needs_no_database(world: World, clock: Clock, notes: Notes) -> None:
    d, _ = make_dispatcher(world, None, clock, notes)
    reply = await say(d, VICTOR, "/dws clusters")
    assert reply.rows == (("prod-dw",), ("dev-dw",))
    assert (await say(d, ALICE, "/dws restart prod-dw")).text == DB_DOWN
    assert world.executed == []


async def test_database_down_refuses_changes(world: World, clock: Clock, notes: Notes) -> None:
    down = Database("postgresql+asyncpg://postgres@127.0.0.1:9/none", connect_timeout=1)
    d, _ = make_dispatcher(world, down, clock, notes)
    try:
        assert (await say(d, VICTOR, "clusters")).title == "Clusters"
        reply = await say(d, ALICE, "/dws restart prod-dw")
        assert reply.severity is Severity.ERROR and reply.text == DB_DOWN
        assert (await click(d, BOB, "whatever")).text == DB_DOWN
        assert world.executed == []
    finally:
        await down.dispose()


async def test_viewer_refused_and_audited(
    dispatcher: Dispatcher, database: Database, world: World
) -> None:
    reply = await say(dispatcher, VICTOR, "/dws restart prod-dw")
    assert reply.severity is Severity.ERROR
    assert reply.text == "restart needs the operator role; you are viewer."
    assert await events(database) == [("denied_by_policy", "victor")]
    assert world.executed == []
    stranger = await say(dispatcher, UserRef("mallory"), "/dws clusters")
    assert stranger.text == "mallory has no role in the policy."


async def test_channel_outside_guardrail_refused(
    dispatcher: Dispatcher, database: Database
) -> None:
    reply = await say(dispatcher, ALICE, "/dws restart prod-dw", channel="C-DEV")
    assert reply.text == "Channel C-DEV may act only on dev-*."
    reply = await say(dispatcher, ALICE, "/dws restart prod-dw", channel="C-RANDOM")
    assert reply.text == "Channel C-RANDOM may not act on any cluster."
    async with database.unit_of_work(readonly=True) as uow:
        rows = await uow.audit.query(limit=10)
    assert {(r.event, r.cluster_name, r.channel) for r in rows} == {
        (AuditEvent.DENIED_BY_POLICY, "prod-dw", "C-DEV"),
        (AuditEvent.DENIED_BY_POLICY, "prod-dw", "C-RANDOM"),
    }
    assert (await say(dispatcher, ALICE, "/dws restart dev-dw", channel="C-DEV")).actions


async def test_request_approve_execute(
    dispatcher: Dispatcher, database: Database, world: World
) -> None:
    approval_id = await request(dispatcher, ALICE, "/dws restart prod-dw")
    own = await click(dispatcher, ALICE, approval_id)
    assert own.severity is Severity.ERROR and own.text == "You cannot approve your own request."
    assert world.executed == []
    done = await click(dispatcher, BOB, approval_id)
    assert done.severity is Severity.SUCCESS and done.ref == approval_id
    assert ("Approved by", "Bob") in {(f.label, f.value) for f in done.fields}
    assert world.executed == [("restart", "alice", {"cluster_id": "c-1"})]
    assert await events(database) == [
        ("requested", "alice"),
        ("denied_by_policy", "alice"),
        ("approved", "bob"),
        ("executing", "alice"),
        ("executed", "alice"),
        ("succeeded", "alice"),
    ]
    late = await click(dispatcher, DAVE, approval_id)
    assert "already succeeded" in late.text and not late.actions
    assert len(world.executed) == 1


async def test_quorum_one_vote_each_and_distinct_roles(
    world: World, database: Database, clock: Clock, notes: Notes
) -> None:
    d, _ = make_dispatcher(world, database, clock, notes)
    approval_id = await request(d, ALICE, "/dws stop prod-dw")
    first = await click(d, BOB, approval_id)
    assert first.actions and ("Approvals", "1 of 2 (Bob)") in {
        (f.label, f.value) for f in first.fields
    }
    again = await click(d, BOB, approval_id)
    assert again.text == "You have already voted on this request."
    assert world.executed == []
    await click(d, DAVE, approval_id)
    assert world.executed == [("stop", "alice", {"cluster_id": "c-1"})]
    # distinct roles: two operators are not enough, an operator and an admin are
    text = make_policy_distinct()
    d2, _ = make_dispatcher(world, database, clock, notes, text)
    approval_id = await request(d2, ALICE, "/dws stop dev-dw")
    await click(d2, BOB, approval_id)
    still = await click(d2, DAVE, approval_id)
    assert still.actions and world.executed[-1][2] == {"cluster_id": "c-1"}
    await click(d2, CAROL, approval_id)
    assert world.executed[-1] == ("stop", "alice", {"cluster_id": "c-2"})


def make_policy_distinct() -> str:
    from tests.commands.world import POLICY

    return POLICY.replace("actions: {}", "actions:\n  stop: {approvals: 2, distinct_roles: true}")


async def test_deny_and_cancel_rights(
    dispatcher: Dispatcher, database: Database, world: World
) -> None:
    a1 = await request(dispatcher, ALICE, "/dws restart prod-dw")
    refused = await click(dispatcher, VICTOR, a1, DENY)
    assert refused.text == "Approving restart needs the operator role; you are viewer."
    denied = await click(dispatcher, BOB, a1, DENY)
    assert "Denied by Bob" in denied.text and not denied.actions
    assert "already denied" in (await click(dispatcher, DAVE, a1)).text
    a2 = await request(dispatcher, ALICE, "/dws restart prod-dw")
    no = await click(dispatcher, BOB, a2, CANCEL)
    assert no.text == "Only the requester or an admin can cancel this request."
    assert "Cancelled by Carol" in (await click(dispatcher, CAROL, a2, CANCEL)).text
    a3 = await request(dispatcher, ALICE, "/dws restart prod-dw")
    assert "Cancelled by Alice" in (await click(dispatcher, ALICE, a3, CANCEL)).text
    assert world.executed == []
    evs = [e for e, _ in await events(database)]
    assert evs.count("denied") == 1 and evs.count("cancelled") == 2
    assert (
        await click(dispatcher, BOB, "no-such-id")
    ).text == "That approval request does not exist."


async def test_expired_approval_cannot_execute(
    dispatcher: Dispatcher, database: Database, world: World, clock: Clock, notes: Notes
) -> None:
    a1 = await request(dispatcher, ALICE, "/dws restart prod-dw")
    clock.advance(minutes=31)
    reply = await click(dispatcher, BOB, a1)
    assert "expired" in reply.text and not reply.actions
    assert world.executed == []
    a2 = await request(dispatcher, ALICE, "/dws restart dev-dw")
    clock.advance(minutes=31)
    swept = await dispatcher.expire_due()
    assert [r.ref for r in swept] == [a2] and notes.sent[-1][0] == "C-OPS"
    assert "expired" in (await click(dispatcher, BOB, a2)).text
    assert [e for e, _ in await events(database)].count("expired") == 2


async def test_state_change_voids(
    dispatcher: Dispatcher, database: Database, world: World, notes: Notes
) -> None:
    a1 = await request(dispatcher, ALICE, "/dws restart prod-dw")
    world.clusters["prod-dw"]["nodes"] = 5  # scaled out meanwhile
    reply = await click(dispatcher, BOB, a1)
    assert reply.text == (
        "The approval is void: nodes changed from 3 to 5. Nothing was executed; "
        "Alice may ask again."
    )
    assert notes.sent[-1] == ("C-OPS", reply)
    a2 = await request(dispatcher, ALICE, "/dws restart prod-dw")
    world.clusters["prod-dw"]["status"] = "REBOOTING"
    reply = await click(dispatcher, BOB, a2)
    assert "void: prod-dw is REBOOTING" in reply.text
    assert world.executed == []
    assert [e for e, _ in await events(database)].count("voided") == 2


async def test_zero_approvals_execute_at_once(
    world: World, database: Database, clock: Clock, notes: Notes
) -> None:
    from tests.commands.world import POLICY

    d, _ = make_dispatcher(
        world,
        database,
        clock,
        notes,
        POLICY.replace("actions: {}", "actions:\n  restart: {approvals: 0}"),
    )
    reply = await say(d, ALICE, "/dws restart prod-dw --target other")
    assert reply.severity is Severity.SUCCESS and reply.text == "restart submitted"
    assert world.executed == [("restart", "alice", {"cluster_id": "c-1"})]
    assert await events(database) == [
        ("allowed", "alice"),
        ("executing", "alice"),
        ("executed", "alice"),
        ("succeeded", "alice"),
    ]
    async with database.unit_of_work(readonly=True) as uow:
        assert {r.target_name for r in await uow.audit.query()} == {"other"}
    assert (await say(d, ALICE, "restart prod-dw --target nowhere")).text == (
        "There is no DWS target named 'nowhere'."
    )


async def test_secret_never_stored_or_shown(
    dispatcher: Dispatcher, database: Database, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Zq9-very-Secret-pw"

    async def prompt(text: str) -> str | None:
        return secret

    caplog.set_level(logging.DEBUG)
    first = await dispatcher.handle(
        InvocationRequest(ALICE, "C-OPS", "/dws reset-password prod-dw", prompt_secret=prompt)
    )
    assert first.ref is not None
    done = await click(dispatcher, BOB, first.ref)
    assert world.secrets_seen == [secret]
    for reply in (first, done):
        assert secret not in repr(reply)
    assert secret not in caplog.text
    async with database.unit_of_work(readonly=True) as uow:
        for table in ("audit_records", "approvals", "approval_votes"):
            rows = (await uow.session.execute(sa.text(f"SELECT * FROM {table}"))).all()
            assert rows and secret not in repr(rows)
    no_prompt = await say(dispatcher, ALICE, "/dws reset-password prod-dw")
    assert no_prompt.text == "`reset-password` asks for a secret, which this chat cannot do."


async def test_unexpected_error_gets_an_id(
    dispatcher: Dispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    reply = await say(dispatcher, VICTOR, "/dws boom")
    assert reply.severity is Severity.ERROR and "internal detail" not in reply.text
    error_id = reply.text.split("error id ")[1].split(")")[0]
    assert error_id.startswith("E-") and error_id in caplog.text
    assert "RuntimeError" in caplog.text


async def test_concurrent_approvals_execute_once(
    world: World, database: Database, clock: Clock, notes: Notes, db_kind: str
) -> None:
    d, _ = make_dispatcher(world, database, clock, notes)
    approval_id = await request(d, ALICE, "/dws restart prod-dw")
    n = 200 if db_kind == "postgres" else 40
    voters = [UserRef(f"u{i}", groups=("ops",)) for i in range(n)]
    replies = await asyncio.gather(*(click(d, v, approval_id) for v in voters))
    assert len(world.executed) == 1
    assert sum(r.text == "restart submitted" for r in replies) == 1
    assert [e for e, _ in await events(database)].count("executed") == 1


async def test_unexpected_error_at_execution_voids(
    dispatcher: Dispatcher, database: Database, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    approval_id = await request(dispatcher, ALICE, "/dws restart prod-dw")
    world.broken = True
    reply = await click(dispatcher, BOB, approval_id)
    assert reply.text.startswith("The approval is void: an internal error occurred (error id E-")
    assert "RuntimeError" in caplog.text and "bug" not in reply.text
    async with database.unit_of_work(readonly=True) as uow:
        approval = await uow.approvals.get(approval_id)
    assert approval is not None and approval.status.value == "voided"
    assert world.executed == []


async def test_precondition_refusal_is_audited_and_runs_nothing(
    dispatcher: Dispatcher, database: Database, world: World
) -> None:
    world.clusters["prod-dw"]["status"] = "REBOOTING"
    reply = await say(dispatcher, ALICE, "/dws restart prod-dw")
    assert reply.severity is Severity.ERROR and reply.text == "prod-dw is REBOOTING"
    async with database.unit_of_work(readonly=True) as uow:
        rows = await uow.audit.query(limit=10)
    assert [(r.event, r.user_id, r.action, r.outcome) for r in rows] == [
        (AuditEvent.FAILED, "alice", "restart", "prod-dw is REBOOTING")
    ]
    assert world.executed == []


async def test_freeze_of_some_clusters_refuses_only_those(
    world: World, database: Database, clock: Clock, notes: Notes
) -> None:
    from tests.commands.world import POLICY

    text = POLICY + 'freezes: [{name: prod-freeze, cron: "* * * * *", clusters: ["prod-*"]}]\n'
    d, _ = make_dispatcher(world, database, clock, notes, text)
    refused = await say(d, ALICE, "/dws restart prod-dw")
    assert refused.text == "Change freeze 'prod-freeze' is in effect."
    assert (await say(d, ALICE, "/dws restart dev-dw")).actions
    async with database.unit_of_work(readonly=True) as uow:
        rows = await uow.audit.query(limit=10)
    assert [(r.event, r.cluster_name) for r in reversed(rows)] == [
        (AuditEvent.DENIED_BY_POLICY, "prod-dw"),
        (AuditEvent.REQUESTED, "dev-dw"),
    ]


async def test_freeze_begun_before_the_approval_voids_it(
    world: World, database: Database, clock: Clock, notes: Notes
) -> None:
    from tests.commands.world import POLICY

    text = POLICY + "freezes: [{name: lunch, from: 2026-11-27 12:10, until: 2026-11-27 13:00}]\n"
    d, _ = make_dispatcher(world, database, clock, notes, text)
    approval_id = await request(d, ALICE, "/dws restart prod-dw")
    clock.advance(minutes=15)
    reply = await click(d, BOB, approval_id)
    assert reply.text == (
        "The approval is void: the policy refuses it now: change freeze 'lunch' is in effect. "
        "Nothing was executed; Alice may ask again."
    )
    assert world.executed == []
    assert [e for e, _ in await events(database)][-1] == "voided"

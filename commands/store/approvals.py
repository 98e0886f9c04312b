"""The approval repository: approval requests, their votes and their state transitions.

    approval = await uow.approvals.create(action="restart", command_text="/dws restart prod",
                                          requester_id="U1", requester_name="alice",
                                          target_name="default", expires_at=t)
    fresh = await uow.approvals.add_vote(approval.id, voter_id="U2", voter_name="bob",
                                         voter_role="operator", choice=VoteChoice.APPROVE)
    won = await uow.approvals.try_transition(approval.id, ApprovalStatus.APPROVED,
                                             ApprovalStatus.EXECUTING)

`try_transition` is one conditional ``UPDATE ... WHERE id = :id AND status = :from``: of any
number of concurrent callers exactly one sees True. Objects are always read fresh from the
database (``populate_existing``), so a status changed by another transaction is never stale.
Command text and parameters are stored as given — they are what executes — and redacted only
where they are shown or audited (secrets belong in declared secret fields, never stored).
``bindings`` keeps what the plan resolved (reference → id) for the re-plan before execution.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from commands.store._sql import upsert_insert
from commands.store.models import Approval, ApprovalStatus, Vote, VoteChoice, new_id, utcnow
from commands.store.redaction import redact

_FRESH = {"populate_existing": True}

Hold = tuple[str, datetime]
"""(executor, until): who holds an approved/executing row, and until when."""


class ApprovalRepository:
    """Approvals and votes within one unit of work (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        action: str,
        command_text: str,
        requester_id: str,
        requester_name: str,
        target_name: str,
        expires_at: datetime,
        requester_team: str | None = None,
        channel: str | None = None,
        cluster_id: str | None = None,
        cluster_name: str | None = None,
        params: Mapping[str, Any] | None = None,
        plan_state: Mapping[str, Any] | None = None,
        required_approvals: int = 1,
        approver_roles: Sequence[str] = (),
        distinct_roles: bool = False,
        approval_id: str | None = None,
        now: datetime | None = None,
        bindings: Mapping[str, str] | None = None,
        requester_groups: Sequence[str] = (),
        status: ApprovalStatus = ApprovalStatus.PENDING,
        hold: Hold | None = None,
    ) -> Approval:
        """Store a new approval (pending, or ``executing`` under ``hold`` for a change that
        needs no approval: the row is then its execution ledger) and return it.

        ``requester_groups``: the groups the requester had (the policy re-check at execution
        maps them to roles again)."""
        now = now or utcnow()
        approval = Approval(
            id=approval_id or new_id(),
            action=action,
            command_text=command_text,
            requester_id=requester_id,
            requester_name=requester_name,
            requester_team=requester_team,
            requester_groups=list(requester_groups),
            channel=channel,
            target_name=target_name,
            cluster_id=cluster_id,
            cluster_name=cluster_name,
            params=dict(params or {}),
            plan_state=dict(plan_state or {}),
            bindings=dict(bindings or {}),
            status=status,
            executor=hold[0] if hold else None,
            executing_until=hold[1] if hold else None,
            required_approvals=required_approvals,
            approver_roles=list(approver_roles),
            distinct_roles=distinct_roles,
            created_at=now,
            expires_at=expires_at,
            updated_at=now,
        )
        self.session.add(approval)
        await self.session.flush()
        return approval

    async def get(
        self, approval_id: str, *, with_votes: bool = False, lock: bool = False
    ) -> Approval | None:
        """The approval (with its votes loaded if asked), read fresh; None if unknown.

        ``lock`` takes the row lock (PostgreSQL ``FOR UPDATE``; SQLite's write transactions are
        serial anyway), so the clicks on one request are decided one after the other."""
        stmt = sa.select(Approval).where(Approval.id == approval_id)
        if lock:
            stmt = stmt.with_for_update()
        if with_votes:
            stmt = stmt.options(selectinload(Approval.votes))
        return (await self.session.scalars(stmt, execution_options=_FRESH)).one_or_none()

    async def add_vote(
        self,
        approval_id: str,
        *,
        voter_id: str,
        voter_name: str,
        voter_role: str,
        choice: VoteChoice,
        at: datetime | None = None,
        voter_groups: Sequence[str] = (),
    ) -> bool:
        """Record a vote; False (and nothing changed) if this voter already voted.

        ``voter_groups``: the voter's groups, so the vote is re-judged at execution by the
        policy then in force (`commands.approval_rules`)."""
        stmt: sa.Executable = (
            upsert_insert(self.session, Vote)
            .values(
                approval_id=approval_id,
                voter_id=voter_id,
                voter_name=voter_name,
                voter_role=voter_role,
                voter_groups=list(voter_groups),
                choice=VoteChoice(choice),
                at=at or utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["approval_id", "voter_id"])
            .returning(sa.literal_column("1"))
        )
        return (await self.session.execute(stmt)).first() is not None

    async def votes(self, approval_id: str) -> list[Vote]:
        """The votes on an approval, oldest first."""
        stmt = sa.select(Vote).where(Vote.approval_id == approval_id).order_by(Vote.id)
        return list((await self.session.scalars(stmt, execution_options=_FRESH)).all())

    async def try_transition(
        self,
        approval_id: str,
        from_status: ApprovalStatus | Collection[ApprovalStatus],
        to_status: ApprovalStatus,
        *,
        now: datetime | None = None,
        hold: Hold | None = None,
        held_by: str | None = None,
    ) -> bool:
        """Move the approval from ``from_status`` (one or several) to ``to_status`` atomically.

        True only for the caller whose UPDATE changed the row; everyone else gets False.
        ``hold`` = (executor, until) is who holds the row while it runs; moving to any other
        status than approved/executing clears the hold. ``held_by``: only if that executor
        still holds it (a late outcome never overwrites what the sweeper settled).
        """
        sources = [from_status] if isinstance(from_status, str) else list(from_status)
        values: dict[str, Any] = {"status": to_status, "updated_at": now or utcnow()}
        if hold is not None:
            values.update(executor=hold[0], executing_until=hold[1])
        elif to_status not in (ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING):
            values.update(executor=None, executing_until=None)
        stmt = sa.update(Approval).where(Approval.id == approval_id, Approval.status.in_(sources))
        if held_by is not None:
            stmt = stmt.where(Approval.executor == held_by)
        stmt = stmt.values(**values).returning(Approval.id)
        stmt = stmt.execution_options(synchronize_session=False)
        return (await self.session.execute(stmt)).first() is not None

    async def release(self, approval_id: str, held_by: str, *, now: datetime) -> bool:
        """``held_by`` lets go of an executing row (a tracker follows it, or its outcome is
        unknown): it is due for the sweeper at once unless a live tracker has it."""
        stmt = (
            sa.update(Approval)
            .where(
                Approval.id == approval_id,
                Approval.status == ApprovalStatus.EXECUTING,
                Approval.executor == held_by,
            )
            .values(executor=None, executing_until=now)
            .returning(Approval.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def list_stale(self, *, now: datetime, limit: int = 50) -> list[Approval]:
        """Approved or executing rows whose hold has run out (or that never had one), oldest
        first: a process stopped between the transition and the record of the outcome."""
        stmt = (
            sa.select(Approval)
            .where(*self._stale(now))
            .order_by(Approval.updated_at, Approval.id)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt, execution_options=_FRESH)).all())

    async def take(self, approval_id: str, hold: Hold, *, now: datetime) -> bool:
        """Hold a stale row (the sweeper): True if its hold was still run out."""
        stmt = (
            sa.update(Approval)
            .where(Approval.id == approval_id, *self._stale(now))
            .values(executor=hold[0], executing_until=hold[1])
            .returning(Approval.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None

    @staticmethod
    def _stale(now: datetime) -> tuple[sa.ColumnElement[bool], ...]:
        running = (ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING)
        expired = sa.or_(Approval.executing_until.is_(None), Approval.executing_until <= now)
        return (Approval.status.in_(running), expired)

    async def set_message_ref(self, approval_id: str, channel: str, ts: str) -> None:
        """Remember the chat message that shows this approval (to update it in place)."""
        await self._update(approval_id, message_channel=channel, message_ts=ts)

    async def set_result(
        self,
        approval_id: str,
        *,
        request_id: str | None = None,
        job_id: str | None = None,
        error_code: str | None = None,
        text: str | None = None,
    ) -> None:
        """Record what execution returned (DWS request id, job id, error code, a sentence)."""
        await self._update(
            approval_id,
            result_request_id=request_id,
            result_job_id=job_id,
            result_error_code=error_code,
            result_text=redact(text) if text is not None else None,
        )

    async def _update(self, approval_id: str, **values: Any) -> None:
        stmt = (
            sa.update(Approval)
            .where(Approval.id == approval_id)
            .values(updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)

    async def list_pending(
        self, *, channel: str | None = None, requester_id: str | None = None, limit: int = 100
    ) -> list[Approval]:
        """Pending approvals, oldest first (optionally of one channel or requester)."""
        stmt = (
            sa.select(Approval)
            .where(Approval.status == ApprovalStatus.PENDING)
            .order_by(Approval.created_at, Approval.id)
            .limit(limit)
        )
        if channel is not None:
            stmt = stmt.where(Approval.channel == channel)
        if requester_id is not None:
            stmt = stmt.where(Approval.requester_id == requester_id)
        return list((await self.session.scalars(stmt, execution_options=_FRESH)).all())

    async def expire_due(
        self,
        *,
        now: datetime | None = None,
        statuses: Collection[ApprovalStatus] = (ApprovalStatus.PENDING, ApprovalStatus.APPROVED),
    ) -> list[str]:
        """Mark approvals past ``expires_at`` as expired; the ids this call expired (each once)."""
        now = now or utcnow()
        stmt = (
            sa.update(Approval)
            .where(Approval.status.in_(list(statuses)), Approval.expires_at <= now)
            .values(status=ApprovalStatus.EXPIRED, updated_at=now)
            .returning(Approval.id)
            .execution_options(synchronize_session=False)
        )
        return sorted(str(i) for i in (await self.session.scalars(stmt)).all())

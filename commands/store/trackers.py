"""The tracker repository: long DWS operations polled until they finish (they survive restarts).

    op = await uow.trackers.create(target_name="default", kind="restart", cluster_id=cid)
    due = await uow.trackers.claim_due("replica-1", lease_for=timedelta(seconds=60))
    await uow.trackers.record_poll(op.id, progress="40%", next_poll_at=t)
    await uow.trackers.finish(op.id, TrackerStatus.SUCCEEDED, detail="restarted")

`claim_due` leases due trackers to one owner in a single ``UPDATE ... RETURNING`` (on
PostgreSQL the candidates are picked with ``FOR UPDATE SKIP LOCKED``), so two workers never
poll the same operation at once; a crashed worker's lease simply runs out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from commands.store.models import TrackedOperation, TrackerStatus, new_id, utcnow
from commands.store.redaction import redact, redact_params

_FRESH = {"populate_existing": True}


class TrackerRepository:
    """Tracked operations within one unit of work (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        target_name: str,
        kind: str,
        cluster_id: str | None = None,
        cluster_name: str | None = None,
        job_id: str | None = None,
        approval_id: str | None = None,
        message_channel: str | None = None,
        message_ts: str | None = None,
        next_poll_at: datetime | None = None,
        now: datetime | None = None,
        requester: tuple[str, str | None, str | None] | None = None,
        command_text: str | None = None,
        request_id: str | None = None,
        params: dict[str, Any] | None = None,
        approvers: list[str] | None = None,
    ) -> TrackedOperation:
        """Start tracking an operation (active, first poll at ``next_poll_at`` or now).

        ``requester`` (id, name, team), ``command_text``, ``request_id``, ``params`` and
        ``approvers`` are kept for the final audit record; text and parameters are redacted."""
        now = now or utcnow()
        user_id, user_name, team = requester or (None, None, None)
        op = TrackedOperation(
            id=new_id(),
            target_name=target_name,
            kind=kind,
            cluster_id=cluster_id,
            cluster_name=cluster_name,
            job_id=job_id,
            approval_id=approval_id,
            status=TrackerStatus.ACTIVE,
            polls=0,
            message_channel=message_channel,
            message_ts=message_ts,
            next_poll_at=next_poll_at or now,
            started_at=now,
            requester_id=user_id,
            requester_name=user_name,
            requester_team=team,
            command_text=redact(command_text) if command_text is not None else None,
            request_id=request_id,
            params=redact_params(dict(params)) if params is not None else None,
            approvers=list(approvers) if approvers is not None else None,
        )
        self.session.add(op)
        await self.session.flush()
        return op

    async def get(self, tracker_id: str) -> TrackedOperation | None:
        """The tracked operation, read fresh; None if unknown."""
        stmt = sa.select(TrackedOperation).where(TrackedOperation.id == tracker_id)
        return (await self.session.scalars(stmt, execution_options=_FRESH)).one_or_none()

    async def claim_due(
        self,
        owner: str,
        *,
        lease_for: timedelta,
        now: datetime | None = None,
        limit: int = 20,
    ) -> list[TrackedOperation]:
        """Lease up to ``limit`` active trackers due for a poll to ``owner``; return them."""
        now = now or utcnow()
        free = sa.or_(TrackedOperation.lease_until.is_(None), TrackedOperation.lease_until <= now)
        candidates = (
            sa.select(TrackedOperation.id)
            .where(
                TrackedOperation.status == TrackerStatus.ACTIVE,
                TrackedOperation.next_poll_at <= now,
                free,
            )
            .order_by(TrackedOperation.next_poll_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            sa.update(TrackedOperation)
            .where(TrackedOperation.id.in_(candidates.scalar_subquery()), free)
            .values(lease_owner=owner, lease_until=now + lease_for)
            .returning(TrackedOperation)
        )
        result = await self.session.scalars(stmt, execution_options=_FRESH)
        return sorted(result.all(), key=lambda op: op.next_poll_at)

    async def record_poll(
        self,
        tracker_id: str,
        *,
        next_poll_at: datetime,
        progress: str | None = None,
        detail: str | None = None,
        job_id: str | None = None,
        evidence: str | None = None,
    ) -> None:
        """Store what a poll saw and when to poll next (the lease is kept); ``evidence``: what
        showed the operation started, when first seen."""
        values: dict[str, Any] = {
            "next_poll_at": next_poll_at,
            "polls": TrackedOperation.polls + 1,
        }
        if progress is not None:
            values["last_progress"] = progress
        if detail is not None:
            values["detail"] = redact(detail)
        if job_id is not None:
            values["job_id"] = job_id
        if evidence is not None:
            values["evidence"] = evidence
        await self._update(tracker_id, **values)

    async def finish(
        self,
        tracker_id: str,
        status: TrackerStatus,
        *,
        detail: str | None = None,
        error_code: str | None = None,
        now: datetime | None = None,
        evidence: str | None = None,
    ) -> bool:
        """Close an active tracker with its final status (and ``evidence``, when the last poll
        was the first to show the operation started); False if it was already finished."""
        if status is TrackerStatus.ACTIVE:
            raise ValueError("finish() needs a final status")
        stmt = (
            sa.update(TrackedOperation)
            .where(
                TrackedOperation.id == tracker_id,
                TrackedOperation.status == TrackerStatus.ACTIVE,
            )
            .values(
                status=status,
                detail=redact(detail) if detail is not None else TrackedOperation.detail,
                error_code=error_code,
                finished_at=now or utcnow(),
                evidence=evidence if evidence is not None else TrackedOperation.evidence,
                lease_owner=None,
                lease_until=None,
            )
            .returning(TrackedOperation.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def release(self, tracker_id: str, owner: str) -> None:
        """Give up ``owner``'s lease on a tracker (another worker may poll it at once)."""
        stmt = (
            sa.update(TrackedOperation)
            .where(TrackedOperation.id == tracker_id, TrackedOperation.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)

    async def release_all(self, owner: str) -> int:
        """Give up every lease ``owner`` holds (at shutdown: other replicas take over at once)."""
        stmt = (
            sa.update(TrackedOperation)
            .where(TrackedOperation.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

    async def set_message_ref(self, tracker_id: str, channel: str, ts: str) -> None:
        """Remember the chat message showing this operation's progress."""
        await self._update(tracker_id, message_channel=channel, message_ts=ts)

    async def list_active(self, *, limit: int = 100) -> list[TrackedOperation]:
        """Active trackers, oldest first."""
        stmt = (
            sa.select(TrackedOperation)
            .where(TrackedOperation.status == TrackerStatus.ACTIVE)
            .order_by(TrackedOperation.started_at, TrackedOperation.id)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt, execution_options=_FRESH)).all())

    async def active_for(self, approval_id: str) -> bool:
        """True when an active tracker follows the execution of ``approval_id``."""
        stmt = sa.select(TrackedOperation.id).where(
            TrackedOperation.approval_id == approval_id,
            TrackedOperation.status == TrackerStatus.ACTIVE,
        )
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def _update(self, tracker_id: str, **values: Any) -> None:
        stmt = (
            sa.update(TrackedOperation)
            .where(TrackedOperation.id == tracker_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)

"""The rate-budget repository: token buckets shared by every replica.

    wait = await uow.budgets.take("slack:chat.update:T1", rate_per_minute=40, burst=10)
    if wait:   # seconds until a token is due (or the pause ends); nothing was taken
        ...
    await uow.budgets.pause("slack:chat.update:T1", until=now + timedelta(seconds=30))

A bucket holds at most ``burst`` tokens and refills at ``rate_per_minute``; it is created full
on first use. The refill is computed from the stored ``updated_at`` when a token is asked for,
so nothing ticks in the background. `take` works on the row locked: ``INSERT ... ON CONFLICT
DO NOTHING`` (race-safe creation), then ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the
write transaction's ``BEGIN IMMEDIATE`` already serialises takers. So concurrent takers on any
replica never spend one token twice. A clock behind the stored time refills nothing (and never
moves ``updated_at`` back), so replicas with skewed clocks cannot refill a bucket twice.

`pause` (a rate-limit answer's Retry-After) stops every taker until then and empties the
bucket: the refill starts again when the pause ends, so the service is not met with a burst.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from commands.store._sql import upsert_insert
from commands.store.models import RateBudget, utcnow

_FRESH = {"populate_existing": True}


class BudgetRepository:
    """Shared token buckets within one unit of work (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take(
        self, name: str, *, rate_per_minute: float, burst: int, now: datetime | None = None
    ) -> float:
        """Take one token: 0.0 if taken, else the seconds to wait before asking again (> 0).

        Nothing is taken while the bucket is paused or holds less than one token."""
        if not rate_per_minute > 0 or burst < 1:
            raise ValueError("a rate budget needs a positive rate and a burst of at least 1")
        now = now or utcnow()
        budget = await self._locked(name, tokens=float(burst), updated_at=now)
        if budget.paused_until is not None and budget.paused_until > now:
            return (budget.paused_until - now).total_seconds()
        per_second = rate_per_minute / 60.0
        elapsed = max(0.0, (now - budget.updated_at).total_seconds())
        tokens = min(float(burst), budget.tokens + elapsed * per_second)
        if tokens < 1.0:
            return (1.0 - tokens) / per_second
        await self._store(name, tokens=tokens - 1.0, updated_at=max(now, budget.updated_at))
        return 0.0

    async def pause(self, name: str, until: datetime) -> None:
        """Stop every taker of ``name`` until ``until`` (a later pause already set stands) and
        empty the bucket, which refills from then on."""
        budget = await self._locked(name, tokens=0.0, updated_at=until)
        paused = until if budget.paused_until is None else max(budget.paused_until, until)
        await self._store(
            name, tokens=0.0, updated_at=max(budget.updated_at, until), paused_until=paused
        )

    async def _locked(self, name: str, *, tokens: float, updated_at: datetime) -> RateBudget:
        """The bucket's row, created with ``tokens`` if missing, locked for this transaction."""
        insert = upsert_insert(self.session, RateBudget).values(
            name=name, tokens=tokens, updated_at=updated_at, paused_until=None
        )
        await self.session.execute(insert.on_conflict_do_nothing(index_elements=["name"]))
        stmt = sa.select(RateBudget).where(RateBudget.name == name).with_for_update()
        return (await self.session.scalars(stmt, execution_options=_FRESH)).one()

    async def _store(self, name: str, **values: float | datetime) -> None:
        stmt = (
            sa.update(RateBudget)
            .where(RateBudget.name == name)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)

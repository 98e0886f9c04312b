"""The lease repository: named leases that keep a background worker single across replicas.

    if await uow.leases.acquire("event-poller", owner=replica_id, ttl=timedelta(seconds=30)):
        ...   # this replica polls until the lease runs out; renew by acquiring again

`acquire` is one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` (the row is taken only when it
is free, expired, or already ours), so two replicas never both hold a live lease.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from commands.store._sql import upsert_insert
from commands.store.models import Lease, utcnow


class LeaseRepository:
    """Leases within one unit of work (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def acquire(
        self, name: str, owner: str, *, ttl: timedelta, now: datetime | None = None
    ) -> bool:
        """Take or renew the lease ``name`` for ``owner`` until now + ttl; False if held."""
        now = now or utcnow()
        insert = upsert_insert(self.session, Lease).values(name=name, owner=owner, until=now + ttl)
        stmt = insert.on_conflict_do_update(
            index_elements=["name"],
            set_={"owner": insert.excluded.owner, "until": insert.excluded.until},
            where=sa.or_(Lease.until <= now, Lease.owner == owner),
        ).returning(Lease.name)
        return (await self.session.execute(stmt)).first() is not None

    async def release(self, name: str, owner: str) -> bool:
        """Give the lease up if ``owner`` holds it."""
        stmt = (
            sa.delete(Lease)
            .where(Lease.name == name, Lease.owner == owner)
            .returning(Lease.name)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def holder(self, name: str, *, now: datetime | None = None) -> str | None:
        """Who holds the lease now (None if free or expired)."""
        stmt = sa.select(Lease.owner).where(Lease.name == name, Lease.until > (now or utcnow()))
        return (await self.session.execute(stmt)).scalar_one_or_none()

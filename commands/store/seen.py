"""The seen-deliveries repository: idempotency keys, each claimed once across replicas.

    if await uow.seen.claim(f"slack:event:{event_id}"):
        ...   # the first delivery: handle it
    removed = await uow.seen.prune(before=now - timedelta(days=1))

`claim` is one ``INSERT ... ON CONFLICT DO NOTHING ... RETURNING`` (SQLite's equivalent of
``INSERT OR IGNORE``): of any number of concurrent claimers, in any replica, exactly one sees
True (on PostgreSQL the others wait on the key's unique index until the winner commits, then
insert nothing; a winner that rolls back leaves the key free).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from commands.store._sql import upsert_insert
from commands.store.models import SeenDelivery, utcnow

MAX_KEY_LENGTH = 255
"""The longest idempotency key (``seen_deliveries.key``)."""


class SeenRepository:
    """Idempotency keys within one unit of work (never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, key: str, now: datetime | None = None) -> bool:
        """Record ``key`` as seen: True the first time only (for every replica)."""
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValueError(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters")
        insert = upsert_insert(self.session, SeenDelivery).values(key=key, seen_at=now or utcnow())
        stmt = insert.on_conflict_do_nothing(index_elements=["key"]).returning(SeenDelivery.key)
        return (await self.session.execute(stmt)).first() is not None

    async def prune(self, before: datetime) -> int:
        """Forget the keys seen before ``before``; how many were removed."""
        stmt = (
            sa.delete(SeenDelivery)
            .where(SeenDelivery.seen_at < before)
            .execution_options(synchronize_session=False)
        )
        result = cast("sa.CursorResult[Any]", await self.session.execute(stmt))
        return result.rowcount

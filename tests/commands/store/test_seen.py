"""SeenRepository on SQLite and PostgreSQL: a key is claimed once, across transactions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands.store import Database
from commands.store.seen import MAX_KEY_LENGTH
from tests.db_fixtures import fresh_database

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


async def _claim(db: Database, key: str, at: datetime = T0) -> bool:
    async with db.unit_of_work() as uow:
        return await uow.seen.claim(key, at)


async def test_a_key_is_claimed_the_first_time_only(database: Database) -> None:
    assert await _claim(database, "slack:event:Ev1")
    assert not await _claim(database, "slack:event:Ev1")
    assert await _claim(database, "slack:event:Ev2")


async def test_prune_forgets_old_keys_only(database: Database) -> None:
    for n in range(3):
        await _claim(database, f"old-{n}", T0)
    await _claim(database, "new", T0 + timedelta(hours=2))
    async with database.unit_of_work() as uow:
        assert await uow.seen.prune(T0 + timedelta(hours=1)) == 3
        assert await uow.seen.prune(T0 + timedelta(hours=1)) == 0
    assert await _claim(database, "old-0")
    assert not await _claim(database, "new")


async def test_a_rolled_back_claim_leaves_the_key_free(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as uow:
            assert await uow.seen.claim("slack:event:Ev1", T0)
            raise RuntimeError("handling failed")
    assert await _claim(database, "slack:event:Ev1")


@pytest.mark.parametrize("key", ["", "k" * (MAX_KEY_LENGTH + 1)])
async def test_keys_have_a_length(database: Database, key: str) -> None:
    with pytest.raises(ValueError, match="idempotency key"):
        await _claim(database, key)
    assert await _claim(database, "k" * MAX_KEY_LENGTH)


async def test_50_concurrent_claims_of_one_key_have_one_winner(
    db_kind: str, tmp_path: Path
) -> None:
    async with fresh_database(db_kind, tmp_path, pool_size=20) as db:
        results = await asyncio.gather(*(_claim(db, "slack:event:Ev9") for _ in range(50)))
    assert results.count(True) == 1

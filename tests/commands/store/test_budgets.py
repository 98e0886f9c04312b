"""BudgetRepository on SQLite and PostgreSQL: refill, take, pause, concurrent takers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands.store import Database
from tests.db_fixtures import fresh_database

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
NAME = "slack:chat.update:T1"


async def _take(
    db: Database, at: datetime, *, rate: float = 30.0, burst: int = 3, name: str = NAME
) -> float:
    async with db.unit_of_work() as uow:
        return await uow.budgets.take(name, rate_per_minute=rate, burst=burst, now=at)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_a_new_bucket_is_full_then_says_how_long_to_wait(database: Database) -> None:
    assert [await _take(database, T0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await _take(database, T0) == pytest.approx(2.0)  # 30/min: one token every 2 s
    assert await _take(database, T0, name="slack:chat.update:T2") == 0.0  # buckets are apart


async def test_the_bucket_refills_with_time_up_to_its_burst(database: Database) -> None:
    for _ in range(3):
        await _take(database, T0)
    assert await _take(database, _at(1)) == pytest.approx(1.0)  # half a token so far
    assert await _take(database, _at(2)) == 0.0
    assert await _take(database, _at(2)) == pytest.approx(2.0)
    later = _at(3600)  # an hour refills three tokens, not 1800
    assert [await _take(database, later) for _ in range(4)][-1] == pytest.approx(2.0)
    assert [await _take(database, _at(3600 + 6)) for _ in range(3)] == [0.0, 0.0, 0.0]


async def test_a_clock_behind_the_stored_time_refills_nothing(database: Database) -> None:
    assert await _take(database, _at(10), burst=2, rate=60) == 0.0
    assert await _take(database, T0, burst=2, rate=60) == 0.0  # a replica 10 s behind
    assert await _take(database, T0, burst=2, rate=60) == pytest.approx(1.0)
    # had the skewed take moved the stored time back, 10.5 s would look like a full refill
    assert await _take(database, _at(10.5), burst=2, rate=60) == pytest.approx(0.5)


async def test_a_pause_stops_takers_then_the_bucket_refills_from_its_end(
    database: Database,
) -> None:
    async with database.unit_of_work() as uow:
        await uow.budgets.pause(NAME, _at(30))
    assert await _take(database, T0) == pytest.approx(30.0)
    assert await _take(database, _at(29)) == pytest.approx(1.0)
    assert await _take(database, _at(30)) == pytest.approx(2.0)  # emptied by the pause
    assert await _take(database, _at(32)) == 0.0


async def test_a_shorter_pause_does_not_cut_a_longer_one(database: Database) -> None:
    assert await _take(database, T0) == 0.0
    async with database.unit_of_work() as uow:
        await uow.budgets.pause(NAME, _at(60))
        await uow.budgets.pause(NAME, _at(10))
    assert await _take(database, _at(5)) == pytest.approx(55.0)


async def test_a_rolled_back_take_spends_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as uow:
            assert await uow.budgets.take(NAME, rate_per_minute=1, burst=1, now=T0) == 0.0
            raise RuntimeError("the send failed before commit")
    assert await _take(database, T0, rate=1, burst=1) == 0.0


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 3), (-1.0, 3), (float("nan"), 3), (30.0, 0)])
async def test_a_budget_needs_a_positive_rate_and_burst(
    database: Database, rate: float, burst: int
) -> None:
    with pytest.raises(ValueError, match="positive rate"):
        await _take(database, T0, rate=rate, burst=burst)


async def test_200_concurrent_takers_spend_exactly_the_burst(db_kind: str, tmp_path: Path) -> None:
    async with fresh_database(db_kind, tmp_path, pool_size=20) as db:
        waits = await asyncio.gather(*(_take(db, T0, rate=40, burst=40) for _ in range(200)))
    assert waits.count(0.0) == 40
    assert all(wait == pytest.approx(1.5) for wait in waits if wait)

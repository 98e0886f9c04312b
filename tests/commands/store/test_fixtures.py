"""The shared database fixtures (tests/db_fixtures.py) give what their docstring promises.

A fresh database of each kind is migrated to head and empty; a PostgreSQL one lives in its own
schema, invisible to another fresh database and dropped afterwards; an unreachable PostgreSQL
skips the test outside CI and fails it in CI — through `fresh_database`, the path every
`database` fixture takes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from commands.store import AuditEntry, AuditEvent, Database
from commands.store.migrate import head_revision
from tests import db_fixtures
from tests.db_fixtures import DB_KINDS, database, db_kind, fresh_database

__all__ = ["database", "db_kind"]

UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/test"


async def _one_record(db: Database, user: str) -> None:
    async with db.unit_of_work() as uow:
        await uow.audit.append(AuditEntry(event=AuditEvent.REQUESTED, user_name=user))


async def _users(db: Database) -> list[str | None]:
    async with db.unit_of_work(readonly=True) as uow:
        return [record.user_name async for record in uow.audit.stream()]


async def _schema_exists(schema: str) -> bool:
    database = Database(db_fixtures.PG_URL)
    try:
        async with database.engine.connect() as conn:
            found = await conn.scalar(
                sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema}
            )
        return bool(found)
    finally:
        await database.dispose()


def test_every_database_test_runs_on_both_kinds() -> None:
    kinds = [getattr(k, "values", (k,))[0] for k in DB_KINDS]
    assert kinds == ["sqlite", "postgres"]


async def test_a_fresh_database_is_migrated_and_empty(database: Database) -> None:
    assert await database.current_revision() == head_revision()
    assert await _users(database) == []
    await _one_record(database, "alice")
    assert await _users(database) == ["alice"]


async def test_fresh_databases_do_not_share_rows(db_kind: str, tmp_path: Path) -> None:
    async with fresh_database(db_kind, tmp_path) as first:
        await _one_record(first, "alice")
        async with fresh_database(db_kind, tmp_path) as second:
            assert await _users(second) == []
            await _one_record(second, "bob")
        assert await _users(first) == ["alice"]


@pytest.mark.postgres
async def test_a_postgres_database_is_its_own_schema_dropped_afterwards(tmp_path: Path) -> None:
    async with fresh_database("postgres", tmp_path) as db:
        schema = db.schema
        assert schema is not None and schema.startswith("test_")
        assert await _schema_exists(schema)
        async with db.engine.connect() as conn:
            tables = await conn.scalar(
                sa.text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema = :s AND table_name = 'audit_records'"
                ),
                {"s": schema},
            )
        assert tables == 1
    assert not await _schema_exists(schema)


async def test_unreachable_postgres_skips_outside_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(db_fixtures, "PG_URL", UNREACHABLE)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        async with fresh_database("postgres", tmp_path):
            pytest.fail("a database was given although PostgreSQL is unreachable")


async def test_unreachable_postgres_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(db_fixtures, "PG_URL", UNREACHABLE)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        async with fresh_database("postgres", tmp_path):
            pass

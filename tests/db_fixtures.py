"""Database fixtures for every test that needs the store, on SQLite and on PostgreSQL.

Import them in a test module or conftest::

    from tests.db_fixtures import database, db_kind  # noqa: F401

``database`` is a fresh `Database` built by ``alembic upgrade head``: an SQLite file in the
test's tmp_path, or a uniquely named PostgreSQL schema (dropped afterwards) in the server at
127.0.0.1:5432 (``DWSBOT_TEST_PG_URL`` overrides). PostgreSQL tests are skipped when the server
is unreachable, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from commands.store import Database

PG_URL = os.environ.get("DWSBOT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
DB_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_reachable() -> bool:
    url = make_url(PG_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    """Skip (outside CI) or fail (in CI) when the PostgreSQL server cannot be reached."""
    if postgres_reachable():
        return
    message = f"PostgreSQL is unreachable at {make_url(PG_URL).render_as_string()}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: PostgreSQL tests must run)")
    pytest.skip(message)


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(PG_URL, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql))
    finally:
        await engine.dispose()


@asynccontextmanager
async def fresh_database(
    kind: str, tmp_path: Path, *, upgrade: bool = True, pool_size: int = 5
) -> AsyncIterator[Database]:
    """A new empty database of ``kind`` ("sqlite" or "postgres"), migrated unless told not to."""
    if kind == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / f'dwsbot-{uuid.uuid4().hex[:8]}.db'}")
        schema = None
    else:
        require_postgres()
        schema = f"test_{uuid.uuid4().hex[:16]}"
        await _pg_admin(f'CREATE SCHEMA "{schema}"')
        db = Database(PG_URL, schema=schema, pool_size=pool_size, max_overflow=0)
    try:
        if upgrade:
            await db.upgrade()
        yield db
    finally:
        await db.dispose()
        if schema is not None:
            await _pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=DB_KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    """Each test using it runs on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
async def database(db_kind: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database (see the module docstring)."""
    async with fresh_database(db_kind, tmp_path) as db:
        yield db

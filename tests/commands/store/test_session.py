"""Database, unit of work, URLs and the unavailable-database error."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from commands.store import (
    Database,
    DatabaseUnavailableError,
    DatabaseUrlError,
    default_database_path,
    default_database_url,
    mask_url,
)
from commands.store.migrate import head_revision
from commands.store.models import Lease, utcnow


async def test_upgrade_reaches_head(database: Database) -> None:
    assert head_revision() is not None
    assert await database.current_revision() == head_revision()


async def test_unit_of_work_commits_on_success(database: Database) -> None:
    async with database.unit_of_work() as uow:
        uow.session.add(Lease(name="a", owner="me", until=utcnow()))
    async with database.unit_of_work(readonly=True) as uow:
        names = (await uow.session.scalars(sa.select(Lease.name))).all()
    assert names == ["a"]


async def test_unit_of_work_rolls_back_on_error(database: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with database.unit_of_work() as uow:
            uow.session.add(Lease(name="b", owner="me", until=utcnow()))
            await uow.session.flush()
            raise RuntimeError("boom")
    async with database.unit_of_work(readonly=True) as uow:
        assert (await uow.session.scalars(sa.select(Lease.name))).all() == []


async def test_ping(database: Database) -> None:
    await database.ping()


async def test_postgres_down_is_one_clear_line_without_password() -> None:
    db = Database("postgresql://bot:s3cret-pw@127.0.0.1:1/dwsbot", connect_timeout=2)
    try:
        with pytest.raises(DatabaseUnavailableError) as info:
            async with db.unit_of_work():
                pass
    finally:
        await db.dispose()
    message = str(info.value)
    assert message.startswith("database unavailable (postgresql+asyncpg://bot:***@127.0.0.1:1/")
    assert "s3cret-pw" not in message
    assert "\n" not in message
    assert info.value.__cause__ is None


async def test_postgres_down_on_upgrade_and_ping() -> None:
    db = Database("postgresql://bot:pw@127.0.0.1:1/dwsbot", connect_timeout=2)
    try:
        with pytest.raises(DatabaseUnavailableError, match=r"127\.0\.0\.1:1"):
            await db.upgrade()
        with pytest.raises(DatabaseUnavailableError, match="database unavailable"):
            await db.ping()
        with pytest.raises(DatabaseUnavailableError):
            await db.current_revision()
    finally:
        await db.dispose()


async def test_sqlite_unreachable_path(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    db = Database(f"sqlite:///{blocker / 'sub' / 'dwsbot.db'}")
    try:
        with pytest.raises(DatabaseUnavailableError, match="database unavailable") as info:
            await db.ping()
    finally:
        await db.dispose()
    assert "\n" not in str(info.value)


async def test_sqlite_creates_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "dwsbot.db"
    async with Database(f"sqlite:///{path}") as db:
        await db.upgrade()
        assert await db.current_revision() == head_revision()
    assert path.is_file()


def test_default_url_is_a_file_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_database_path(tmp_path) == tmp_path / "dwsbot.db"
    assert default_database_url(tmp_path) == f"sqlite+aiosqlite:///{tmp_path / 'dwsbot.db'}"
    monkeypatch.setenv("DWSBOT_DATA_DIR", str(tmp_path / "data"))
    assert default_database_path() == tmp_path / "data" / "dwsbot.db"
    monkeypatch.delenv("DWSBOT_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_database_path() == tmp_path / "xdg" / "dwsbot" / "dwsbot.db"


async def test_database_without_url_uses_the_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWSBOT_DATA_DIR", str(tmp_path / "data"))
    async with Database() as db:
        await db.upgrade()
    assert (tmp_path / "data" / "dwsbot.db").is_file()


def test_urls_are_normalised_to_async_drivers() -> None:
    assert Database("postgresql://u@h/db").url.drivername == "postgresql+asyncpg"
    assert Database("postgres://u@h/db").url.drivername == "postgresql+asyncpg"
    assert Database("sqlite:///x.db").url.drivername == "sqlite+aiosqlite"
    assert Database("sqlite://").dialect == "sqlite"


@pytest.mark.parametrize("url", ["mysql://u:pw@h/db", "not a url", "oracle+cx://a"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(DatabaseUrlError) as info:
        Database(url)
    assert "pw" not in str(info.value)


def test_mask_url() -> None:
    assert mask_url("postgresql://u:secret@h:5/db") == "postgresql://u:***@h:5/db"
    assert "secret" not in mask_url("weird://u:secret@host")
    assert mask_url("sqlite:///x.db") == "sqlite:///x.db"


async def test_in_memory_sqlite_keeps_one_database() -> None:
    async with Database("sqlite://") as db:
        await db.upgrade()
        async with db.unit_of_work() as uow:
            uow.session.add(Lease(name="m", owner="me", until=utcnow()))
        async with db.unit_of_work() as uow:
            assert (await uow.session.scalars(sa.select(Lease.name))).all() == ["m"]


@pytest.mark.postgres
async def test_missing_postgres_database_is_unavailable() -> None:
    from tests.db_fixtures import PG_URL, require_postgres

    require_postgres()
    url = make_url(PG_URL).set(database="dwsbot_no_such_database", password="pw-not-shown")
    async with Database(url) as db:
        with pytest.raises(DatabaseUnavailableError) as info:
            await db.ping()
    assert "dwsbot_no_such_database" in str(info.value)
    assert "pw-not-shown" not in str(info.value)


@pytest.mark.postgres
async def test_connection_lost_mid_transaction_is_unavailable(tmp_path: Path) -> None:
    from tests.db_fixtures import fresh_database

    async with fresh_database("postgres", tmp_path) as db:
        with pytest.raises(DatabaseUnavailableError, match="database unavailable") as info:
            async with db.unit_of_work() as uow:
                uow.session.add(Lease(name="lost", owner="me", until=utcnow()))
                await uow.session.flush()
                await uow.session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        assert "\n" not in str(info.value)
        async with db.unit_of_work(readonly=True) as uow:  # the pool recovers; nothing was kept
            assert (await uow.session.scalars(sa.select(Lease.name))).all() == []

"""The database: async engine, units of work and upgrade-on-start.

    db = Database(url)                    # None -> the SQLite file under the user data directory
    await db.upgrade()                    # Alembic to head (run on start; safe with replicas)
    async with db.unit_of_work() as uow:  # one transaction: commit on success, rollback on error
        approval = await uow.approvals.get(approval_id)
        await uow.audit.append(entry)
    await db.dispose()

Repositories (``uow.approvals``, ``uow.trackers``, ``uow.audit``, ``uow.leases``,
``uow.budgets``, ``uow.seen``) never commit; the unit of work does. A database that cannot be
reached raises `DatabaseUnavailableError` with one line naming the URL (password masked) and the
reason. On SQLite, write units of work start with ``BEGIN IMMEDIATE`` (writers queue on the file
lock instead of failing when a read lock would have to be upgraded);
``unit_of_work(readonly=True)`` uses a deferred ``BEGIN``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from commands.store.approvals import ApprovalRepository
from commands.store.audit import AuditRepository
from commands.store.budgets import BudgetRepository
from commands.store.chain import AuditKey
from commands.store.errors import DatabaseUnavailableError, StoreError
from commands.store.leases import LeaseRepository
from commands.store.seen import SeenRepository
from commands.store.trackers import TrackerRepository
from commands.store.urls import default_database_url, mask_url, parse_database_url, sqlite_file

_READONLY = "dwsbot_readonly"
SQLITE_BUSY_TIMEOUT_S = 30.0


class UnitOfWork:
    """One transaction and the repositories working in it."""

    def __init__(self, session: AsyncSession, audit_key: AuditKey | None = None) -> None:
        self.session = session
        self.approvals = ApprovalRepository(session)
        self.trackers = TrackerRepository(session)
        self.audit = AuditRepository(session, audit_key)
        self.leases = LeaseRepository(session)
        self.budgets = BudgetRepository(session)
        self.seen = SeenRepository(session)


class Database:
    """The bot's database (SQLite via aiosqlite or PostgreSQL via asyncpg)."""

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        schema: str | None = None,
        pool_size: int = 5,
        max_overflow: int = 10,
        connect_timeout: float = 5.0,
        echo: bool = False,
        audit_key: AuditKey | None = None,
    ) -> None:
        """Build the engine (nothing is connected yet).

        ``schema`` (PostgreSQL only) puts every table in that schema via ``search_path``.
        ``audit_key`` keys the audit chain (HMAC-SHA256); None writes unkeyed sha256 records.
        """
        self.audit_key = audit_key
        self.url = parse_database_url(url if url is not None else default_database_url())
        self.schema = schema
        self.display_url = mask_url(self.url)
        self.engine = self._create_engine(pool_size, max_overflow, connect_timeout, echo)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._readonly_sessions = async_sessionmaker(
            self.engine.execution_options(**{_READONLY: True}), expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def _create_engine(
        self, pool_size: int, max_overflow: int, connect_timeout: float, echo: bool
    ) -> AsyncEngine:
        kwargs: dict[str, Any] = {"echo": echo}
        if self.url.drivername.startswith("sqlite"):
            if self.schema:
                raise StoreError("a schema can only be chosen on PostgreSQL")
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
            if sqlite_file(self.url) is None:
                kwargs["poolclass"] = StaticPool
            engine = create_async_engine(self.url, **kwargs)
            _install_sqlite_hooks(engine)
            return engine
        connect_args: dict[str, Any] = {"timeout": connect_timeout}
        if self.schema:
            connect_args["server_settings"] = {"search_path": self.schema}
        return create_async_engine(
            self.url,
            connect_args=connect_args,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            **kwargs,
        )

    @asynccontextmanager
    async def unit_of_work(self, *, readonly: bool = False) -> AsyncIterator[UnitOfWork]:
        """A transaction: commits when the block ends normally, rolls back on any error."""
        self._prepare()
        session = (self._readonly_sessions if readonly else self._sessions)()
        try:
            await self._begin(session)
            try:
                yield UnitOfWork(session, self.audit_key)
                await session.commit()
            except sa.exc.DBAPIError as exc:
                await _quiet_rollback(session)
                if exc.connection_invalidated or isinstance(
                    exc, sa.exc.OperationalError | sa.exc.InterfaceError
                ):
                    raise self.unavailable(exc) from None
                raise
            except BaseException:
                await _quiet_rollback(session)
                raise
        finally:
            await _quiet_close(session)

    async def _begin(self, session: AsyncSession) -> None:
        try:
            await session.connection()
        except (sa.exc.SQLAlchemyError, OSError, TimeoutError) as exc:
            raise self.unavailable(exc) from None

    async def ping(self) -> None:
        """Connect and run ``SELECT 1``; raise `DatabaseUnavailableError` if that fails."""
        async with self.unit_of_work(readonly=True) as uow:
            await uow.session.execute(sa.text("SELECT 1"))

    async def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision`` (on start; serialised across replicas)."""
        from commands.store import migrate

        self._prepare()
        await migrate.run(self, "upgrade", revision)

    async def downgrade(self, revision: str) -> None:
        """Run the Alembic migrations down to ``revision`` (``"base"`` drops everything)."""
        from commands.store import migrate

        self._prepare()
        await migrate.run(self, "downgrade", revision)

    async def current_revision(self) -> str | None:
        """The revision the database is at (None if never migrated)."""
        from commands.store import migrate

        self._prepare()
        return await migrate.current_revision(self)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.dispose()

    def unavailable(self, exc: BaseException) -> DatabaseUnavailableError:
        """A one-line `DatabaseUnavailableError` for ``exc`` (the password never appears)."""
        reason = _reason(exc)
        password = self.url.password
        if password:
            reason = reason.replace(str(password), "***")
        return DatabaseUnavailableError(f"database unavailable ({self.display_url}): {reason}")

    def _prepare(self) -> None:
        path = sqlite_file(self.url)
        if path is not None and not path.parent.is_dir():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise self.unavailable(exc) from None


def _reason(exc: BaseException) -> str:
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    if isinstance(orig, ConnectionRefusedError):
        text = "connection refused"
    elif isinstance(orig, OSError) and orig.strerror:
        text = orig.strerror
    else:
        text = str(orig) or type(orig).__name__
    if isinstance(orig, TimeoutError):
        text = "connection timed out"
    line = text.strip().splitlines()[0] if text.strip() else type(orig).__name__
    return line[:200]


async def _quiet_rollback(session: AsyncSession) -> None:
    with suppress(sa.exc.SQLAlchemyError, OSError):
        await session.rollback()


async def _quiet_close(session: AsyncSession) -> None:
    with suppress(sa.exc.SQLAlchemyError, OSError):
        await session.close()


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, waiting for the lock: on a new file, SQLite answers a
    connection racing another's switch with "database is locked" at once, without its busy
    handler (replicas starting together on one file), so the switch is retried here."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and explicit BEGIN (IMMEDIATE for writers) on every SQLite connection."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        readonly = conn.get_execution_options().get(_READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

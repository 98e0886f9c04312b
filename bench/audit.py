"""Audit inserts per second on SQLite and PostgreSQL (prints figures; not a timed test).

Every record is individually hash-chained (its own seq, prev_hash and HMAC-SHA256 hash under a
throw-away audit key, as with ``DWSBOT_AUDIT_KEY``). Three shapes:
one record per transaction (sequential), 8 concurrent writers with one record per transaction,
and batches of 100 records per transaction (``append_many``). The chain is verified at the end.
PostgreSQL runs in a temporary schema of ``DWSBOT_BENCH_PG_URL`` (default: the local server,
database ``test``) and is skipped with a note if the server is unreachable.

    .venv/bin/python bench/audit.py
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

# bench/commands.py would shadow the `commands` package: put the repository first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from commands.audit import verify
from commands.store import AuditEntry, AuditEvent, Database, StoreError
from commands.store.chain import AuditKey

PG_URL = os.environ.get("DWSBOT_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
TARGET = 2000
KEY = AuditKey(secrets.token_hex(32))


def entry(i: int) -> AuditEntry:
    return AuditEntry(
        event=AuditEvent.EXECUTED,
        user_id=f"U{i % 50:04d}",
        user_name="alice",
        team="T0001",
        channel="C0001",
        command_text=f"/dws restart prod-dw-{i % 20} --force",
        action="restart",
        target_name="default",
        cluster_id=str(uuid.UUID(int=i % 20)),
        cluster_name=f"prod-dw-{i % 20}",
        params={"force": True, "n": i},
        approvers=["bob"],
        request_id=f"req-{i}",
        job_id=f"job-{i}",
        outcome="submitted",
        duration_ms=i % 900,
    )


async def sequential(db: Database, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        async with db.unit_of_work() as uow:
            await uow.audit.append(entry(i))
    return n / (time.perf_counter() - start)


async def concurrent(db: Database, n: int, writers: int = 8) -> float:
    async def writer(w: int) -> None:
        for i in range(w, n, writers):
            async with db.unit_of_work() as uow:
                await uow.audit.append(entry(i))

    start = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    return n / (time.perf_counter() - start)


async def batched(db: Database, n: int, size: int = 100) -> float:
    start = time.perf_counter()
    for first in range(0, n, size):
        async with db.unit_of_work() as uow:
            await uow.audit.append_many(entry(i) for i in range(first, min(n, first + size)))
    return n / (time.perf_counter() - start)


@asynccontextmanager
async def pg_schema() -> AsyncIterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL, poolclass=NullPool, connect_args={"timeout": 3})
    async with admin.begin() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def run(label: str, db: Database) -> None:
    await db.upgrade()
    figures = {
        "1 record per transaction": await sequential(db, 2000),
        "8 writers, 1 record per transaction": await concurrent(db, 2000),
        "batches of 100 (append_many)": await batched(db, 20000),
    }
    start = time.perf_counter()
    report = await verify(db)
    verify_rate = report.checked / (time.perf_counter() - start)
    print(f"{label}:")
    for shape, rate in figures.items():
        mark = "ok" if rate >= TARGET else f"below {TARGET}/s"
        print(f"  {shape:<38} {rate:>9,.0f} inserts/s  ({mark})")
    print(f"  verify: {report.summary()} ({verify_rate:,.0f} records/s)")


async def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        async with Database(f"sqlite:///{Path(tmp) / 'bench.db'}", audit_key=KEY) as db:
            await run("SQLite (aiosqlite, WAL)", db)
    try:
        async with pg_schema() as schema, Database(PG_URL, schema=schema, audit_key=KEY) as db:
            await run("PostgreSQL (asyncpg)", db)
    except (OSError, StoreError, sa.exc.SQLAlchemyError) as exc:
        print(f"PostgreSQL: skipped ({str(exc).splitlines()[0]})")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

"""Property: whatever an audit entry holds, it is stored so that its hash verifies on read-back.

Runs on SQLite and PostgreSQL: arbitrary text (control characters, NUL, any Unicode), arbitrary
JSON-like parameters (NaN, huge integers, nested lists and maps), and secrets planted in text
never come back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.store import AuditEntry, AuditEvent, AuditRecord, Database
from commands.store.chain import record_fields, record_hash
from tests.db_fixtures import fresh_database

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
entries = st.builds(
    AuditEntry,
    event=st.sampled_from(list(AuditEvent)),
    user_id=st.none() | st.text(max_size=200),
    user_name=st.none() | st.text(max_size=40),
    command_text=st.none() | st.text(max_size=200),
    cluster_name=st.none() | st.text(max_size=40),
    params=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    approvers=st.lists(st.text(max_size=10), max_size=3),
    duration_ms=st.none() | st.integers(min_value=0, max_value=2**31 - 1),
    outcome=st.none() | st.text(max_size=60),
)
SECRET = "Zq8-planted-SECRET-value"


@pytest.fixture
def migrated(db_kind: str, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """A migrated database that outlives one event loop: (url, schema)."""
    ready: asyncio.Queue[tuple[str, str | None]] = asyncio.Queue()
    done = asyncio.Event()
    loop = asyncio.new_event_loop()

    async def hold() -> None:
        async with fresh_database(db_kind, tmp_path) as db:
            await ready.put((db.url.render_as_string(hide_password=False), db.schema))
            await done.wait()

    task = loop.create_task(hold())
    try:
        yield loop.run_until_complete(ready.get())
    finally:
        done.set()
        loop.run_until_complete(task)
        loop.close()


async def _roundtrip(url: str, schema: str | None, batch: list[AuditEntry]) -> list[AuditRecord]:
    async with Database(url, schema=schema) as db:
        async with db.unit_of_work() as uow:
            appended = await uow.audit.append_many(batch)
        async with db.unit_of_work(readonly=True) as uow:
            seqs = [a.seq for a in appended]
            return [r async for r in uow.audit.stream() if r.seq in seqs]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(entries, min_size=1, max_size=4), plant=st.booleans())
def test_any_entry_verifies_after_read_back(
    migrated: tuple[str, str | None], batch: list[AuditEntry], plant: bool
) -> None:
    if plant:
        first = batch[0]
        batch[0] = AuditEntry(
            event=first.event,
            command_text=f"{first.command_text or ''} --password {SECRET}",
            params={**first.params, "password": SECRET},
        )
    url, schema = migrated
    records = asyncio.run(_roundtrip(url, schema, batch))
    assert len(records) == len(batch)
    for record in records:
        assert record_hash(record_fields(record)) == record.hash
    if plant:
        stored: Any = (records[0].command_text, records[0].params)
        assert SECRET not in repr(stored)

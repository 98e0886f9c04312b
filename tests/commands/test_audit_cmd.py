"""`/dws audit`: what a reader sees when the log holds a record it cannot read."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from commands.replies import Severity
from tests.commands.test_e2e_simulator import ALICE, Env, env
from tests.db_fixtures import database

__all__ = ["database", "env"]


@pytest.fixture
def db_kind() -> str:
    """SQLite only: its JSON column holds any text, PostgreSQL's refuses a malformed value."""
    return "sqlite"


async def test_audit_with_a_malformed_record_says_so(env: Env) -> None:
    await env.say(ALICE, "/dws restart reporting")
    async with env.db.unit_of_work() as uow:
        await uow.session.execute(
            sa.text("UPDATE audit_records SET params = '{not json' WHERE seq = 1")
        )
    reply = await env.say(ALICE, "/dws audit")
    assert reply.severity is Severity.ERROR and "error id" not in reply.text, reply.text
    assert "dwsbot audit verify" in reply.text

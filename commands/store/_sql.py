"""Small SQL helpers shared by the repositories (dialect-specific INSERT, session dialect)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    """``"sqlite"`` or ``"postgresql"`` for the session's engine."""
    bind = session.bind
    if bind is None:
        raise RuntimeError("the session has no bind")
    return bind.dialect.name


def upsert_insert(session: AsyncSession, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT supporting ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if dialect_name(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)

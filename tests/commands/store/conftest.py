"""Store tests run every database test on SQLite and PostgreSQL (fixtures in tests/db_fixtures)."""

from __future__ import annotations

from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind"]

"""The PostgreSQL gate of the shared database fixtures: skip outside CI, fail in CI."""

from __future__ import annotations

import pytest

from tests import db_fixtures


def test_unreachable_postgres_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_fixtures, "PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/test")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        db_fixtures.require_postgres()


def test_unreachable_postgres_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_fixtures, "PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/test")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        db_fixtures.require_postgres()


def test_reachable_postgres_passes_the_gate() -> None:
    if not db_fixtures.postgres_reachable():
        pytest.skip("the local PostgreSQL is not running")
    db_fixtures.require_postgres()

"""`dwsbot doctor`: configuration, database and DWS reachability, each one line."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.doctor import run_checks
from bot.settings import Settings
from commands.store import Database

SECRET_SK = "sk-that-must-not-show-9f3e"


@pytest.fixture
def clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(os.environ):
        if key.startswith(("DWSBOT_", "SLACK_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def by_name(checks: list, name: str) -> str:  # type: ignore[type-arg]
    return next(c.line() for c in checks if c.name == name)


async def test_simulator_and_sqlite_path(clean: Path) -> None:
    url = f"sqlite:///{clean / 'bot.db'}"
    checks = await run_checks(Settings(database_url=url))
    assert all(c.ok for c in checks), [c.line() for c in checks]
    assert "built-in simulator" in by_name(checks, "configuration")
    assert "demo policy" in by_name(checks, "policy")
    db_line = by_name(checks, "database")
    assert db_line.startswith(f"⚠ database: no database yet at {clean / 'bot.db'}")
    assert "dwsbot db upgrade" in db_line
    assert not (clean / "bot.db").exists()  # the doctor looks, it does not create
    assert "reachable, 6 clusters" in by_name(checks, "DWS simulator")
    async with Database(url) as empty:
        await empty.ping()  # a file with no schema yet
    db_line = by_name(await run_checks(Settings(database_url=url)), "database")
    assert f"SQLite file {clean / 'bot.db'}: reachable, schema at nothing" in db_line
    assert "dwsbot db upgrade" in db_line
    db = Database(url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()
    again = await run_checks(Settings(database_url=url))
    assert "schema up to date" in by_name(again, "database")


async def test_real_target_needs_a_policy_and_must_answer(clean: Path) -> None:
    settings = Settings(
        dws_endpoint=f"http://127.0.0.1:{closed_port()}",
        dws_project_id="p1",
        dws_ak="AK1",
        dws_sk=SECRET_SK,
        database_url=f"sqlite:///{clean / 'bot.db'}",
    )
    checks = await run_checks(settings)
    lines = "\n".join(c.line() for c in checks)
    assert "✖ policy: DWSBOT_POLICY_FILE is required" in lines
    assert "✖ DWS default" in lines
    assert "plain http://" in lines  # the warning about the endpoint
    assert SECRET_SK not in lines


async def test_bad_policy_file_names_the_line(clean: Path) -> None:
    policy = clean / "policy.yaml"
    policy.write_text("version: 1\nroles: [viewer, operator]\nusers:\n  alice: wizard\n")
    checks = await run_checks(
        Settings(policy_file=policy, database_url=f"sqlite:///{clean / 'bot.db'}")
    )
    line = by_name(checks, "policy")
    assert line.startswith("✖ policy: policy.yaml line")


@pytest.mark.postgres
async def test_postgres_reachable_or_reported(clean: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/test"
    checks = await run_checks(Settings(database_url=url))
    line = by_name(checks, "database")
    assert line.startswith(("✔ database", "⚠ database", "✖ database: database unavailable"))
    assert "postgresql" in line


def test_cli_exit_status(clean: Path) -> None:
    bad = {"DWSBOT_DATABASE_URL": "mysql://nowhere/x"}
    result = CliRunner().invoke(app, ["doctor"], env=bad)
    assert result.exit_code == 1
    assert "✖ database: unsupported database driver" in result.output
    good = {"DWSBOT_DATABASE_URL": f"sqlite:///{clean / 'ok.db'}"}
    result = CliRunner().invoke(app, ["doctor"], env=good)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_cli_doctor_creates_no_file_or_directory(clean: Path) -> None:
    where = clean / "never" / "made" / "dwsbot.db"
    result = CliRunner().invoke(app, ["doctor"], env={"DWSBOT_DATABASE_URL": f"sqlite:///{where}"})
    assert result.exit_code == 0, result.output
    assert f"no database yet at {where}" in result.output
    assert not (clean / "never").exists()

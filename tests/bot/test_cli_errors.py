"""Every `dwsbot` entry point ends bad input in one line and exit code 2, never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli_errors import error_line

runner = CliRunner()

DB_ENTRIES = [
    ["db", "upgrade"],
    ["db", "current"],
    ["audit", "verify"],
    ["audit", "export"],
    ["audit", "checkpoint"],
    ["console", "-c", "/dws clusters"],
]

BAD_URLS = [
    ("postgresql://u:pw-never-shown@127.0.0.1/test?sslmode=bogus", "sslmode='bogus'"),
    ("postgresql://u:pw-never-shown@127.0.0.1:99999/test", "port 99999"),
    ("postgresql://[::1", "invalid database URL"),
    ("postgresql://u:pw-never-shown@[::1/test", "invalid database URL"),
    ("postgresql://u@127.0.0.1/test?application_name=x", "unsupported database URL parameter"),
    ("postgresql://u@127.0.0.1/test?ssl=require&ssl=disable", "given twice"),
]


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output
    assert len(lines) == 1, output
    return lines[0]


@pytest.mark.parametrize(("url", "needle"), BAD_URLS)
@pytest.mark.parametrize("args", DB_ENTRIES, ids=" ".join)
def test_bad_database_url_is_one_line_in_every_entry(
    monkeypatch: pytest.MonkeyPatch, args: list[str], url: str, needle: str
) -> None:
    monkeypatch.setenv("DWSBOT_DATABASE_URL", url)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert needle in line
    assert "pw-never-shown" not in result.output


@pytest.mark.parametrize(("url", "needle"), BAD_URLS)
def test_doctor_reports_a_bad_database_url_as_its_database_check(
    monkeypatch: pytest.MonkeyPatch, url: str, needle: str
) -> None:
    monkeypatch.setenv("DWSBOT_DATABASE_URL", url)
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1, result.output  # doctor: 1 = something is unusable
    assert "Traceback" not in result.output and "pw-never-shown" not in result.output
    database = [line for line in result.output.splitlines() if "database" in line]
    assert len(database) == 1 and database[0].startswith("✖") and needle in database[0]


@pytest.mark.postgres
async def test_libpq_sslmode_reaches_asyncpg_as_ssl() -> None:
    from commands.store import Database
    from tests.db_fixtures import PG_URL, require_postgres

    require_postgres()
    async with Database(f"{PG_URL}?sslmode=disable") as db:
        assert dict(db.url.query) == {"ssl": "disable"}
        await db.ping()  # asyncpg takes it (it refused libpq's sslmode= with a TypeError)


@pytest.mark.parametrize(
    "args",
    [
        ["api", "call", "list_clusters", "limit=\udcff"],
        ["api", "call", "\udcffx"],
        ["api", "call", "restart_cluster", "cluster_id=c", "--body", '{"restart": "\udcff"}'],
        ["console", "-c", "/dws cluster \udcff"],
        ["audit", "export", "--since", "\udcff"],
    ],
)
def test_arguments_that_are_not_utf8_are_one_line(args: list[str]) -> None:
    # Python hands undecodable argv bytes over as surrogate escapes (\udcff for 0xff).
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "not valid UTF-8" in one_error_line(result.output)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["api", "call"], "Missing argument"),
        (["audit", "export", "--format", "xml"], "'xml' is not one of"),
        (["console", "--speed", "-1"], "--speed"),
        (["no-such-command"], "No such command"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], needle: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert line.startswith("error: ") and needle in line and "--help" in line


def test_an_unexpected_error_is_one_line_without_secrets() -> None:
    exc = TypeError("connect() got password=hunter2-secret\nsecond line")
    assert error_line(exc) == "error: unexpected TypeError: connect() got password=***"


def test_command_line_logging_is_one_line_per_record(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from bot.cli_errors import quiet_logging

    logger = logging.getLogger("dwsbot")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    try:
        quiet_logging()
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            logging.getLogger("dwsbot.commands").error("error E-1 in test", exc_info=exc)
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
    assert capsys.readouterr().err == "ERROR dwsbot.commands: error E-1 in test\n"

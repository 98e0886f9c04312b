"""`dwsbot db upgrade|current` and `dwsbot audit verify|export` through the real typer app."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from commands.store import AuditEntry, AuditEvent, Database
from commands.store.chain import AuditKey
from commands.store.migrate import head_revision

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DWSBOT_DATABASE_URL", url)
    return url


def _seed(url: str, n: int, key: str | None = None) -> None:
    audit_key = AuditKey(key) if key is not None else None

    async def seed() -> None:
        async with Database(url, audit_key=audit_key) as db, db.unit_of_work() as uow:
            await uow.audit.append_many(
                AuditEntry(
                    event=AuditEvent.EXECUTED,
                    user_id=f"U{i}",
                    command_text=f"/dws restart prod-{i} --password pw{i}",
                    action="restart",
                    params={"i": i},
                )
                for i in range(n)
            )

    asyncio.run(seed())


def test_db_upgrade_and_current(db_url: str, tmp_path: Path) -> None:
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == 0, before.output
    assert "schema at nothing" in before.output and "run `dwsbot db upgrade`" in before.output
    done = runner.invoke(app, ["db", "upgrade"])
    assert done.exit_code == 0, done.output
    head = head_revision()
    assert f"SQLite file {tmp_path / 'cli.db'}: schema at {head}" in done.output
    after = runner.invoke(app, ["db", "current"])
    assert f"(head {head}, up to date)" in after.output
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"approvals", "audit_records", "tracked_operations"} <= tables


def test_default_database_is_in_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWSBOT_DATA_DIR", str(tmp_path / "data"))
    done = runner.invoke(app, ["db", "upgrade"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "data" / "dwsbot.db").is_file()


def test_audit_verify_ok_then_broken(db_url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(db_url, 4)
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[0] == "audit chain intact: 4 records verified"
    assert ok.output.splitlines()[1].startswith("  note: 4 record(s) are unkeyed (sha256)")
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("UPDATE audit_records SET user_id = 'mallory' WHERE seq = 2")
        conn.execute("DELETE FROM audit_records WHERE seq = 3")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "record 2 was edited" in broken.output
    assert "record 3 deleted" in broken.output


def test_audit_export_jsonl_and_csv(db_url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(db_url, 3)
    jsonl = runner.invoke(app, ["audit", "export", "--format", "jsonl", "--since", "1h"])
    assert jsonl.exit_code == 0, jsonl.output
    rows = [json.loads(line) for line in jsonl.output.splitlines()]
    assert [r["user_id"] for r in rows] == ["U0", "U1", "U2"]
    assert "pw1" not in jsonl.output and "--password ***" in rows[1]["command_text"]
    out = tmp_path / "audit.csv"
    written = runner.invoke(app, ["audit", "export", "-f", "CSV", "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert "3 records written" in written.output
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["seq"] for r in table] == ["1", "2", "3"]
    future = runner.invoke(app, ["audit", "export", "--since", "2999-01-01T00:00Z"])
    assert future.output == ""


def test_bad_since_is_one_line(db_url: str) -> None:
    result = runner.invoke(app, ["audit", "export", "--since", "yesterday"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: --since: 'yesterday' is neither a duration")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "since", ["999999d", "99999999999d", "0", "-5", "inf", "nan", "0001-01-01T00:00+05:00"]
)
def test_since_out_of_bounds_is_one_line(db_url: str, since: str) -> None:
    result = runner.invoke(app, ["audit", "export", "--since", since])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: --since: ")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args", [["db", "upgrade"], ["db", "current"], ["audit", "verify"], ["audit", "export"]]
)
def test_database_down_is_one_line_without_password(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWSBOT_DATABASE_URL", "postgresql://bot:Sup3rSecret@127.0.0.1:1/dwsbot")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: database unavailable (postgresql+asyncpg://bot:***@")
    assert "connection refused" in lines[0]
    assert "Sup3rSecret" not in result.output
    assert "Traceback" not in result.output


def test_unsupported_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWSBOT_DATABASE_URL", "mysql://a:b@h/db")
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 2
    assert "unsupported database driver 'mysql'" in result.output


def test_export_into_a_closed_pipe_stops_quietly(db_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(db_url, 3000)  # more than a pipe buffer holds
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWSBOT_")}
    env["DWSBOT_DATABASE_URL"] = db_url
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dwsbot"), "audit", "export", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader leaves, as `| head -1` does
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    assert first.startswith(b"seq,id,at,event")
    assert err == ""


@pytest.mark.parametrize("args", [["audit", "verify"], ["audit", "export"]])
def test_audit_on_a_database_never_upgraded_says_so(db_url: str, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip().endswith("has no schema yet: run `dwsbot db upgrade` first")


def test_unknown_revision_is_one_line(db_url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--revision", "9999"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "error: cannot upgrade to '9999': Can't locate revision identified by '9999'"
    )


AUDIT_KEY = "cli-test-audit-key-0123456789abcdef"


def test_checkpoint_then_verify_catches_a_truncated_tail(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DWSBOT_AUDIT_KEY", AUDIT_KEY)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(db_url, 5, key=AUDIT_KEY)
    made = runner.invoke(app, ["audit", "checkpoint"])
    assert made.exit_code == 0, made.output
    line = made.stdout.strip()
    assert line.startswith("dwsbot-audit-checkpoint v1 seq=5 head=")
    assert "checkpoint of record 5 stored" in made.stderr
    assert AUDIT_KEY not in made.output
    kept = tmp_path / "checkpoints.txt"
    kept.write_text(f"# kept in the ticket\n{line}\n")
    ok = runner.invoke(app, ["audit", "verify", "--checkpoint", line, "--checkpoint", str(kept)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.strip() == "audit chain intact: 5 records verified, 3 checkpoint(s) extended"
    with sqlite3.connect(tmp_path / "cli.db") as conn:  # cut the tail and everything that knew
        conn.execute("DELETE FROM audit_records WHERE seq > 3")
        (h,) = conn.execute("SELECT hash FROM audit_records WHERE seq = 3").fetchone()
        conn.execute("UPDATE audit_chain_head SET last_seq = 3, last_hash = ?", (h,))
        conn.execute("DELETE FROM audit_checkpoints")
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0  # consistent without it
    caught = runner.invoke(app, ["audit", "verify", "--checkpoint", str(kept)])
    assert caught.exit_code == 1
    assert "records 4-5 were removed (truncated tail)" in caught.output


def test_wrong_key_is_reported_by_the_cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(db_url, 2, key=AUDIT_KEY)
    monkeypatch.setenv("DWSBOT_AUDIT_KEY", "some-other-key-0123456789abcdefghij")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "records 1-2 hashed with another key" in result.output


def test_malformed_row_is_reported_by_the_cli(db_url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    _seed(db_url, 3)
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("UPDATE audit_records SET params = '{oops' WHERE seq = 2")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "  record 2 malformed: its params are not valid JSON" in result.output.splitlines()
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "key", "message"),
    [
        (["audit", "checkpoint"], None, "a checkpoint is signed with the audit key"),
        (
            ["audit", "verify", "--checkpoint", "dwsbot-audit-checkpoint v1 seq=x"],
            AUDIT_KEY,
            "--checkpoint: not a checkpoint line",
        ),
        (
            ["audit", "verify", "--checkpoint", "/nonexistent/cp.txt"],
            AUDIT_KEY,
            "--checkpoint: cannot read /nonexistent/cp.txt: No such file or directory",
        ),
        (
            [
                "audit",
                "verify",
                "--checkpoint",
                "dwsbot-audit-checkpoint v1 seq=1 head="
                + "0" * 64
                + " at=2026-01-01T00:00:00.000000Z key="
                + "0" * 16
                + " mac="
                + "0" * 64,
            ],
            None,
            "--checkpoint needs the audit key",
        ),
        (["audit", "verify"], "too-short-key", "DWSBOT_AUDIT_KEY: the audit key is too short"),
    ],
)
def test_audit_key_problems_are_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch, args: list[str], key: str | None, message: str
) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    if key is not None:
        monkeypatch.setenv("DWSBOT_AUDIT_KEY", key)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: {message}"), line
    assert "too-short-key" not in result.output

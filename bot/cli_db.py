"""`dwsbot db` (migrations) and `dwsbot audit` (verify the hash chain, export the log).

    dwsbot db upgrade                 # Alembic to head (the bot also upgrades on start)
    dwsbot db current                 # the database's revision and the newest shipped one
    dwsbot audit verify [--checkpoint LINE|FILE]   # exit 1, one line per problem, if broken
    dwsbot audit checkpoint           # verify, then print and store a signed checkpoint line
    dwsbot audit export --format csv|jsonl [--since 2h|2026-01-31T12:00Z] [--output FILE]

The database is ``DWSBOT_DATABASE_URL`` (settings), else the default SQLite file; the audit key
is ``DWSBOT_AUDIT_KEY``, else (on the simulator) the key file the console made
(`bot.audit_key`; these commands never create one). Any failure is one line on stderr (exit 2),
never a traceback, and never shows the URL's password or the key (`bot.cli_errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO, TypeVar

import typer

from bot.audit_key import choose_audit_key
from bot.cli_errors import CliError
from bot.settings import load_settings
from commands.audit import VerifyReport, checkpoint, export, verify
from commands.durations import parse_since
from commands.store import Database, StoreError
from commands.store.chain import CHECKPOINT_PREFIX, Checkpoint
from commands.store.migrate import head_revision
from commands.store.urls import sqlite_file

T = TypeVar("T")
_MAX_PROBLEMS = 100

db_app = typer.Typer(help="The bot's database: migrations.", no_args_is_help=True)
audit_app = typer.Typer(
    help="The audit log: verify its hash chain, sign checkpoints, export it.", no_args_is_help=True
)


class ExportFormat(enum.StrEnum):
    """Export formats."""

    CSV = "csv"
    JSONL = "jsonl"


def _open_database() -> Database:
    settings = load_settings()
    url = settings.database_url.get_secret_value() if settings.database_url else None
    audit = choose_audit_key(settings, simulated=not settings.dws_targets(), create=False)
    return Database(url, audit_key=audit.key)


def _where(db: Database) -> str:
    path = sqlite_file(db.url)
    return f"SQLite file {path}" if path is not None else db.display_url


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    db = _open_database()

    async def main() -> T:
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(main())


@db_app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Migrate the database to the newest schema (or to --revision)."""

    async def work(db: Database) -> str:
        await db.upgrade(revision)
        return f"{_where(db)}: schema at {await db.current_revision()}"

    typer.echo(_run(work))


@db_app.command("current")
def current() -> None:
    """Show the database's schema revision and the newest one this version ships."""

    async def work(db: Database) -> str:
        revision = await db.current_revision()
        head = head_revision()
        state = "up to date" if revision == head else "run `dwsbot db upgrade`"
        return f"{_where(db)}: schema at {revision or 'nothing'} (head {head}, {state})"

    typer.echo(_run(work))


async def _require_schema(db: Database) -> None:
    """A database never migrated has no audit log: say so instead of "no such table"."""
    if await db.current_revision() is None:
        raise StoreError(f"{_where(db)} has no schema yet: run `dwsbot db upgrade` first")


def _checkpoints(given: list[str]) -> list[Checkpoint]:
    """The checkpoints of ``--checkpoint``: each a line, or a file of lines (``#`` comments)."""
    found = []
    for value in given:
        if value.lstrip().startswith(CHECKPOINT_PREFIX.split()[0]):
            lines = [("", value)]
        else:
            try:
                text = Path(value).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                raise CliError(f"--checkpoint: cannot read {value}: {reason}") from None
            lines = [
                (f" {value} line {n}", line)
                for n, line in enumerate(text.splitlines(), 1)
                if line.strip() and not line.lstrip().startswith("#")
            ]
            if not lines:
                raise CliError(f"--checkpoint: {value} holds no checkpoint line")
        for where, line in lines:
            try:
                found.append(Checkpoint.parse(line))
            except ValueError as exc:
                raise CliError(f"--checkpoint{where}: {exc}") from None
    return found


def _print_report(report: VerifyReport) -> None:
    typer.echo(report.summary())
    problems = report.problems()
    for problem in problems[:_MAX_PROBLEMS]:
        typer.echo(f"  {problem}")
    if len(problems) > _MAX_PROBLEMS:
        typer.echo(f"  ... and {len(problems) - _MAX_PROBLEMS} more")
    for note in report.notes():
        typer.echo(f"  note: {note}")


@audit_app.command("verify")
def verify_command(
    checkpoints: Annotated[
        list[str] | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint line from `dwsbot audit checkpoint`, or a file of such lines; "
            "the chain must still extend each (repeatable).",
        ),
    ] = None,
) -> None:
    """Check every audit record, the head and checkpoints; exit 1 if anything is wrong."""
    given = _checkpoints(checkpoints or [])

    async def work(db: Database) -> VerifyReport:
        await _require_schema(db)
        if given and db.audit_key is None:
            raise StoreError("--checkpoint needs the audit key: set DWSBOT_AUDIT_KEY")
        return await verify(db, given)

    report = _run(work)
    _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def checkpoint_command() -> None:
    """Verify the chain, then print and store a signed checkpoint line to keep elsewhere."""

    async def work(db: Database) -> tuple[Checkpoint | None, VerifyReport]:
        await _require_schema(db)
        if db.audit_key is None:
            raise StoreError("a checkpoint is signed with the audit key: set DWSBOT_AUDIT_KEY")
        return await checkpoint(db)

    signed, report = _run(work)
    if signed is None:
        _print_report(report)
        raise CliError("the chain is broken: no checkpoint written", exit_code=1)
    typer.echo(signed.line())
    typer.echo(
        f"checkpoint of record {signed.seq} stored; keep this line outside the database "
        "(`dwsbot audit verify --checkpoint LINE` proves the chain still extends it)",
        err=True,
    )


@audit_app.command("export")
def export_command(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv or jsonl.", case_sensitive=False)
    ] = ExportFormat.JSONL,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only records since a duration ago (30m, 2h, 7d, 1w) or an ISO time "
            "(UTC unless a zone is given)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")
    ] = None,
) -> None:
    """Export the audit log (oldest first) as CSV or JSON lines."""
    try:
        start = parse_since(since) if since is not None else None
    except ValueError as exc:
        raise CliError(f"--since: {exc}") from None

    async def work(db: Database) -> int:
        await _require_schema(db)
        if output is None:
            return await _write(db, sys.stdout, fmt, start)
        with output.open("w", encoding="utf-8", newline="") as stream:
            return await _write(db, stream, fmt, start)

    try:
        count = _run(work)
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly, as other command-line tools do.
        _silence_stdout()
        raise typer.Exit(0) from None
    except OSError as exc:
        raise CliError(f"cannot write {output}: {exc.strerror or exc}") from None
    if output is not None:
        typer.echo(f"{count} records written to {output}", err=True)


async def _write(db: Database, stream: TextIO, fmt: ExportFormat, since: datetime | None) -> int:
    count = 0
    lines = export(db, "csv" if fmt is ExportFormat.CSV else "jsonl", since)
    async with contextlib.aclosing(lines):
        async for line in lines:
            stream.write(line)
            count += 1
    stream.flush()
    return count - 1 if fmt is ExportFormat.CSV else count


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())

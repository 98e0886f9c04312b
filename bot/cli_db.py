"""`dwsbot db` (migrations) and `dwsbot audit` (verify the hash chain, export the log).

    dwsbot db upgrade                 # Alembic to head (the bot also upgrades on start)
    dwsbot db current                 # the database's revision and the newest shipped one
    dwsbot audit verify               # exit 1 and one line per problem if the chain is broken
    dwsbot audit export --format csv|jsonl [--since 2h|2026-01-31T12:00Z] [--output FILE]

The database is ``DWSBOT_DATABASE_URL`` (settings), else the default SQLite file. Any failure is
one line on stderr (exit 2), never a traceback, and never shows the URL's password.
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

from bot.settings import SettingsError, load_settings
from commands.audit import VerifyReport, export, parse_since, verify
from commands.store import Database, StoreError
from commands.store.migrate import head_revision
from commands.store.urls import sqlite_file

T = TypeVar("T")
_MAX_PROBLEMS = 100

db_app = typer.Typer(help="The bot's database: migrations.", no_args_is_help=True)
audit_app = typer.Typer(
    help="The audit log: verify its hash chain, export it.", no_args_is_help=True
)


class ExportFormat(enum.StrEnum):
    """Export formats."""

    CSV = "csv"
    JSONL = "jsonl"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _open_database() -> Database:
    try:
        settings = load_settings()
        url = settings.database_url.get_secret_value() if settings.database_url else None
        return Database(url)
    except (SettingsError, StoreError) as exc:
        raise _fail(str(exc)) from None


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

    try:
        return asyncio.run(main())
    except StoreError as exc:
        raise _fail(str(exc)) from None


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


@audit_app.command("verify")
def verify_command() -> None:
    """Check every audit record's hash and link; exit 1 if any was edited or deleted."""

    async def work(db: Database) -> VerifyReport:
        await _require_schema(db)
        return await verify(db)

    report = _run(work)
    typer.echo(report.summary())
    problems = report.problems()
    for problem in problems[:_MAX_PROBLEMS]:
        typer.echo(f"  {problem}")
    if len(problems) > _MAX_PROBLEMS:
        typer.echo(f"  ... and {len(problems) - _MAX_PROBLEMS} more")
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("export")
def export_command(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv or jsonl.", case_sensitive=False)
    ] = ExportFormat.JSONL,
    since: Annotated[
        str | None,
        typer.Option(help="Only records since a duration ago (30m, 2h, 7d) or an ISO time."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")
    ] = None,
) -> None:
    """Export the audit log (oldest first) as CSV or JSON lines."""
    try:
        start = parse_since(since) if since is not None else None
    except ValueError as exc:
        raise _fail(f"--since: {exc}") from None

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
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
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

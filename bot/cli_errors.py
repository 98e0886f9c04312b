"""How every `dwsbot` command ends on bad input: one line on stderr and exit code 2.

`CliGroup` is the click group of the typer root, so it wraps every sub-command: usage errors
(a missing argument, a bad option value), the one-line errors of the layers below
(`CliError`, `SettingsError`, `StoreError`, `PolicyError`, `WiringError`, `IdentityError`,
`DwsError`) and
anything unexpected all go through `error_line`, the one formatter. Before parsing, the
arguments are checked to be text: a word that is not valid UTF-8 (Python hands it over with
surrogate escapes) is refused here for every command. Tracebacks are never printed.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # typer's own click
from typer.core import TyperGroup

from bot.identity import IdentityError
from bot.settings import SettingsError
from bot.wiring import WiringError
from commands.policy import PolicyError
from commands.services import dws_error_text
from commands.store import StoreError
from commands.store.redaction import redact
from dws.errors import DwsError

BAD_INPUT = 2
ONE_LINE_ERRORS = (SettingsError, StoreError, PolicyError, WiringError, IdentityError)


class CliError(Exception):
    """A command cannot go on; the message is one line (no secret in it).

    ``exit_code`` is 2 (bad input) unless the command documents another (1: the environment
    refused, such as a busy port).
    """

    def __init__(self, message: str, *, exit_code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def not_utf8(text: str) -> bool:
    """True when ``text`` holds surrogate escapes: bytes that were not valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def error_line(exc: BaseException) -> str:
    """The one line shown for ``exc`` (``error: ...``), never a traceback or a secret."""
    if isinstance(exc, typer.TyperException):
        text = exc.format_message().replace("Value error, ", "")
        if isinstance(exc, UsageError) and exc.ctx is not None:
            text += f" (see {exc.ctx.command_path} --help)"
    elif isinstance(exc, DwsError):
        text = dws_error_text(exc)
    elif isinstance(exc, (CliError, *ONE_LINE_ERRORS)):
        text = str(exc)
    else:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        text = f"unexpected {type(exc).__name__}" + (f": {redact(first)[:200]}" if first else "")
    line = " ".join(text.split())
    return f"error: {line.encode('utf-8', 'backslashreplace').decode('utf-8')}"


class CliGroup(TyperGroup):
    """The root group: checks the arguments, runs the command, turns any error into one line."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run like click's ``main``; errors end in `error_line` and exit code 2."""
        words = list(sys.argv[1:] if args is None else args)
        try:
            for number, word in enumerate(words, 1):
                if not_utf8(word):
                    raise CliError(f"argument {number} is not valid UTF-8 text")
            result = super().main(words, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except typer.Exit as exc:
            code = exc.exit_code
        except NoArgsIsHelpError as exc:
            exc.show()  # the group's help, as click shows it
            code = exc.exit_code
        except typer.Abort:
            typer.echo("aborted", err=True)
            code = 1
        except (typer.TyperException, CliError, DwsError, *ONE_LINE_ERRORS) as exc:
            typer.echo(error_line(exc), err=True)
            code = exc.exit_code if isinstance(exc, typer.TyperException | CliError) else BAD_INPUT
        except Exception as exc:  # the last guard: a bug still ends in one line
            typer.echo(error_line(exc), err=True)
            code = BAD_INPUT
        if not standalone_mode:
            return code
        sys.exit(code)


class _OneLine(logging.Formatter):
    """Log records as one line: no traceback (the user sees an error id, not a stack)."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None
        saved, record.exc_info = record.exc_info, None
        try:
            return super().format(record).splitlines()[0]
        finally:
            record.exc_info = saved


def quiet_logging() -> None:
    """The command line's logging: warnings and errors on stderr, one line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("dwsbot")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False

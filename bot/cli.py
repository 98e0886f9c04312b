"""The `dwsbot` command line: a typer root with one sub-application per group.

Errors end the same way in every command (`bot.cli_errors`): one line on stderr, exit code 2.
"""

from __future__ import annotations

import typer

from bot.cli_errors import CliGroup, quiet_logging

app = typer.Typer(
    name="dwsbot",
    cls=CliGroup,
    help="ChatOps for Huawei Cloud GaussDB(DWS).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

from bot import cli_api, cli_simulator  # noqa: E402  (each group registers itself below)

app.add_typer(cli_api.app, name="api")
app.command("simulator")(cli_simulator.simulator)

from bot import console, doctor  # noqa: E402

app.command("console")(console.console_command)
app.command("doctor")(doctor.doctor_command)

from bot import cli_serve  # noqa: E402

app.command("serve")(cli_serve.serve_command)
app.command("manifest")(cli_serve.manifest_command)

from bot import cli_db  # noqa: E402

app.add_typer(cli_db.db_app, name="db")
app.add_typer(cli_db.audit_app, name="audit")


def main() -> None:
    """Entry point of the `dwsbot` console script."""
    quiet_logging()
    app()

"""`dwsbot serve` (the Slack app over Socket Mode or HTTP, see `bot.slack.server`) and
`dwsbot manifest` (the Slack app manifest to create the app from)."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from typing import Annotated

import typer
from pydantic import SecretStr

from bot.cli_errors import CliError
from bot.logs import configure_logging, register_secret
from bot.metrics import Metrics
from bot.settings import Settings, load_settings
from bot.slack.manifest import render
from bot.slack.server import serve
from bot.slack.service import Mode, ServeError, required_tokens
from commands.registry import registry


class LogFormat(StrEnum):
    """How log lines look."""

    TEXT = "text"
    JSON = "json"


def secrets_of(settings: Settings) -> list[SecretStr]:
    """Every secret the settings hold (masked wherever they would appear in a log line)."""
    values = [
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.database_url,
        settings.audit_key,
        settings.dws_sk,
        settings.dws_password,
    ]
    for target in settings.targets:
        values += [target.sk, target.password]
    return [v for v in values if isinstance(v, SecretStr)]


def serve_command(
    socket_mode: bool = typer.Option(
        False, "--socket", help="Socket Mode: no inbound URL needed (SLACK_APP_TOKEN)."
    ),
    http_mode: bool = typer.Option(
        False, "--http", help="HTTP mode: Slack posts to /slack/events (SLACK_SIGNING_SECRET)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(3000, "--port", min=0, max=65535, help="Port to listen on."),
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="Log lines as text, or as JSON objects.")
    ] = LogFormat.TEXT,
) -> None:
    """Serve dwsbot in Slack (the simulator when no DWS target is set)."""
    if socket_mode == http_mode:
        raise CliError("choose one of --socket (Socket Mode) or --http (request URLs)")
    mode: Mode = "socket" if socket_mode else "http"
    settings = load_settings()
    configure_logging("json" if log_format is LogFormat.JSON else "text")
    for secret in secrets_of(settings):
        register_secret(secret)
    metrics = Metrics(registry)
    try:
        required_tokens(settings, mode)
        asyncio.run(serve(settings, mode=mode, host=host, port=port, metrics=metrics))
    except ServeError as exc:
        raise CliError(str(exc)) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def manifest_command(
    http: str | None = typer.Option(
        None, "--http", help="dwsbot's public https:// address: print the HTTP-mode manifest."
    ),
) -> None:
    """Print the Slack app manifest (paste it into api.slack.com/apps → From a manifest)."""
    try:
        typer.echo(render(http), nl=False)
    except ValueError as exc:
        raise CliError(str(exc)) from None

"""`dwsbot serve` (the Slack app over Socket Mode or HTTP, see `bot.slack.server`) and
`dwsbot manifest` (the Slack app manifest to create the app from)."""

from __future__ import annotations

import asyncio

import typer

from bot.cli_errors import CliError
from bot.settings import load_settings
from bot.slack.manifest import render
from bot.slack.server import serve
from bot.slack.service import Mode, ServeError, required_tokens


def serve_command(
    socket_mode: bool = typer.Option(
        False, "--socket", help="Socket Mode: no inbound URL needed (SLACK_APP_TOKEN)."
    ),
    http_mode: bool = typer.Option(
        False, "--http", help="HTTP mode: Slack posts to /slack/events (SLACK_SIGNING_SECRET)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(3000, "--port", min=0, max=65535, help="Port to listen on."),
) -> None:
    """Serve dwsbot in Slack (the simulator when no DWS target is set)."""
    if socket_mode == http_mode:
        raise CliError("choose one of --socket (Socket Mode) or --http (request URLs)")
    mode: Mode = "socket" if socket_mode else "http"
    settings = load_settings()
    try:
        required_tokens(settings, mode)
        asyncio.run(serve(settings, mode=mode, host=host, port=port))
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

"""`dwsbot api`: list the DWS operation catalogue and call any operation by name.

    dwsbot api list
    dwsbot api call list_events limit=5 --dry-run
    dwsbot api call restart_cluster cluster_id=... --body '{"restart": {}}'

Bad input (unknown operation, missing or mistyped parameter, malformed or too deeply nested
JSON) prints one line naming the problem and exits with code 2; nothing is sent. ``--dry-run``
prints the signed request with credentials and secret body fields (``new_password``) masked.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from bot.cli_errors import CliError
from bot.settings import load_settings
from bot.targets import TargetChoice, open_client
from commands.services import dws_error_text
from commands.store.redaction import redact, redact_params
from dws.auth import AkSkAuth, IamTokenAuth
from dws.errors import DwsError, DwsRequestError
from dws.operations import all_operations
from dws.operations.model import MAX_BODY_DEPTH

app = typer.Typer(help="The DWS API: every catalogue operation by name.", no_args_is_help=True)

SECRET_HEADERS = frozenset({"authorization", "x-auth-token", "x-subject-token"})


@app.command("list")
def list_operations(
    group: Annotated[
        str | None, typer.Option(help="Only operations whose group contains this")
    ] = None,
) -> None:
    """Print every operation: name, method, path and reference section."""
    ops = [op for op in all_operations() if not group or group.lower() in op.group.lower()]
    width = max((len(op.name) for op in ops), default=10)
    for op in ops:
        typer.echo(f"{op.name:<{width}}  {op.method:<6} {op.path}  ({op.section})")
    typer.echo(f"{len(ops)} operations", err=True)


@app.command("call")
def call_operation(
    name: Annotated[str, typer.Argument(help="Operation name, as `dwsbot api list` shows")],
    params: Annotated[
        list[str] | None, typer.Argument(help="Path and query parameters as key=value")
    ] = None,
    body: Annotated[
        str | None, typer.Option("--body", help="JSON request body, or @file to read it")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the request instead of sending it")
    ] = False,
    target: Annotated[str | None, typer.Option("--target", help="Named DWS target")] = None,
) -> None:
    """Call one operation against the configured target and print the JSON answer."""
    try:
        parsed_params = parse_params(params or [])
        parsed_body = parse_body(body)
        settings = load_settings()
        choice = TargetChoice.from_settings(settings, target)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    asyncio.run(_run(choice, name, parsed_params, parsed_body, dry_run))


async def _run(
    choice: TargetChoice, name: str, params: dict[str, Any], body: Any, dry_run: bool
) -> None:
    if choice.simulated:
        typer.echo("No DWS target configured: using the built-in simulator.", err=True)
    for warning in choice.warnings:
        typer.echo(f"warning: {warning}", err=True)
    try:
        async with open_client(choice) as client:
            if dry_run:
                request = client.build_request(name, params, body)
                typer.echo(await _describe(client.http_auth, request))
                return
            answer = await client.call(name, params, body)
    except DwsError as exc:
        if isinstance(exc, DwsRequestError):
            raise  # bad input: one line and exit code 2, from the root (bot.cli_errors)
        raise CliError(dws_error_text(exc), exit_code=1) from None  # DWS refused or unreachable
    typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))


def parse_params(items: list[str]) -> dict[str, Any]:
    """`key=value` words into a mapping; a repeated key becomes a list."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"parameter {item!r} is not key=value")
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def parse_body(text: str | None) -> Any:
    """The --body option: JSON text, or @path to a JSON file."""
    if text is None:
        return None
    source = "--body"
    if text.startswith("@"):
        path = Path(text[1:])
        source = str(path)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise ValueError(f"cannot read {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ValueError(f"cannot read {path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"{source} nests deeper than {MAX_BODY_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} col {exc.colno}"
        ) from None


async def _describe(auth: httpx.Auth | None, request: httpx.Request) -> str:
    """The request as it would go out, authenticated, with secrets masked.

    Headers carrying credentials are masked by `mask_header`; the URL and the body by the one
    redaction of stored and shown text (`commands.store.redaction`): a body field whose name
    says it holds a secret (``new_password``, ``user_pwd`` ...) is shown as ``***``.
    """
    if isinstance(auth, AkSkAuth):
        auth.sign_request(request)
    lines = [f"{request.method} {redact(str(request.url))}"]
    lines += [f"{key}: {mask_header(key, value)}" for key, value in request.headers.items()]
    if isinstance(auth, IamTokenAuth):
        lines.append("x-auth-token: ****(IAM token, fetched when sent)")
    if request.content:
        shown = redact_params(json.loads(request.content))
        lines += ["", json.dumps(shown, separators=(",", ":"), ensure_ascii=False)]
    return "\n".join(lines)


def mask_header(name: str, value: str) -> str:
    """Hide credentials in a header value, keeping its shape readable."""
    lower = name.lower()
    if lower not in SECRET_HEADERS:
        return value
    if lower == "authorization" and value.startswith("SDK-HMAC-SHA256"):
        parts = []
        for part in value.removeprefix("SDK-HMAC-SHA256 ").split(", "):
            key, _, val = part.partition("=")
            if key == "Access":
                val = val[:4] + "****"
            elif key == "Signature":
                val = "****"
            parts.append(f"{key}={val}")
        return "SDK-HMAC-SHA256 " + ", ".join(parts)
    return "****"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())

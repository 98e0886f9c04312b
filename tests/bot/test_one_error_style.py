"""A DWS refusal reads the same in chat (a handler's failure, the dispatcher's and the trackers'
`dws_error_text`) and on the command line (`dwsbot api call`)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import httpx
import pytest
from typer.testing import CliRunner

import commands.handlers  # noqa: F401  (fills the registry)
from bot.cli import app
from commands.parsing import Invocation, parse
from commands.registry import CommandContext, CommandFailure, UserRef, registry
from commands.services import dws_error_text
from dws.client import DwsClient
from dws.errors import DwsApiError
from dws.simulator import SimState
from dws.simulator.app import create_app
from tests.commands.test_e2e_simulator import TARGET

REQUEST_ID = re.compile(r" \(request id [^)]*\)")


def _without_request_id(text: str) -> str:
    return REQUEST_ID.sub("", text.strip())


async def _chat_texts() -> tuple[str, str]:
    """The text of the refusal as the dispatcher shows it, and as a handler's failure."""
    state = SimState()
    async with DwsClient(TARGET, transport=httpx.ASGITransport(app=create_app(state))) as client:
        with pytest.raises(DwsApiError) as raised:
            await client.call("list_job_details", {"job_id": "no-such-job"})
        direct = dws_error_text(raised.value)
        parsed = parse("/dws job no-such-job", registry)
        assert isinstance(parsed, Invocation) and parsed.spec.run is not None
        ctx = CommandContext(
            user=UserRef("alice"), channel="C", dws=client, clock=lambda: datetime.now(UTC)
        )
        with pytest.raises(CommandFailure) as failed:
            await parsed.spec.run(ctx, parsed.args)
    return direct, str(failed.value)


def test_chat_and_command_line_show_one_style() -> None:
    direct, handler = asyncio.run(_chat_texts())
    cli = CliRunner().invoke(app, ["api", "call", "list_job_details", "job_id=no-such-job"])
    assert cli.exit_code == 1
    line = cli.stderr.strip().splitlines()[-1]
    assert direct.startswith("DWS refused list_job_details (")
    assert _without_request_id(handler) == _without_request_id(direct)
    assert _without_request_id(line) == "error: " + _without_request_id(direct)

"""`dwsbot serve` as a real process (this virtualenv's console script) against the fake Slack,
the built-in simulator and SQLite in tmp_path: SIGTERM stops it gracefully in either mode (the
work in flight finishes, the leases are given up, exit code 0), and a refused SLACK_APP_TOKEN
ends the start in one line."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from commands.sweeper import LEASE
from tests.bot.slack import payloads
from tests.bot.slack.fake_slack import CONNECTIONS_OPEN, FakeSlack
from tests.bot.slack.fake_socket import wait_for
from tests.bot.slack.harness import ALICE, AUDIT_KEY, POLICY, SIGNING_SECRET, command_fields

DWSBOT = Path(sys.executable).with_name("dwsbot")
START_TIMEOUT_S = 60.0


def environment(tmp_path: Path, slack: FakeSlack, **overrides: str) -> dict[str, str]:
    """The process's environment: the fake Slack, the test policy, SQLite in ``tmp_path``."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    values = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DWSBOT_SLACK_API_URL": slack.api_url,
        "DWSBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "DWSBOT_POLICY_FILE": str(policy),
        "DWSBOT_AUDIT_KEY": AUDIT_KEY,
    }
    env = {**os.environ, **values, **overrides}
    env.pop("PYTHONUNBUFFERED", None)  # as in a container: stdout a pipe, block-buffered
    return env


async def start(tmp_path: Path, env: dict[str, str], mode: str) -> asyncio.subprocess.Process:
    """``dwsbot serve --<mode> --port 0``; its log lines go to ``tmp_path / "stderr"``."""
    with (tmp_path / "stderr").open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            str(DWSBOT),
            "serve",
            f"--{mode}",
            "--port",
            "0",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )


async def start_line(proc: asyncio.subprocess.Process, tmp_path: Path) -> str:
    """The line the process prints once it serves (an assertion error if it ends first)."""
    assert proc.stdout is not None
    async with asyncio.timeout(START_TIMEOUT_S):
        line = (await proc.stdout.readline()).decode()
    assert line.startswith("dwsbot serving"), line + (tmp_path / "stderr").read_text()
    return line


def lease_holder(tmp_path: Path) -> str | None:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        row = db.execute("SELECT owner FROM leases WHERE name = ?", (LEASE,)).fetchone()
    return None if row is None else str(row[0])


async def listening(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as http:
            await http.get(f"{url}/healthz")
    except httpx.TransportError:
        return False
    return True


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.set_channel("C0OPS", "ops")
        fake.add_user(ALICE.id, ALICE.name, display_name="Alice")
        yield fake


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_sigterm_finishes_the_work_in_flight_gives_up_the_leases_and_exits_0(
    tmp_path: Path, slack: FakeSlack, mode: str
) -> None:
    proc = await start(tmp_path, environment(tmp_path, slack), mode)
    try:
        line = await start_line(proc, tmp_path)
        [port] = re.findall(r"http://127\.0\.0\.1:(\d+)/", line)
        url = f"http://127.0.0.1:{port}"
        held = slack.hold("users.info")  # the command's work waits here, after its ack
        fields = command_fields(slack, ALICE, "clusters")
        if mode == "http":
            signed = payloads.signed_command(fields, secret=SIGNING_SECRET)
            async with httpx.AsyncClient() as http:
                acked = await http.post(
                    f"{url}/slack/events", content=signed.body, headers=signed.headers
                )
            assert acked.status_code == 200
        else:
            envelope = payloads.command_envelope(fields)
            await slack.socket_send(envelope)
            assert await slack.socket_ack(envelope["envelope_id"]) is None
        await wait_for(lambda: held.waiting)
        assert lease_holder(tmp_path) is not None  # the sweeper's, taken at start

        proc.send_signal(signal.SIGTERM)
        while await listening(url):  # the stop has begun: no more connections
            await asyncio.sleep(0.01)
        assert slack.ephemeral == []
        held.release()
        async with asyncio.timeout(START_TIMEOUT_S):
            returncode = await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    log = (tmp_path / "stderr").read_text()
    assert returncode == 0, log
    assert "Traceback" not in log
    [answer] = slack.ephemeral  # the work in flight was finished, not cancelled
    assert (answer["user"], answer["via"]) == (ALICE.id, "response_url")
    assert lease_holder(tmp_path) is None
    if mode == "socket":
        assert [c.ws.closed for c in slack.socket_connections] == [True]


async def test_a_refused_app_token_ends_the_start_in_one_line(
    tmp_path: Path, slack: FakeSlack
) -> None:
    env = environment(tmp_path, slack, SLACK_APP_TOKEN="xapp-1-revoked")
    with (tmp_path / "stderr").open("wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            *(str(DWSBOT), "serve", "--socket", "--port", "0"),
            env=env,
            stdout=stderr,
            stderr=stderr,
        )
    try:
        async with asyncio.timeout(START_TIMEOUT_S):  # a start that retries forever fails
            returncode = await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    output = (tmp_path / "stderr").read_text()  # the start's log lines, then the error
    assert returncode == 2 and "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert errors == [output.splitlines()[-1]], output
    assert errors[0].startswith("error: SLACK_APP_TOKEN was refused by Slack (invalid_auth):")
    assert len(slack.calls_to(CONNECTIONS_OPEN)) == 1  # asked once, not again and again
    assert "xapp-1-revoked" not in output

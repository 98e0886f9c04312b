"""`dwsbot simulator`: options, banner, and a real server answering our client over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bot.cli import app as root
from bot.cli_simulator import SimulatorOptions, banner
from dws.signing import sdk_date, sign
from dws.simulator import defaults

DWSBOT = Path(sys.executable).with_name("dwsbot")


def test_banner_shows_endpoint_project_credentials_and_env() -> None:
    options = SimulatorOptions(
        port=9911, seed=4, project_id="abc123", faults=("*=drop",), start_delay=7.5
    )
    text = banner(options)
    assert "operations start 7.5 s after they are accepted" in text
    assert "http://127.0.0.1:9911" in text
    assert "abc123" in text
    assert defaults.AK in text and defaults.SK in text and defaults.IAM_PASSWORD in text
    assert "export DWSBOT_DWS_ENDPOINT=http://127.0.0.1:9911" in text
    assert "export DWSBOT_DWS_PROJECT_ID=abc123" in text
    assert "*=drop" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "nonsense"], "bad fault 'nonsense'"),
        (["--fault", "*=error:status=404"], "5xx"),
        (["--speed", "-1"], "--speed must be >= 0"),
        (["--speed", "inf"], "--speed must be >= 0 and finite"),
        (["--speed", "nan"], "--speed must be >= 0 and finite"),
        (["--ak", ""], "--ak must not be empty"),
        (["--iam-password", " "], "--iam-password must not be empty"),
        (["--fault", "*=latency:seconds=inf"], "seconds must be between 0 and 600"),
        (["--port", "70000"], "--port must be between"),
        (["--project-id", "a/b"], "--project-id"),
        (["--start-delay", "-1"], "--start-delay: the start delay must be between 0 and"),
        (["--start-delay", "nan"], "--start-delay: the start delay must be between 0 and"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(root, ["simulator", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DWSBOT_")}
    proc = subprocess.Popen(
        [
            str(DWSBOT),
            "simulator",
            "--port",
            str(port),
            "--seed",
            "3",
            "--fault",
            "*/availability-zones=throttle:count=1,retry_after=4",
            "--start-delay",
            "7",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/_sim/clock", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the simulator did not start") from None
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        assert proc.stdout is not None
        proc.stdout.close()


def _signed(method: str, url: str) -> httpx.Request:
    headers = {
        "X-Sdk-Date": sdk_date(datetime.now(UTC)),
        "Host": httpx.URL(url).netloc.decode(),
        "Content-Type": "application/json",
    }
    headers["Authorization"] = sign(method, url, headers, b"", defaults.AK, defaults.SK)
    return httpx.Request(method, url, headers=headers)


async def test_served_over_http_with_faults_and_our_client(
    served: tuple[str, subprocess.Popen[str]],
) -> None:
    from dws.client import DwsClient
    from dws.config import DwsTarget

    base, proc = served
    path = f"{base}/v1.0/{defaults.PROJECT_ID}/availability-zones"
    async with httpx.AsyncClient() as raw:
        assert (await raw.get(f"{base}/_sim/")).json()["start_delay"] == 7
        throttled = await raw.send(_signed("GET", path))
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "4"
        assert (await raw.send(_signed("GET", path))).status_code == 200
        assert (await raw.get(path)).status_code == 401
        rule = {"kind": "drop", "pattern": "*/availability-zones", "count": 1}
        assert (await raw.post(f"{base}/_sim/faults", json=rule)).status_code == 201
        with pytest.raises(httpx.TransportError):
            await raw.send(_signed("GET", path))
        assert (await raw.send(_signed("GET", path))).status_code == 200
        log = (await raw.get(f"{base}/_sim/requests")).json()["requests"]
        assert [r["status"] for r in log if r["path"].endswith("/availability-zones")] == [
            429,
            200,
            401,
            0,
            200,
        ]
    target = DwsTarget(
        endpoint=base, project_id=defaults.PROJECT_ID, ak=defaults.AK, sk=defaults.SK
    )
    async with DwsClient(target) as client:
        clusters = (await client.call("list_clusters"))["clusters"]
        assert len(clusters) >= 5
    proc.terminate()
    output, _ = proc.communicate(timeout=20)
    assert f"DWS simulator on {base}" in output
    assert defaults.PROJECT_ID in output
    assert "Traceback" not in output


def test_busy_port_is_a_one_line_error_before_the_banner() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(root, ["simulator", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on http://127.0.0.1:{port}" in result.output
    assert "DWS simulator on" not in result.output
    assert "Traceback" not in result.output

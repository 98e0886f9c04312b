"""`dwsbot api`: the catalogue listing, calls against the built-in simulator, bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.cli_api import mask_header, parse_params

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_list_prints_every_operation() -> None:
    result = invoke("api", "list")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 212
    assert any(line.startswith("restart_cluster ") and "/restart" in line for line in lines)
    assert any("(5.2.25)" in line for line in lines)


def test_call_against_the_builtin_simulator() -> None:
    result = invoke("api", "call", "list_clusters")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["count"] == len(answer["clusters"]) > 0
    assert "built-in simulator" in result.stderr


def test_dry_run_prints_signed_request_with_secrets_masked() -> None:
    result = invoke("api", "call", "list_events", "limit=5", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("GET http://dws-simulator.local/v2/")
    assert "limit=5" in out.splitlines()[0]
    assert "Signature=****" in out
    assert "simulator-secret-key" not in out


def test_dry_run_shows_body() -> None:
    result = invoke(
        "api", "call", "restart_cluster", "cluster_id=abc", "--body", '{"restart": {}}', "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith('{"restart":{}}')


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["api", "call", "list_clusterz"], "list_clusters"),
        (["api", "call", "list_cluster_details"], "cluster_id"),
        (["api", "call", "list_clusters", "--body", "{oops"], "not valid JSON"),
        (["api", "call", "list_clusters", "noequals"], "key=value"),
        (["api", "call", "list_cluster_nodes", "cluster_id=c1", "limit=abc"], "limit"),
        (["api", "call", "list_clusters", "--body", "@/nonexistent.json"], "cannot read"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], needle: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and needle in errors[0]
    assert "Traceback" not in result.output


def test_bad_setting_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWSBOT_DWS_ENDPOINT", "https://dws.example.test")
    result = invoke("api", "call", "list_clusters")
    assert result.exit_code == 2
    assert "DWSBOT_DWS_PROJECT_ID" in result.stderr


def test_parse_params_repeated_keys() -> None:
    assert parse_params(["a=1", "b=", "a=2"]) == {"a": ["1", "2"], "b": ""}


def test_mask_header() -> None:
    value = "SDK-HMAC-SHA256 Access=AKIDEXAMPLE, SignedHeaders=host;x-sdk-date, Signature=abc123"
    masked = mask_header("Authorization", value)
    assert (
        masked == "SDK-HMAC-SHA256 Access=AKID****, SignedHeaders=host;x-sdk-date, Signature=****"
    )
    assert mask_header("X-Auth-Token", "tok") == "****"
    assert mask_header("Host", "h") == "h"


@pytest.mark.parametrize("value", ["inf", "nan", "0", "86400"])
def test_unbounded_timeout_is_refused_at_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DWSBOT_DWS_TIMEOUT", value)
    result = invoke("api", "call", "list_clusters")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: DWSBOT_DWS_TIMEOUT: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_dry_run_masks_secret_body_fields() -> None:
    password = "Vx9!kLmq-27Rtz-dry"
    body = json.dumps({"new_password": password})
    result = invoke("api", "call", "reset_password", "cluster_id=abc", "--body", body, "--dry-run")
    assert result.exit_code == 0, result.output
    assert password not in result.output
    assert result.stdout.strip().endswith('{"new_password":"***"}')


@pytest.mark.parametrize(
    "text",
    [
        '{"restart": ' + '{"a": ' * 900 + "1" + "}" * 901,  # deeper than the bound
        '{"restart": ' + "[" * 5000 + "]" * 5000 + "}",  # deeper than json can decode
    ],
    ids=["900", "5000"],
)
@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["send", "dry-run"])
def test_deeply_nested_body_is_one_line(tmp_path, text: str, dry_run: list[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text(text)
    result = invoke(
        "api", "call", "restart_cluster", "cluster_id=c", "--body", f"@{path}", *dry_run
    )
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "nests deeper than 32 levels" in errors[0]
    assert "Traceback" not in result.output


def test_body_file_that_is_not_utf8_is_one_line(tmp_path) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(b'{"restart": "\xff"}')
    result = invoke("api", "call", "restart_cluster", "cluster_id=c", "--body", f"@{path}")
    assert result.exit_code == 2, result.output
    assert "not UTF-8 text" in result.stderr

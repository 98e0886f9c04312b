"""`dwsbot serve` and `dwsbot manifest` refuse bad input in one line (exit 2), before starting."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.slack.manifest import manifest
from tests.bot.test_cli_errors import one_error_line

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["serve"], {}, "choose one of --socket (Socket Mode) or --http"),
        (["serve", "--http", "--socket"], {}, "choose one of"),
        (["serve", "--socket"], {}, "SLACK_BOT_TOKEN is not set"),
        (["serve", "--socket"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN is not set"),
        (["serve", "--http"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        (["serve", "--http", "--port", "70000"], {}, "--port"),
        (["manifest", "--http", "http://plain.example.com"], {}, "https://"),
    ],
)
def test_bad_serve_input_is_one_line(args: list[str], env: dict[str, str], needle: str) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 2
    assert needle in one_error_line(result.output)
    assert "xoxb-1" not in result.output


def test_manifest_prints_the_shipped_manifest() -> None:
    result = runner.invoke(app, ["manifest"])
    assert result.exit_code == 0 and yaml.safe_load(result.output) == manifest()

"""`dwsbot doctor` checks the Slack tokens against the fake Slack: auth.test and the scopes the
installed app was granted (Slack's x-oauth-scopes header) against app_manifest.yml."""

from __future__ import annotations

from pydantic import SecretStr

from bot.doctor import run_checks
from bot.settings import load_settings
from tests.bot.slack.fake_slack import FakeSlack


async def _slack_lines(slack: FakeSlack, token: str) -> list[str]:
    settings = load_settings(slack_bot_token=SecretStr(token), slack_api_url=slack.api_url)
    return [c.line() for c in await run_checks(settings) if c.name.startswith(("Slack", "SLACK"))]


async def test_doctor_passes_with_a_good_token_and_every_scope() -> None:
    async with FakeSlack() as slack:
        lines = await _slack_lines(slack, slack.bot_token)
    assert lines[0].startswith("✔ Slack: workspace") and "✔ Slack scopes" in lines[1]
    assert "⚠ SLACK_SIGNING_SECRET: not set" in lines[2]
    assert all(slack.bot_token not in line for line in lines)


async def test_doctor_names_a_refused_token_and_missing_scopes() -> None:
    async with FakeSlack() as slack:
        assert (await _slack_lines(slack, "xoxb-wrong"))[0] == (
            "✖ Slack: SLACK_BOT_TOKEN refused by auth.test (invalid_auth)"
        )
        slack.scopes = ["commands", "chat:write"]
        lines = await _slack_lines(slack, slack.bot_token)
    assert lines[1].startswith("✖ Slack scopes: missing chat:write.public, users:read")
    assert "reinstall the app" in lines[1]


async def test_doctor_without_slack_says_only_the_console_works() -> None:
    lines = [c.line() for c in await run_checks(load_settings()) if c.name == "Slack"]
    assert lines == [
        "⚠ Slack: SLACK_BOT_TOKEN not set: only the console works (see README, Run it in Slack)"
    ]

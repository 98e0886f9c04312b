"""The user directory: names and groups from Slack, and what it falls back on when Slack
cannot be asked (never an error for the person who typed the command)."""

from __future__ import annotations

from bot.listen import listen
from bot.slack.users import Directory
from bot.slack.web import make_web_client
from tests.bot.slack.fake_slack import FakeSlack


async def test_names_and_groups_come_from_slack() -> None:
    async with FakeSlack() as slack:
        slack.add_user("U0DAVE", "dave", display_name="Dave")
        slack.add_usergroup("S0DP", "data-platform", ["U0DAVE"])
        directory = Directory(make_web_client(slack.bot_token, slack.api_url, None))
        dave = await directory.user("U0DAVE", "T0TEST", "dave-typed")
        assert (dave.name, dave.team, dave.groups) == ("Dave", "T0TEST", ("S0DP", "data-platform"))
        await directory.user("U0DAVE", "T0TEST")
        assert len(slack.calls_to("users.info")) == 1  # cached


async def test_an_unreachable_slack_falls_back_to_the_name_the_request_carried() -> None:
    closed = listen("127.0.0.1", 0)  # bound, never listening: connections are refused
    port = closed.getsockname()[1]
    try:
        directory = Directory(make_web_client("xoxb-test", f"http://127.0.0.1:{port}/api/", None))
        user = await directory.user("U0DAVE", "T0TEST", "dave")
    finally:
        closed.close()
    assert (user.id, user.name, user.groups) == ("U0DAVE", "dave", ())

"""The Slack app: slack-bolt's AsyncApp with dwsbot's listeners, one module per kind.

Every listener acks at once and hands its work to the adapter's `TaskSet`
(``process_before_response=True``: bolt answers Slack as soon as the listener returns, with
no polling for the ack), so a slow DWS answer never delays the ack. Decisions stay in the
command layer: the listeners turn payloads into `InvocationRequest` / `ActionRequest`, call
the dispatcher and give the replies to `Delivery`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery import Delivery
from bot.slack.tasks import TaskSet
from bot.slack.users import Directory
from bot.wiring import Runtime

log = logging.getLogger("dwsbot.slack")

SLASH_COMMAND = "/dws"


@dataclass
class SlackBot:
    """What the listeners share: the runtime (dispatcher, policy, database) and Slack's side."""

    runtime: Runtime
    client: AsyncWebClient
    delivery: Delivery
    directory: Directory
    tasks: TaskSet


def build_app(bot: SlackBot, *, signing_secret: str) -> AsyncApp:
    """The AsyncApp with every listener registered (signing_secret "" in Socket Mode)."""
    from bot.slack import on_action, on_command, on_event, on_view

    app = AsyncApp(
        client=bot.client,
        signing_secret=signing_secret,
        process_before_response=True,
        logger=logging.getLogger("dwsbot.slack.bolt"),
    )

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("listener failed: %s", type(error).__name__, exc_info=error)

    on_command.register(app, bot)
    on_action.register(app, bot)
    on_event.register(app, bot)
    on_view.register(app, bot)
    return app

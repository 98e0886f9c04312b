"""The Slack app: slack-bolt's AsyncApp with dwsbot's listeners, one module per kind.

Every listener acks at once and hands its work to the adapter's `TaskSet`
(``process_before_response=True``: bolt answers Slack as soon as the listener returns, with
no polling for the ack), so a slow DWS answer never delays the ack. Decisions stay in the
command layer: the listeners turn payloads into `InvocationRequest` / `ActionRequest`, call
the dispatcher and give the replies to `Delivery`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import AckKind, Metrics
from bot.slack.delivery import Delivery, respond_to
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
    metrics: Metrics | None = None

    def command_name(self, text: str) -> str:
        """The registered name of the command in ``/dws ...`` text (for metrics and logs)."""
        words = text.split()[1:] if text.startswith("/dws") else text.split()
        found = self.runtime.registry.match(words)
        return found[0].name if found else "unknown"


ACK_KINDS: dict[str, AckKind] = {
    "block_actions": "action",
    "view_submission": "view",
    "view_closed": "view",
    "block_suggestion": "action",
    "event_callback": "event",
}


def ack_kind(body: dict[str, Any]) -> AckKind:
    """What kind of Slack request a body is, for the ack-latency histogram."""
    if "command" in body:
        return "command"
    return ACK_KINDS.get(str(body.get("type")), "event")


class TimedApp(AsyncApp):
    """bolt's AsyncApp timing every ack: `async_dispatch` returns Slack's answer once the
    listener has acked and returned. (A global middleware cannot time it: bolt runs the
    listener only after the whole middleware chain has returned.)"""

    def __init__(self, *, metrics: Metrics | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ack_metrics = metrics

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        started = time.perf_counter()
        try:
            return await super().async_dispatch(req)
        finally:
            if self._ack_metrics is not None:
                self._ack_metrics.ack(ack_kind(req.body), time.perf_counter() - started)


def build_app(bot: SlackBot, *, signing_secret: str) -> AsyncApp:
    """The AsyncApp with every listener registered (signing_secret "" in Socket Mode)."""
    from bot.slack import on_action, on_command, on_event, on_view

    app = TimedApp(
        metrics=bot.metrics,
        client=bot.client,
        signing_secret=signing_secret,
        process_before_response=True,
        logger=logging.getLogger("slack_bolt.AsyncApp"),
    )

    @app.middleware
    async def respond_through_the_session(
        context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:  # the listeners' `respond` keeps Slack's connections alive (`respond_to`)
        if context.response_url:
            context["respond"] = respond_to(context.response_url, bot.client)
        await next()

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("listener failed: %s", type(error).__name__, exc_info=error)

    on_command.register(app, bot)
    on_action.register(app, bot)
    on_event.register(app, bot)
    on_view.register(app, bot)
    return app

"""Events API: ``app_home_opened`` publishes the user's Home tab, once per event.

Slack retries a delivery it thinks failed (``X-Slack-Retry-Num``; Socket Mode's
``retry_attempt``) with the same ``event_id``: the first replica to claim the id in the
database (`seen_deliveries`) handles it, every repeat is acknowledged and dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.slack import home
from dws.clock import utcnow

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.app import SlackBot


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Listen to the events the manifest subscribes to."""

    @app.event("app_home_opened")
    async def on_home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        if not await first_delivery(bot, str(body.get("event_id") or "")):
            return
        user_id = str(event.get("user") or "")
        team = str(body.get("team_id") or "")
        bot.tasks.spawn(open_home(bot, user_id, team), name="app-home")


async def first_delivery(bot: SlackBot, event_id: str) -> bool:
    """True the first time any replica sees ``event_id`` (an event without one: always)."""
    if not event_id:
        return True
    async with bot.runtime.db.unit_of_work() as uow:
        return await uow.seen.claim(f"event:{event_id}", utcnow())


async def open_home(bot: SlackBot, user_id: str, team: str) -> None:
    """Publish the Home tab of a user."""
    user = await bot.directory.user(user_id, team)
    await home.publish(bot, user, bot.delivery.where())

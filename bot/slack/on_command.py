"""``/dws ...``: the slash command, acked at once, then dispatched as the person who typed it.

Read answers go to the asker alone (the response_url, which works in any channel) unless the
text has ``--public``; a request's message (an approval, an executing change) is posted in the
channel, and when the bot cannot post there the asker is told how to fix it. A changing command
typed without its arguments opens its form instead (`bot.slack.modals`, `bot.slack.on_view`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.logs import bind_request
from bot.slack import modals, on_view
from commands.dispatch import InvocationRequest
from commands.services import unexpected

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.app import SlackBot
    from bot.slack.delivery import Respond

PUBLIC = "--public"


def split_public(text: str) -> tuple[str, bool]:
    """The command text without ``--public``, and whether it was there."""
    words = text.split()
    public = PUBLIC in words
    return " ".join(w for w in words if w != PUBLIC), public


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Listen to the slash command."""
    from bot.slack.app import SLASH_COMMAND

    @app.command(SLASH_COMMAND)
    async def on_dws(ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        words, _public = split_public(str(body.get("text") or ""))
        form = modals.form_for(words, bot.runtime.registry)
        if form is not None:  # at once: the trigger_id expires 3 s after the command
            bot.tasks.spawn(open_form(bot, body, respond, form), name="form")
            return
        bot.tasks.spawn(run_command(bot, body, respond), name="slash-command")


async def open_form(
    bot: SlackBot, body: dict[str, Any], respond: Respond, form: modals.Form
) -> None:
    """Open the command's form (`bot.slack.on_view`)."""
    try:
        await on_view.open_form(bot, body, form, respond)
    except Exception as exc:
        await bot.delivery.answer(respond, unexpected(exc, "form"))


async def run_command(bot: SlackBot, body: dict[str, Any], respond: Respond) -> None:
    """Dispatch one slash command and deliver its reply."""
    words, public = split_public(str(body.get("text") or ""))
    text = f"/dws {words}".strip()
    channel = str(body.get("channel_id") or "")
    name = bot.command_name(text)
    user_id, team = str(body.get("user_id") or ""), str(body.get("team_id") or "")
    with bind_request(team=team, user=user_id, channel=channel, command=name):
        try:
            user = await bot.directory.user(user_id, team, str(body.get("user_name") or ""))
            reply = await bot.runtime.dispatcher.handle(InvocationRequest(user, channel, text))
            if bot.metrics is not None:
                bot.metrics.command(name, reply.severity)
            if reply.ref is not None:
                name = str(body.get("channel_name") or "")
                await bot.delivery.request_message(channel, reply, respond, channel_name=name)
            else:
                await bot.delivery.answer(respond, reply, public=public, command=text)
        except Exception as exc:
            await bot.delivery.answer(respond, unexpected(exc, "slash command"))

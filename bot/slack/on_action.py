"""Button clicks: Approve / Deny / Cancel, "Show more", and follow-up commands.

A vote carries the approval id only and goes to `Dispatcher.act`; an answer that changed the
request (it has a ``ref``) updates the request's one message (found by the id in the database,
so any replica can); a refused click, and one that changed nothing (the request was decided
already, a repeat vote), is answered to the clicker alone. Clicks may arrive twice: the
approval's stored state machine makes a repeat harmless, and the other buttons only read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.logs import bind_request
from bot.slack import home
from bot.slack.blocks import MORE, RUN, read_cursor
from commands.dispatch import ActionRequest, InvocationRequest
from commands.registry import UserRef
from commands.replies import APPROVAL_CHOICES, Reply
from commands.services import unexpected

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.slack.app import SlackBot
    from bot.slack.delivery import Respond

VOTE = re.compile("^(" + "|".join(APPROVAL_CHOICES) + ")$")
FOLLOW_UP = re.compile(rf"^{RUN}:\d+$")


def register(app: AsyncApp, bot: SlackBot) -> None:
    """Listen to the buttons dwsbot's messages carry."""

    @app.action(VOTE)
    async def on_vote(ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        bot.tasks.spawn(vote(bot, body, respond), name="vote")

    @app.action(MORE)
    async def on_more(ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        cursor = read_cursor(_action(body).get("value", ""))
        if cursor is not None:
            text, page = cursor
            bot.tasks.spawn(rerun(bot, body, respond, text, page), name="show-more")

    @app.action(FOLLOW_UP)
    async def on_follow_up(ack: Any, body: dict[str, Any], respond: Respond) -> None:
        await ack()
        text = str(_action(body).get("value", ""))
        if text.startswith("/dws"):
            bot.tasks.spawn(rerun(bot, body, respond, text, 0), name="follow-up")


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    return actions[0] if isinstance(actions[0], dict) else {}


async def clicker(bot: SlackBot, body: dict[str, Any]) -> UserRef:
    """Who clicked, as the policy knows them."""
    user = body.get("user") or {}
    team = str(user.get("team_id") or (body.get("team") or {}).get("id") or "")
    hint = str(user.get("name") or user.get("username") or "")
    return await bot.directory.user(str(user.get("id") or ""), team, hint)


async def vote(bot: SlackBot, body: dict[str, Any], respond: Respond | None) -> None:
    """Approve, deny or cancel: the answer updates the request's message, or the clicker's."""
    action = _action(body)
    user = await clicker(bot, body)
    channel = str((body.get("channel") or {}).get("id") or "")
    choice = str(action.get("action_id") or "")
    with bind_request(team=user.team, user=user.id, channel=channel, command=choice):
        try:
            request = ActionRequest(user, str(action.get("value") or ""), choice)
            reply = await bot.runtime.dispatcher.act(request)
        except Exception as exc:
            reply = unexpected(exc, "vote")
    if reply.ref is not None:
        await bot.delivery.notify(channel, reply)
    elif respond is not None and body.get("response_url"):
        await bot.delivery.answer(respond, reply)
    if (body.get("view") or {}).get("type") == "home":  # clicked in App Home: show the news
        note = None if reply.ref is not None else reply
        await home.publish(bot, user, bot.delivery.where(), note=note)


async def rerun(
    bot: SlackBot, body: dict[str, Any], respond: Respond, text: str, page: int
) -> None:
    """Run a read again as the clicker (a follow-up, or the next page of a long answer)."""
    channel = str((body.get("channel") or {}).get("id") or "")
    try:
        user = await clicker(bot, body)
        reply: Reply = await bot.runtime.dispatcher.handle(InvocationRequest(user, channel, text))
    except Exception as exc:
        reply = unexpected(exc, "button")
    if reply.ref is not None:
        name = str((body.get("channel") or {}).get("name") or "")
        await bot.delivery.request_message(channel, reply, respond, channel_name=name)
    else:
        kwargs = bot.delivery.render(reply, command=text, page=page).kwargs()
        await respond(response_type="ephemeral", replace_original=False, **kwargs)

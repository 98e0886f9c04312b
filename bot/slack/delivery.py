"""Posting and updating dwsbot's messages in Slack: the dispatcher's `notify`, and answers.

One message per request: a reply with a ``ref`` (an approval id) is the request's message. Its
channel and ts are stored on the approval row (`set_message_ref`), so whichever replica learns
something new (a vote, progress, the outcome) updates that same message in place, through the
`Editor` (one workspace-wide chat.update budget, newest state wins). An edit notifies nobody,
so a reply that names people (``mention``) is also said in the message's thread.

A channel the bot cannot post in gets one ephemeral line to the person who asked, saying how
to fix it; a notification nobody is waiting for is logged with Slack's error code.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.blocks import Message, Where, message
from bot.slack.edits import Editor
from commands.replies import Reply
from commands.store import Database

log = logging.getLogger("dwsbot.slack")

Respond = Callable[..., Awaitable[Any]]
"""Bolt's `respond` (the request's response_url): ephemeral answers to the person who asked."""


def respond_to(response_url: str, client: AsyncWebClient) -> Respond:
    """Bolt's `respond` for ``response_url`` (the same arguments, the same body), posting through
    the Web API client's aiohttp session and proxy: bolt's own opens a new session each time."""

    async def respond(
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
    ) -> WebhookResponse:
        hook = AsyncWebhookClient(
            response_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            session=client.session,
        )
        message = {  # as bolt builds it: None and empty lists are left out
            "text": text,
            "blocks": blocks or None,
            "attachments": attachments or None,
            "response_type": response_type,
            "replace_original": replace_original,
            "delete_original": delete_original,
        }
        return await hook.send_dict(message)

    return respond


CANNOT_POST = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "cannot_dm_bot", "restricted_action"}
)


def slack_error(exc: SlackApiError) -> str:
    """Slack's ``error`` code of a failed call (``unknown`` if the answer had none)."""
    data = getattr(exc.response, "data", None)
    return str(data.get("error") or "unknown") if isinstance(data, dict) else "unknown"


def cannot_post(channel: str, error: str, name: str = "") -> str:
    """One line telling the person who asked why the bot could not post, and the fix."""
    where = f"#{name}" if name and name != "directmessage" else "this channel"
    if error == "is_archived":
        return f"I can't post in {where}: it is archived. Ask again in another channel."
    if channel.startswith("D") or name == "directmessage":
        return (
            "I can't post in this conversation: use /dws in a channel I am in, or in a direct "
            "message with me (the dwsbot app's Messages tab)."
        )
    return (
        f"I can't post in {where}: invite me to {where} with `/invite @dwsbot` (private "
        "channels need an invitation), then ask again."
    )


class Delivery:
    """Sends replies to Slack: new messages, in-place updates, thread notes, ephemeral lines."""

    def __init__(
        self,
        client: AsyncWebClient,
        db: Database | None,
        editor: Editor,
        where: Callable[[], Where],
    ) -> None:
        self.client = client
        self.db = db
        self.editor = editor
        self.where = where
        self._locks: dict[str, asyncio.Lock] = {}

    def render(self, reply: Reply, *, command: str | None = None, page: int = 0) -> Message:
        """The Block Kit message of a reply, with the context line of now."""
        return message(reply, self.where(), page=page, command=command)

    async def notify(self, channel: str, reply: Reply) -> None:
        """The dispatcher's callback: update the request's message, or post a new one."""
        try:
            if reply.ref is None:
                await self.post(channel, reply)
            else:
                await self.show(channel, reply)
        except SlackApiError as exc:
            log.warning("notify in %s failed: %s", channel or "-", slack_error(exc))

    async def post(self, channel: str, reply: Reply, *, thread_ts: str | None = None) -> str:
        """chat.postMessage; the new message's ts (SlackApiError when Slack refuses)."""
        kwargs = self.render(reply).kwargs()
        if thread_ts is not None:
            kwargs["thread_ts"] = thread_ts
        answer = await self.client.chat_postMessage(channel=channel, **kwargs)
        return str(answer["ts"])

    async def show(self, channel: str, reply: Reply) -> tuple[str, str]:
        """Put a request's reply (``ref`` set) in its one message: update it, or post it once.

        Returns (channel, ts). Replies naming people also go into the message's thread."""
        assert reply.ref is not None
        lock = self._locks.setdefault(reply.ref, asyncio.Lock())
        async with lock:
            where = await self._message_of(reply.ref)
            if where is None:
                ts = await self.post(channel, dataclasses.replace(reply, mention=()))
                where = (channel, ts)
                await self._remember(reply.ref, channel, ts)
            else:
                await self.update(where[0], where[1], reply)
        if len(self._locks) > 1024:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        if reply.mention:
            await self.tell(where[0], where[1], reply)
        return where

    async def update(self, channel: str, ts: str, reply: Reply) -> None:
        """Edit a message in place through the shared edit budget (the newest state wins)."""
        kwargs = self.render(dataclasses.replace(reply, mention=())).kwargs()

        async def send() -> None:
            await self.client.chat_update(channel=channel, ts=ts, **kwargs)

        await self.editor.submit(f"{channel}:{ts}", send)

    async def tell(self, channel: str, ts: str, reply: Reply) -> None:
        """Say a reply in the thread of message ``ts``, naming the users it concerns."""
        names = " ".join(f"<@{user}>" for user in reply.mention)
        note = dataclasses.replace(reply, actions=(), ref=None, mention=(), fields=())
        kwargs = self.render(note).kwargs()
        kwargs["text"] = f"{names} {kwargs['text']}".strip()
        try:
            await self.client.chat_postMessage(channel=channel, thread_ts=ts, **kwargs)
        except SlackApiError as exc:
            log.warning("thread note in %s failed: %s", channel, slack_error(exc))

    async def answer(
        self, respond: Respond, reply: Reply, *, public: bool = False, command: str | None = None
    ) -> None:
        """Answer the person who asked (ephemeral), or the channel with ``public``."""
        kwargs = self.render(reply, command=command).kwargs()
        await respond(
            response_type="in_channel" if public else "ephemeral", replace_original=False, **kwargs
        )

    async def request_message(
        self, channel: str, reply: Reply, respond: Respond, *, channel_name: str = ""
    ) -> None:
        """Post a request's message (an approval, an executing change) in the channel.

        When the bot cannot post there, the asker sees the message ephemerally with one line
        saying how to fix it (a pending approval then simply expires)."""
        try:
            await self.show(channel, reply)
        except SlackApiError as exc:
            error = slack_error(exc)
            if error not in CANNOT_POST:
                log.warning("posting in %s failed: %s", channel, error)
                line = f"Slack refused the message ({error}); the request stands: {reply.title}"
            else:
                line = cannot_post(channel, error, channel_name)
            await self.answer(respond, dataclasses.replace(reply, text=f"{line}\n\n{reply.text}"))

    async def _message_of(self, ref: str) -> tuple[str, str] | None:
        if self.db is None:
            return None
        async with self.db.unit_of_work(readonly=True) as uow:
            approval = await uow.approvals.get(ref)
        if approval is None or not approval.message_channel or not approval.message_ts:
            return None
        return approval.message_channel, approval.message_ts

    async def _remember(self, ref: str, channel: str, ts: str) -> None:
        if self.db is None:
            return
        async with self.db.unit_of_work() as uow:
            await uow.approvals.set_message_ref(ref, channel, ts)

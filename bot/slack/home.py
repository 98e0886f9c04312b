"""App Home: what one user sees in dwsbot's Home tab, built fresh each time it is opened.

Sections, each a `Reply` rendered within its share of the view's 100 blocks: who you are and
what your role allows, the clusters and their state, the pending approvals you may act on (with
working Approve / Deny / Cancel buttons), your recent requests and the latest audit entries.
The reads go through the dispatcher as that user, so the policy decides what appears: a
section the user may not read is left out, never shown as an error.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from bot.slack.blocks import Where, view_blocks
from commands.approval_view import approval_reply
from commands.dispatch import InvocationRequest
from commands.registry import UserRef
from commands.replies import Reply, Severity

if TYPE_CHECKING:
    from bot.slack.app import SlackBot

VIEW_BLOCKS = 100
PENDING_SHOWN = 5


async def home_view(
    bot: SlackBot, user: UserRef, where: Where, note: Reply | None = None
) -> dict[str, Any]:
    """The Home tab of ``user`` (a views.publish ``view``); ``note`` (a refused click's
    answer) is shown first."""
    sections: list[Reply | None] = [note, await _you(bot, user)]
    sections += [await _read(bot, user, "/dws clusters", "Clusters")]
    sections += await _pending(bot, user)
    sections += [await _read(bot, user, f"/dws audit --user {user.id} --limit 5", "Your requests")]
    sections += [await _read(bot, user, "/dws audit --limit 5", "Latest audit entries")]
    shown = [s for s in sections if s is not None]
    blocks: list[dict[str, Any]] = []
    for i, reply in enumerate(shown):
        left = VIEW_BLOCKS - len(blocks) - 1
        share = max(3, left // (len(shown) - i))
        if blocks:
            blocks.append({"type": "divider"})
        blocks += view_blocks(reply, where, budget=min(share, left))
        if len(blocks) >= VIEW_BLOCKS - 3:
            break
    return {"type": "home", "blocks": blocks[:VIEW_BLOCKS]}


async def publish(bot: SlackBot, user: UserRef, where: Where, *, note: Reply | None = None) -> None:
    """views.publish the user's Home tab."""
    view = await home_view(bot, user, where, note)
    await bot.client.views_publish(user_id=user.id, view=view)


async def _you(bot: SlackBot, user: UserRef) -> Reply:
    policy = bot.runtime.policy
    me = bot.runtime.dispatcher.services.with_role(user)
    allowed = policy.visible_commands(me)
    direct = [spec.name for spec, d in allowed if spec.changes and not d.approvals_needed]
    gated = [spec.name for spec, d in allowed if spec.changes and d.approvals_needed]
    reads = [spec.name for spec, _ in allowed if not spec.changes]
    text = "\n".join(
        line
        for line in (
            f"Your role: {me.role or 'none (ask an admin to grant one)'}",
            f"You may read: {', '.join(reads)}" if reads else "",
            f"You may run at once: {', '.join(direct)}" if direct else "",
            f"You may request (with approval): {', '.join(gated)}" if gated else "",
        )
        if line
    )
    return Reply(title=f"dwsbot for {me.display}", text=text, follow_ups=("/dws help",))


async def _read(bot: SlackBot, user: UserRef, text: str, title: str) -> Reply | None:
    reply = await bot.runtime.dispatcher.handle(InvocationRequest(user, "", text))
    if reply.severity is Severity.ERROR:
        return None  # not allowed, or nothing to show: the section is left out
    return dataclasses.replace(reply, title=title, follow_ups=())


async def _pending(bot: SlackBot, user: UserRef) -> list[Reply | None]:
    """The pending approvals ``user`` may vote on or cancel, each with its buttons."""
    db = bot.runtime.db
    policy = bot.runtime.policy
    me = bot.runtime.dispatcher.services.with_role(user)
    mine: list[Reply | None] = []
    async with db.unit_of_work(readonly=True) as uow:
        for approval in await uow.approvals.list_pending(limit=100):
            own = approval.requester_id == user.id
            if (
                not own
                and not policy.can_approve(me, approval.action, approval.requester_id, None).allowed
            ):
                continue
            votes = await uow.approvals.votes(approval.id)
            mine.append(approval_reply(approval, votes))
            if len(mine) == PENDING_SHOWN:
                break
    if not mine:
        return [Reply(title="Pending approvals", text="Nothing waits for you.")]
    return [Reply(title=f"Pending approvals ({len(mine)} shown)"), *mine]

"""Audit checkpoints posted to ``DWSBOT_AUDIT_CHANNEL`` on a schedule.

A copy of the chain's head kept where a database administrator cannot rewrite it: every
``DWSBOT_AUDIT_CHECKPOINT_INTERVAL`` seconds one replica (the lease ``audit-checkpoint`` is
taken afresh each time, so it is due only once the previous one ran out) verifies the chain,
signs a checkpoint (`commands.audit.checkpoint`) and posts its line there;
`dwsbot audit verify --checkpoint LINE` later proves the chain still extends it. A broken
chain is never signed: the channel is told what is wrong instead.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from commands.audit import checkpoint
from commands.replies import Reply, Severity
from dws.clock import utcnow

if TYPE_CHECKING:
    from bot.slack.app import SlackBot

log = logging.getLogger("dwsbot.slack")

LEASE = "audit-checkpoint"


async def post_if_due(bot: SlackBot, channel: str, interval: timedelta) -> bool:
    """Post a checkpoint in ``channel`` if none was posted within ``interval``; True if so."""
    db = bot.runtime.db
    async with db.unit_of_work() as uow:
        if not await uow.leases.acquire(LEASE, secrets.token_hex(8), ttl=interval, now=utcnow()):
            return False
    signed, report = await checkpoint(db)
    if signed is None:
        reply = Reply.error(
            "The audit chain does not verify, so no checkpoint was signed: "
            + "; ".join(report.problems()[:5])
            + ". Run `dwsbot audit verify` for the whole report.",
            title="Audit chain broken",
        )
    else:
        reply = Reply(
            title="Audit checkpoint",
            text=f"{signed.line()}\nKeep it: `dwsbot audit verify --checkpoint LINE` proves "
            "the chain still extends it.",
            severity=Severity.SUCCESS,
        )
    await bot.delivery.post(channel, reply)
    return True

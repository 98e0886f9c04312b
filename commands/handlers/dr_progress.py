"""`/dws dr progress <dr>`: backup/restore progress of a DR pair (show_disaster_progress)."""

from __future__ import annotations

from typing import Any

from commands.handlers._common import call, when
from commands.handlers._dr import DrArgs, find_dr
from commands.registry import CommandContext, command
from commands.replies import Field, Reply


@command(
    "dr progress",
    summary="Show the DR progress: last backup and restore, RPO and RTO",
    usage="/dws dr progress <name|id>",
    examples=("/dws dr progress prod-dr",),
    args=DrArgs,
    positionals=("dr",),
)
async def dr_progress(ctx: CommandContext, args: DrArgs) -> Reply:
    """Show DR progress."""
    found = await find_dr(ctx.dws, args.dr)
    data = (
        await call(ctx.dws, "show_disaster_progress", {"disaster_recovery_id": str(found["id"])})
        or {}
    )
    prog = data.get("disaster_recovery_progress") or {}
    fields = [
        Field("primary", _action(prog.get("primary_cluster"))),
        Field("standby", _action(prog.get("standby_cluster"))),
        Field("latest barrier", when(prog.get("latest_barrier_time"))),
        Field("last restore took", _secs(prog.get("last_recovery_spend"))),
        Field("RPO", _secs(prog.get("recovery_point_object"))),
        Field("RTO", _secs(prog.get("recovery_time_object"))),
    ]
    return Reply(title=f"DR {found.get('name')}: progress", fields=tuple(fields))


def _action(side: Any) -> str:
    if not isinstance(side, dict):
        return "—"
    text = f"{side.get('action_type') or '?'} {side.get('key') or ''}".strip()
    if side.get("action_end_time"):
        text += f", ended {side['action_end_time']}"
    elif side.get("action_start_time"):
        text += f", started {side['action_start_time']}"
    pending = side.get("unrestore_keys")
    if pending and pending != "N/A":
        text += f", pending {len(str(pending).split(','))} backup sets"
    return text


def _secs(value: Any) -> str:
    return "—" if value in (None, "") else f"{value} s"

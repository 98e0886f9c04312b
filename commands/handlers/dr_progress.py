"""`/dws dr progress <dr>`: backup/restore progress of a DR pair (show_disaster_progress)."""

from __future__ import annotations

from commands.handlers._common import call_model, when
from commands.handlers._dr import DrArgs, find_dr
from commands.registry import CommandContext, command
from commands.replies import Field, Reply
from dws.models import (
    ClusterRecoveryProgress,
    DisasterRecoveryProgress,
    ShowDisasterProgressResponse,
)


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
    found = await find_dr(ctx, args.dr)
    data = await call_model(
        ctx.dws,
        "show_disaster_progress",
        ShowDisasterProgressResponse,
        {"disaster_recovery_id": found.id},
    )
    prog = data.disaster_recovery_progress or DisasterRecoveryProgress()
    fields = [
        Field("primary", _action(prog.primary_cluster)),
        Field("standby", _action(prog.standby_cluster)),
        Field("latest barrier", when(prog.latest_barrier_time)),
        Field("last restore took", _secs(prog.last_recovery_spend)),
        Field("RPO", _secs(prog.recovery_point_object)),
        Field("RTO", _secs(prog.recovery_time_object)),
    ]
    return Reply(title=f"DR {found.name}: progress", fields=tuple(fields))


def _action(side: ClusterRecoveryProgress | None) -> str:
    if side is None:
        return "—"
    text = f"{side.action_type or '?'} {side.key or ''}".strip()
    if side.action_end_time:
        text += f", ended {side.action_end_time}"
    elif side.action_start_time:
        text += f", started {side.action_start_time}"
    pending = side.unrestore_keys
    if pending and pending != "N/A":
        text += f", pending {len(pending.split(','))} backup sets"
    return text


def _secs(value: int | None) -> str:
    return "—" if value is None else f"{value} s"

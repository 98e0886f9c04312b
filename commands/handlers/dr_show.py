"""`/dws dr show <dr>`: one DR relationship in detail (show_disaster_detail, 5.12.4)."""

from __future__ import annotations

from commands.handlers._common import merged, when
from commands.handlers._dr import DrArgs, dr_detail, find_dr
from commands.registry import CommandContext, command
from commands.replies import Field, Reply
from dws.models import DisasterRecovery, DisasterRecoveryCluster, DisasterRecoveryDetail


@command(
    "dr show",
    summary="Show a DR relationship: status, both clusters, sync period",
    usage="/dws dr show <name|id>",
    examples=("/dws dr show prod-dr",),
    args=DrArgs,
    positionals=("dr",),
)
async def dr_show(ctx: CommandContext, args: DrArgs) -> Reply:
    """Show a DR relationship."""
    found = await find_dr(ctx, args.dr)
    detail = merged(DisasterRecoveryDetail, found, await dr_detail(ctx.dws, found.id))
    fields = [
        Field("id", detail.id),
        Field("status", detail.status or "?"),
        Field("type", detail.dr_type or "—"),
        Field("sync period", detail.dr_sync_period or "—"),
        Field("started", when(detail.start_time)),
        Field("primary", _side(detail.primary_cluster, found, "primary")),
        Field("standby", _side(detail.standby_cluster, found, "standby")),
    ]
    name = detail.name or args.dr
    return Reply(
        title=f"DR {name}: {detail.status}",
        fields=tuple(fields),
        follow_ups=(f"/dws dr progress {name}",),
    )


def _side(side: DisasterRecoveryCluster | None, summary: DisasterRecovery, role: str) -> str:
    if side is None:
        if role == "primary":
            name = summary.primary_cluster_name or summary.primary_cluster_id
            status = summary.primary_cluster_status
        else:
            name = summary.standby_cluster_name or summary.standby_cluster_id
            status = summary.standby_cluster_status
        return f"{name} ({status or '?'})"
    text = f"{side.name} ({side.status or '?'}, role {side.role or role}"
    if side.progress not in (None, ""):
        text += f", progress {side.progress}%"
    if side.last_success_time:
        text += f", last success {when(side.last_success_time)}"
    return text + ")"

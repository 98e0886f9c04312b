"""`/dws dr show <dr>`: one DR relationship in detail (show_disaster_detail, 5.12.4)."""

from __future__ import annotations

from typing import Any

from commands.handlers._common import when
from commands.handlers._dr import DrArgs, dr_detail, find_dr
from commands.registry import CommandContext, command
from commands.replies import Field, Reply


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
    found = await find_dr(ctx.dws, args.dr)
    detail = {**found, **await dr_detail(ctx.dws, str(found["id"]))}
    fields = [
        Field("id", str(detail.get("id", ""))),
        Field("status", str(detail.get("status") or "?")),
        Field("type", str(detail.get("dr_type") or "—")),
        Field("sync period", str(detail.get("dr_sync_period") or "—")),
        Field("started", when(detail.get("start_time"))),
        Field("primary", _side(detail.get("primary_cluster"), found, "primary")),
        Field("standby", _side(detail.get("standby_cluster"), found, "standby")),
    ]
    name = str(detail.get("name", args.dr))
    return Reply(
        title=f"DR {name}: {detail.get('status')}",
        fields=tuple(fields),
        follow_ups=(f"/dws dr progress {name}",),
    )


def _side(side: Any, summary: dict[str, Any], role: str) -> str:
    if not isinstance(side, dict):
        name = summary.get(f"{role}_cluster_name") or summary.get(f"{role}_cluster_id")
        return f"{name} ({summary.get(f'{role}_cluster_status') or '?'})"
    text = f"{side.get('name')} ({side.get('status') or '?'}, role {side.get('role') or role}"
    if side.get("progress") not in (None, ""):
        text += f", progress {side.get('progress')}%"
    if side.get("last_success_time"):
        text += f", last success {when(side.get('last_success_time'))}"
    return text + ")"

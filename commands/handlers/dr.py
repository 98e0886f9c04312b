"""`/dws dr`: the DR relationships of a target (list_disaster_recover, 5.12.3)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import grid, list_dr, plural, when
from commands.registry import CommandContext, command
from commands.replies import Reply


class NoArgs(BaseModel):
    """No arguments."""


@command(
    "dr",
    aliases=("dr list",),
    summary="List the disaster-recovery (DR) relationships",
    usage="/dws dr",
    examples=("/dws dr", "/dws dr list"),
    args=NoArgs,
)
async def dr(ctx: CommandContext, args: NoArgs) -> Reply:
    """List DR relationships."""
    items = await list_dr(ctx.dws)
    rows = [
        (
            d.name,
            d.status,
            d.dr_type,
            d.primary_cluster_name or d.primary_cluster_id,
            d.standby_cluster_name or d.standby_cluster_id,
            when(d.last_disaster_time),
            d.id,
        )
        for d in sorted(items, key=lambda d: str(d.name))
    ]
    return grid(
        ("name", "status", "type", "primary", "standby", "last sync", "id"),
        rows,
        title=f"{plural(len(rows), 'DR relationship')} on {ctx.target_name}",
        follow_ups=(f"/dws dr show {rows[0][0]}",) if rows else (),
    )

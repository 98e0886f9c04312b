"""`/dws snapshot-policy <cluster>`: the automated snapshot policy of a cluster (5.3.11)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call, find_cluster, grid, when
from commands.registry import CommandContext, command
from commands.replies import Reply


class PolicyArgs(BaseModel):
    """A cluster given by name or id."""

    cluster: str
    """Cluster name or id."""


@command(
    "snapshot-policy",
    summary="Show the automated snapshot policy of a cluster",
    usage="/dws snapshot-policy <cluster>",
    examples=("/dws snapshot-policy prod-dw",),
    args=PolicyArgs,
    positionals=("cluster",),
)
async def snapshot_policy(ctx: CommandContext, args: PolicyArgs) -> Reply:
    """Show the snapshot policy (list_snapshot_policy)."""
    found = await find_cluster(ctx.dws, args.cluster)
    data = await call(ctx.dws, "list_snapshot_policy", {"cluster_id": found["id"]}) or {}
    rows = [
        (
            s.get("policy_name"),
            s.get("backup_strategy"),
            s.get("backup_type"),
            s.get("backup_level"),
            when(s.get("next_fire_time")),
        )
        for s in data.get("backup_strategies") or []
        if isinstance(s, dict)
    ]
    keep = data.get("keep_day")
    text = f"snapshots are kept {keep} days" if keep not in (None, "") else ""
    if data.get("device_name"):
        text += f"{'; ' if text else ''}backup device {data['device_name']}"
    return grid(
        ("policy", "schedule", "type", "level", "next run"),
        rows,
        title=f"{found['name']}: snapshot policy",
        text=text,
    )

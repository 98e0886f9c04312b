"""`/dws snapshot-policy <cluster>`: the automated snapshot policy of a cluster (5.3.11)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, find_cluster, grid, when
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListSnapshotPolicyResponse


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
    found = await find_cluster(ctx, args.cluster)
    data = await call_model(
        ctx.dws, "list_snapshot_policy", ListSnapshotPolicyResponse, {"cluster_id": found.id}
    )
    rows = [
        (
            s.policy_name,
            s.backup_strategy,
            s.backup_type,
            s.backup_level,
            when(s.next_fire_time),
        )
        for s in data.backup_strategies
    ]
    keep = data.keep_day
    text = f"snapshots are kept {keep} days" if keep is not None else ""
    if data.device_name:
        text += f"{'; ' if text else ''}backup device {data.device_name}"
    return grid(
        ("policy", "schedule", "type", "level", "next run"),
        rows,
        title=f"{found.name}: snapshot policy",
        text=text,
    )

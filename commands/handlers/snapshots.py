"""`/dws snapshots [cluster]`: the snapshots of a target or of one cluster."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, cell, extra, find_cluster, grid, plural, when
from commands.handlers._snap import list_snapshots
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListClusterSnapshotsResponse, Snapshot, SnapshotDetail


class SnapshotsArgs(BaseModel):
    """Optionally a cluster."""

    cluster: str | None = None
    """Cluster name or id; all clusters when left out."""


@command(
    "snapshots",
    summary="List snapshots, of all clusters or of one",
    usage="/dws snapshots [cluster]",
    examples=("/dws snapshots", "/dws snapshots prod-dw"),
    args=SnapshotsArgs,
    positionals=("cluster",),
)
async def snapshots(ctx: CommandContext, args: SnapshotsArgs) -> Reply:
    """List snapshots (list_snapshots, or list_cluster_snapshots for one cluster)."""
    names: dict[str, str] = {}
    items: list[Snapshot]
    if args.cluster:
        found = await find_cluster(ctx, args.cluster)
        data = await call_model(
            ctx.dws,
            "list_cluster_snapshots",
            ListClusterSnapshotsResponse,
            {"cluster_id": found.id},
        )
        items = list(data.snapshots)
        names[found.id] = str(found.name)
        title = f"{found.name}: {plural(len(items), 'snapshot')}"
    else:
        items = await list_snapshots(ctx.dws)
        title = f"{plural(len(items), 'snapshot')} on {ctx.target_name}"
    items.sort(key=lambda s: s.started or "", reverse=True)
    return grid(
        ("name", "cluster", "status", "type", "started", "size GB", "id"),
        [_row(s, names) for s in items],
        title=title,
    )


def _row(snap: Snapshot, names: dict[str, str]) -> tuple[str, ...]:
    # list_snapshots (5.3.3) items have no cluster_name; list_cluster_snapshots' do.
    named = snap.cluster_name if isinstance(snap, SnapshotDetail) else extra(snap, "cluster_name")
    cluster = named or names.get(str(snap.cluster_id)) or ""
    return (
        snap.name or "",
        str(cluster or snap.cluster_id or ""),
        snap.status or "",
        snap.type or "",
        when(snap.started),
        cell(snap.size),
        snap.id,
    )

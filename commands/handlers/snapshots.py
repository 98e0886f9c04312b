"""`/dws snapshots [cluster]`: the snapshots of a target or of one cluster."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from commands.handlers._common import call, find_cluster, grid, plural, when
from commands.handlers._snap import list_snapshots
from commands.registry import CommandContext, command
from commands.replies import Reply


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
    if args.cluster:
        found = await find_cluster(ctx.dws, args.cluster)
        data = await call(ctx.dws, "list_cluster_snapshots", {"cluster_id": found["id"]})
        items = [s for s in (data or {}).get("snapshots") or [] if isinstance(s, dict)]
        names[str(found["id"])] = str(found["name"])
        title = f"{found['name']}: {plural(len(items), 'snapshot')}"
    else:
        items = await list_snapshots(ctx.dws)
        title = f"{plural(len(items), 'snapshot')} on {ctx.target_name}"
    items.sort(key=lambda s: str(s.get("started") or ""), reverse=True)
    return grid(
        ("name", "cluster", "status", "type", "started", "size GB", "id"),
        [_row(s, names) for s in items],
        title=title,
    )


def _row(snap: dict[str, Any], names: dict[str, str]) -> tuple[str, ...]:
    cluster = snap.get("cluster_name") or names.get(str(snap.get("cluster_id"))) or ""
    return (
        str(snap.get("name", "")),
        str(cluster or snap.get("cluster_id") or ""),
        str(snap.get("status", "")),
        str(snap.get("type", "")),
        when(snap.get("started")),
        str(snap.get("size") if snap.get("size") is not None else ""),
        str(snap.get("id", "")),
    )

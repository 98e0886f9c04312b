"""Snapshot lookups shared by the snapshot commands: by id, or by (unique) name."""

from __future__ import annotations

from commands.handlers._common import call_model, merged, pick
from commands.registry import CommandContext, DwsCaller
from dws.models import ListSnapshotDetailsResponse, ListSnapshotsResponse, Snapshot, SnapshotDetail


async def list_snapshots(client: DwsCaller) -> list[Snapshot]:
    """Every snapshot of the target (list_snapshots)."""
    return (await call_model(client, "list_snapshots", ListSnapshotsResponse)).snapshots


async def find_snapshot(ctx: CommandContext, ref: str) -> SnapshotDetail:
    """The snapshot's details (list_snapshot_details) for an id or a name (bound)."""
    found = pick(await list_snapshots(ctx.dws), ref, "snapshot", ctx.bindings)
    data = await call_model(
        ctx.dws, "list_snapshot_details", ListSnapshotDetailsResponse, {"snapshot_id": found.id}
    )
    return merged(SnapshotDetail, found, data.snapshot)

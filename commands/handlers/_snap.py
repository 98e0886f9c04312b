"""Snapshot lookups shared by the snapshot commands: by id, or by (unique) name."""

from __future__ import annotations

from commands.handlers._common import call_model, merged, pick
from commands.registry import DwsCaller
from dws.models import ListSnapshotDetailsResponse, ListSnapshotsResponse, Snapshot, SnapshotDetail


async def list_snapshots(client: DwsCaller) -> list[Snapshot]:
    """Every snapshot of the target (list_snapshots)."""
    return (await call_model(client, "list_snapshots", ListSnapshotsResponse)).snapshots


async def find_snapshot(client: DwsCaller, ref: str) -> SnapshotDetail:
    """The snapshot's details (list_snapshot_details) for an id or a name."""
    found = pick(await list_snapshots(client), ref, "snapshot")
    data = await call_model(
        client, "list_snapshot_details", ListSnapshotDetailsResponse, {"snapshot_id": found.id}
    )
    return merged(SnapshotDetail, found, data.snapshot)

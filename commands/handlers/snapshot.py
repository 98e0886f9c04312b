"""`/dws snapshot <id|name>`: one snapshot in detail."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import cell, when
from commands.handlers._snap import find_snapshot
from commands.registry import CommandContext, command
from commands.replies import Field, Reply


class SnapshotArgs(BaseModel):
    """A snapshot given by id or name."""

    snapshot: str
    """Snapshot id or name."""


@command(
    "snapshot",
    summary="Show one snapshot",
    usage="/dws snapshot <id|name>",
    examples=("/dws snapshot 4b2c6f3e-0f3a-4f7e-9e53-9d0c7c1d2a11", "/dws snapshot nightly-0101"),
    args=SnapshotArgs,
    positionals=("snapshot",),
)
async def snapshot(ctx: CommandContext, args: SnapshotArgs) -> Reply:
    """Show a snapshot (list_snapshot_details)."""
    snap = await find_snapshot(ctx, args.snapshot)
    fields = [
        Field("id", snap.id),
        Field("status", snap.status or ""),
        Field("type", snap.type or ""),
        Field("cluster", snap.cluster_name or snap.cluster_id or "—"),
        Field("started", when(snap.started)),
        Field("finished", when(snap.finished)),
        Field("size", f"{cell(snap.size)} GB" if snap.size is not None else "—"),
    ]
    if snap.progress:
        fields.append(Field("progress", snap.progress))
    if snap.description:
        fields.append(Field("description", snap.description))
    return Reply(
        title=f"Snapshot {snap.name or args.snapshot}",
        fields=tuple(fields),
        follow_ups=(f"/dws snapshot restore {snap.id} --name <new-cluster>",),
    )

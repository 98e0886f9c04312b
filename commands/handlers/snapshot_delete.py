"""`/dws snapshot delete <id|name>`: delete a manual snapshot (delete_snapshot, 5.3.8)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from commands.handlers._common import call_answer
from commands.handlers._snap import find_snapshot
from commands.registry import (
    ChangeCommand,
    CommandContext,
    CommandFailure,
    Execution,
    Plan,
    Risk,
    command,
)
from commands.replies import Field, Reply, Severity
from dws.models import DwsModel


class SnapshotDeleteArgs(BaseModel):
    """A snapshot given by id or name."""

    snapshot: str
    """Snapshot id or name."""


@command(
    "snapshot delete",
    summary="Delete a manual snapshot (automated snapshots expire by policy)",
    usage="/dws snapshot delete <id|name>",
    examples=("/dws snapshot delete before-upgrade",),
    args=SnapshotDeleteArgs,
    positionals=("snapshot",),
    min_role="operator",
    risk=Risk.DESTRUCTIVE,
)
class SnapshotDelete(ChangeCommand):
    """Only MANUAL snapshots that are not being created can be deleted."""

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Find the snapshot; refuse automated or unfinished ones."""
        snap = await find_snapshot(ctx, args.snapshot)
        kind = (snap.type or "").upper()
        if kind and kind != "MANUAL":
            raise CommandFailure(f"snapshot {snap.name} is {kind}; only manual ones can go")
        if (snap.status or "").upper() == "CREATING":
            raise CommandFailure(f"snapshot {snap.name} is still being created")
        return Plan(
            summary=f"Delete snapshot {snap.name} of cluster {snap.cluster_name or ''}",
            cluster_id=snap.cluster_id or None,
            cluster_name=snap.cluster_name or None,
            state={"snapshot_status": snap.status},
            params={"snapshot_id": snap.id, "snapshot_name": snap.name or ""},
        )

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """delete_snapshot (202: accepted)."""
        sent = await call_answer(
            ctx.dws, "delete_snapshot", DwsModel, {"snapshot_id": plan.params["snapshot_id"]}
        )
        return Execution(
            request_id=sent.request_id,
            reply=Reply(
                title=f"Snapshot {plan.params['snapshot_name']} deleted",
                fields=(Field("snapshot id", plan.params["snapshot_id"]),),
                severity=Severity.SUCCESS,
            ),
        )

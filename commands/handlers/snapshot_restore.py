"""`/dws snapshot restore <id|name> --name NEW`: restore a snapshot to a new cluster (5.3.15)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from commands.handlers._common import call, list_clusters
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

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{3,63}$")


class SnapshotRestoreArgs(BaseModel):
    """A snapshot and the new cluster's name."""

    snapshot: str
    """Snapshot id or name."""
    name: str
    """Name of the new cluster (4-64 letters, digits, - or _, starting with a letter)."""


@command(
    "snapshot restore",
    summary="Restore a snapshot into a new cluster",
    usage="/dws snapshot restore <id|name> --name NEW-CLUSTER",
    examples=("/dws snapshot restore before-upgrade --name prod-dw-restored",),
    args=SnapshotRestoreArgs,
    positionals=("snapshot",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class SnapshotRestore(ChangeCommand):
    """The snapshot must be AVAILABLE and the new name free."""

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Find the snapshot, check it and the new name."""
        snap = await find_snapshot(ctx.dws, args.snapshot)
        if str(snap.get("status") or "").upper() != "AVAILABLE":
            raise CommandFailure(
                f"snapshot {snap.get('name')} is {snap.get('status')}; it must be AVAILABLE"
            )
        if not _NAME.match(args.name):
            raise CommandFailure(
                "a cluster name has 4 to 64 letters, digits, - or _ and starts with a letter"
            )
        taken = {str(c.get("name", "")).lower() for c in await list_clusters(ctx.dws)}
        if args.name.lower() in taken:
            raise CommandFailure(f"a cluster named {args.name} already exists")
        return Plan(
            summary=f"Restore snapshot {snap.get('name')} into new cluster {args.name}",
            cluster_id=str(snap.get("cluster_id") or "") or None,
            cluster_name=str(snap.get("cluster_name") or "") or None,
            state={"snapshot_status": snap.get("status"), "name_taken": False},
            params={"snapshot_id": str(snap["id"]), "name": args.name},
        )

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """restore_cluster: answers with the new cluster's id."""
        data = await call(
            ctx.dws,
            "restore_cluster",
            {"snapshot_id": plan.params["snapshot_id"]},
            {"restore": {"name": plan.params["name"]}},
        )
        new_id = str(((data or {}).get("cluster") or {}).get("id") or "")
        return Execution(
            reply=Reply(
                title=f"{plan.summary}: submitted",
                fields=(Field("new cluster id", new_id or "—"),),
                severity=Severity.SUCCESS,
                follow_ups=(f"/dws cluster {plan.params['name']}",),
            )
        )

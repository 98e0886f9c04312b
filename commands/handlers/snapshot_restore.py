"""`/dws snapshot restore <id|name> --name NEW`: restore a snapshot to a new cluster (5.3.15)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from commands.handlers._common import IdRef, call_answer, list_clusters
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

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{3,63}$")


class ClusterRestored(DwsModel):
    """The answer of restore_cluster (5.3.15): ``{"cluster": {"id": "..."}}``."""

    cluster: IdRef | None = None
    """The new cluster."""


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
        snap = await find_snapshot(ctx, args.snapshot)
        if (snap.status or "").upper() != "AVAILABLE":
            raise CommandFailure(f"snapshot {snap.name} is {snap.status}; it must be AVAILABLE")
        if not _NAME.match(args.name):
            raise CommandFailure(
                "a cluster name has 4 to 64 letters, digits, - or _ and starts with a letter"
            )
        taken = {(c.name or "").lower() for c in await list_clusters(ctx.dws)}
        if args.name.lower() in taken:
            raise CommandFailure(f"a cluster named {args.name} already exists")
        return Plan(
            summary=f"Restore snapshot {snap.name} into new cluster {args.name}",
            cluster_id=snap.cluster_id or None,
            cluster_name=snap.cluster_name or None,
            state={"snapshot_status": snap.status, "name_taken": False},
            params={"snapshot_id": snap.id, "name": args.name},
        )

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """restore_cluster: answers with the new cluster's id."""
        sent = await call_answer(
            ctx.dws,
            "restore_cluster",
            ClusterRestored,
            {"snapshot_id": plan.params["snapshot_id"]},
            {"restore": {"name": plan.params["name"]}},
        )
        answer = sent.answer
        new_id = (answer.cluster.id if answer.cluster else None) or ""
        return Execution(
            request_id=sent.request_id,
            reply=Reply(
                title=f"{plan.summary}: submitted",
                fields=(Field("new cluster id", new_id or "—"),),
                severity=Severity.SUCCESS,
                follow_ups=(f"/dws cluster {plan.params['name']}",),
            ),
        )

"""`/dws snapshot create <cluster> [--name N]`: take a manual snapshot (create_snapshot, 5.3.1)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from commands.handlers._change import ClusterChange
from commands.handlers._common import IdRef, active_dr, call_answer, list_dr
from commands.registry import CommandContext, CommandFailure, Execution, Plan, Risk, command
from commands.replies import Field, Reply, Severity
from dws.models import DwsModel

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{3,63}$")


class SnapshotCreated(DwsModel):
    """The answer of create_snapshot (5.3.1): ``{"snapshot": {"id": "..."}}``."""

    snapshot: IdRef | None = None
    """The new snapshot."""


class SnapshotCreateArgs(BaseModel):
    """A cluster, and optionally the snapshot's name and description."""

    cluster: str
    """Cluster name or id."""
    name: str | None = None
    """Snapshot name: 4-64 letters, digits, - or _, starting with a letter (default: generated)."""
    description: str | None = None
    """Free text, up to 256 characters."""


@command(
    "snapshot create",
    summary="Take a manual snapshot of a cluster",
    usage="/dws snapshot create <cluster> [--name NAME] [--description TEXT]",
    examples=(
        "/dws snapshot create prod-dw",
        '/dws snapshot create prod-dw --name before-upgrade --description "before 9.1"',
    ),
    args=SnapshotCreateArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class SnapshotCreate(ClusterChange):
    """Snapshot: the cluster AVAILABLE and idle, and not the standby of a running DR pair."""

    operation = "create_snapshot"
    event = "createBackup"
    verb = "take a snapshot of"
    forbid_in_dr = False

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Cluster checks, the DR standby rule (5.12.2) and the name rules (5.3.1)."""
        plan = await super().plan(ctx, args)
        dr = active_dr(await list_dr(ctx.dws), str(plan.cluster_id))
        if dr and dr.standby_cluster_id == plan.cluster_id:
            raise CommandFailure(
                f"{plan.cluster_name} is the standby of the running DR {dr.name}; "
                "DWS allows no backup on the DR cluster"
            )
        stamp = ctx.clock().strftime("%Y%m%d-%H%M%S")
        name = args.name or f"{plan.cluster_name}-{stamp}"[-64:].lstrip("-_0123456789")
        if not _NAME.match(name):
            raise CommandFailure(
                "a snapshot name has 4 to 64 letters, digits, - or _ and starts with a letter"
            )
        if args.description and len(args.description) > 256:
            raise CommandFailure("the description is longer than 256 characters")
        return Plan(
            summary=f"Take snapshot {name} of cluster {plan.cluster_name}",
            cluster_id=plan.cluster_id,
            cluster_name=plan.cluster_name,
            state=plan.state,
            params={**plan.params, "name": name, "description": args.description},
        )

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """create_snapshot; the cluster shows SNAPSHOTTING until it is done."""
        snap: dict[str, Any] = {"name": plan.params["name"], "cluster_id": plan.cluster_id}
        if plan.params.get("description"):
            snap["description"] = plan.params["description"]
        sent = await call_answer(ctx.dws, self.operation, SnapshotCreated, None, {"snapshot": snap})
        answer = sent.answer
        snap_id = (answer.snapshot.id if answer.snapshot else None) or ""
        return Execution(
            request_id=sent.request_id,
            reply=Reply(
                title=f"{plan.summary}: submitted",
                fields=(
                    Field("cluster", f"{plan.cluster_name} ({plan.cluster_id})"),
                    Field("snapshot id", snap_id or "—"),
                ),
                severity=Severity.SUCCESS,
                follow_ups=(f"/dws snapshot {snap_id or plan.params['name']}",),
            ),
            track=True,
        )

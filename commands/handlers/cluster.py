"""`/dws cluster <name|id>`: one cluster in detail (status, task and progress, nodes, endpoints)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import (
    cluster_detail,
    dr_pairs_of,
    endpoints_text,
    find_cluster,
    list_dr,
    status_text,
    task_text,
    when,
)
from commands.registry import CommandContext, command
from commands.replies import Field, Reply, Severity
from dws.models import ClusterDetail, DisasterRecovery, ResizeInfo


class ClusterArgs(BaseModel):
    """A cluster given by name or id."""

    cluster: str
    """Cluster name or id."""


@command(
    "cluster",
    aliases=("show",),
    summary="Show one cluster: status, sub-status, task and progress, nodes, version, endpoints",
    usage="/dws cluster <name|id>",
    examples=("/dws cluster prod-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
)
async def cluster(ctx: CommandContext, args: ClusterArgs) -> Reply:
    """Show one cluster in detail."""
    detail = await cluster_detail(ctx.dws, await find_cluster(ctx, args.cluster))
    drs = dr_pairs_of(await list_dr(ctx.dws), detail.id)
    fields = [
        Field("id", detail.id),
        Field("status", detail.status or "?"),
        Field("sub-status", detail.sub_status or "—"),
        Field("task", task_text(detail) or "none"),
        Field("nodes", _nodes(detail)),
        Field("node type", detail.node_type or "—"),
        Field("version", detail.version or "—"),
        Field("AZ", detail.availability_zone or "—"),
        Field("endpoints", endpoints_text(detail)),
        Field("created", when(detail.created)),
    ]
    group = detail.parameter_group
    if group is not None and group.status:
        fields.append(Field("parameters", group.status))
    resize = detail.resize_info
    if resize is not None and resize.resize_status:
        fields.append(Field("resize", _resize(resize)))
    fields.extend(Field("DR", _dr_line(d, detail.id)) for d in drs)
    failed = detail.failed_reasons
    if failed is not None and (failed.error_code or failed.error_msg):
        fields.append(Field("failure", f"{failed.error_code or ''} {failed.error_msg or ''}"))
    name = detail.name or args.cluster
    healthy = (detail.status or "").upper() == "AVAILABLE"
    return Reply(
        title=f"{name}: {status_text(detail)}",
        fields=tuple(fields),
        severity=Severity.INFO if healthy else Severity.WARNING,
        follow_ups=(f"/dws nodes {name}", f"/dws events {name}", f"/dws alarms {name}"),
    )


def _nodes(detail: ClusterDetail) -> str:
    down = [n for n in detail.nodes if n.status not in ("200", "")]
    count = detail.number_of_node
    text = str(count if count is not None else len(detail.nodes))
    if down:
        text += f" ({len(down)} not available)"
    return text


def _resize(resize: ResizeInfo) -> str:
    origin, target = resize.origin_node_num, resize.target_node_num
    return f"{resize.resize_status} {origin} → {target} nodes"


def _dr_line(dr: DisasterRecovery, cluster_id: str) -> str:
    role = "primary" if dr.primary_cluster_id == cluster_id else "standby"
    other = dr.standby_cluster_name if role == "primary" else dr.primary_cluster_name
    return f"{dr.name} ({dr.status}), {role}, peer {other}"

"""`/dws cluster <name|id>`: one cluster in detail (status, task and progress, nodes, endpoints)."""

from __future__ import annotations

from typing import Any

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
    summary = await find_cluster(ctx.dws, args.cluster)
    detail = {**summary, **await cluster_detail(ctx.dws, str(summary["id"]))}
    drs = dr_pairs_of(await list_dr(ctx.dws), str(detail["id"]))
    fields = [
        Field("id", str(detail.get("id", ""))),
        Field("status", str(detail.get("status", "?"))),
        Field("sub-status", str(detail.get("sub_status") or "—")),
        Field("task", task_text(detail) or "none"),
        Field("nodes", _nodes(detail)),
        Field("node type", str(detail.get("node_type") or "—")),
        Field("version", str(detail.get("version") or "—")),
        Field("AZ", str(detail.get("availability_zone") or "—")),
        Field("endpoints", endpoints_text(detail)),
        Field("created", when(detail.get("created"))),
    ]
    group = detail.get("parameter_group")
    if isinstance(group, dict) and group.get("status"):
        fields.append(Field("parameters", str(group["status"])))
    resize = detail.get("resize_info")
    if isinstance(resize, dict) and resize.get("resize_status"):
        fields.append(Field("resize", _resize(resize)))
    fields.extend(Field("DR", _dr_line(d, str(detail["id"]))) for d in drs)
    failed = detail.get("failed_reasons")
    if isinstance(failed, dict) and (failed.get("error_code") or failed.get("error_msg")):
        fields.append(
            Field("failure", f"{failed.get('error_code', '')} {failed.get('error_msg', '')}")
        )
    name = str(detail.get("name", args.cluster))
    healthy = str(detail.get("status", "")).upper() == "AVAILABLE"
    return Reply(
        title=f"{name}: {status_text(detail)}",
        fields=tuple(fields),
        severity=Severity.INFO if healthy else Severity.WARNING,
        follow_ups=(f"/dws nodes {name}", f"/dws events {name}", f"/dws alarms {name}"),
    )


def _nodes(detail: dict[str, Any]) -> str:
    count = detail.get("number_of_node")
    nodes = detail.get("nodes") or []
    down = [n for n in nodes if isinstance(n, dict) and str(n.get("status")) not in ("200", "")]
    text = str(count if count is not None else len(nodes))
    if down:
        text += f" ({len(down)} not available)"
    return text


def _resize(resize: dict[str, Any]) -> str:
    origin, target = resize.get("origin_node_num"), resize.get("target_node_num")
    return f"{resize.get('resize_status')} {origin} → {target} nodes"


def _dr_line(dr: dict[str, Any], cluster_id: str) -> str:
    role = "primary" if dr.get("primary_cluster_id") == cluster_id else "standby"
    other = dr.get("standby_cluster_name") if role == "primary" else dr.get("primary_cluster_name")
    return f"{dr.get('name')} ({dr.get('status')}), {role}, peer {other}"

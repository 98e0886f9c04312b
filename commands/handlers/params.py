"""`/dws params <cluster> [name]`: the cluster's parameter settings (CN and DN values)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from commands.handlers._common import call, find_cluster, grid, plural, short
from commands.registry import CommandContext, CommandFailure, DwsCaller, command
from commands.replies import Field, Reply


class ParamsArgs(BaseModel):
    """A cluster and, optionally, a parameter name (or part of one)."""

    cluster: str
    """Cluster name or id."""
    name: str | None = None
    """A parameter name, or part of one."""


async def parameter_group(client: DwsCaller, cluster_id: str) -> dict[str, Any]:
    """The cluster's parameter group (list_cluster_configurations), first one."""
    data = await call(client, "list_cluster_configurations", {"cluster_id": cluster_id}) or {}
    groups = [g for g in data.get("configurations") or [] if isinstance(g, dict)]
    if not groups:
        raise CommandFailure("the cluster has no parameter group")
    return groups[0]


async def parameters(client: DwsCaller, cluster_id: str, group_id: str) -> list[dict[str, Any]]:
    """Every parameter of the group (list_cluster_configurations_parameter)."""
    data = await call(
        client,
        "list_cluster_configurations_parameter",
        {"cluster_id": cluster_id, "configuration_id": group_id},
    )
    return [p for p in (data or {}).get("configurations") or [] if isinstance(p, dict)]


def values_by_type(param: dict[str, Any]) -> dict[str, str]:
    """`{"CN": "200", "DN": "200"}` from the parameter's `values` list."""
    return {
        str(v.get("type", "")).upper(): str(v.get("value", ""))
        for v in param.get("values") or []
        if isinstance(v, dict)
    }


@command(
    "params",
    summary="Show a cluster's parameters, or one parameter in detail",
    usage="/dws params <cluster> [name]",
    examples=("/dws params prod-dw", "/dws params prod-dw max_connections"),
    args=ParamsArgs,
    positionals=("cluster", "name"),
)
async def params(ctx: CommandContext, args: ParamsArgs) -> Reply:
    """Show the parameter settings of a cluster."""
    found = await find_cluster(ctx.dws, args.cluster)
    group = await parameter_group(ctx.dws, str(found["id"]))
    items = await parameters(ctx.dws, str(found["id"]), str(group.get("id", "")))
    if args.name:
        want = args.name.lower()
        exact = [p for p in items if str(p.get("name", "")).lower() == want]
        items = exact or [p for p in items if want in str(p.get("name", "")).lower()]
        if not items:
            raise CommandFailure(f"{found['name']} has no parameter matching {args.name!r}")
        if len(items) == 1:
            return _one(str(found["name"]), items[0])
    rows = []
    for p in sorted(items, key=lambda p: str(p.get("name", ""))):
        vals = values_by_type(p)
        rows.append(
            (
                str(p.get("name", "")),
                vals.get("CN", ""),
                vals.get("DN", ""),
                str(p.get("unit") or ""),
                "yes" if p.get("restart_required") else "",
            )
        )
    status = group.get("status") or "?"
    count = plural(len(rows), "parameter")
    return grid(
        ("name", "CN", "DN", "unit", "restart"),
        rows,
        title=f"{found['name']}: {count} ({group.get('name', '')}, {status})",
    )


def _one(cluster: str, param: dict[str, Any]) -> Reply:
    vals = values_by_type(param)
    defaults = {
        str(v.get("type", "")).upper(): str(v.get("default_value", ""))
        for v in param.get("values") or []
        if isinstance(v, dict)
    }
    fields = [Field(f"{kind} value", value) for kind, value in sorted(vals.items())]
    fields += [Field(f"{kind} default", value) for kind, value in sorted(defaults.items())]
    fields += [
        Field("type", str(param.get("type") or "—")),
        Field("unit", str(param.get("unit") or "—")),
        Field("range", str(param.get("value_range") or "—")),
        Field("read-only", "yes" if param.get("readonly") else "no"),
        Field("needs restart", "yes" if param.get("restart_required") else "no"),
    ]
    return Reply(
        title=f"{cluster}: {param.get('name')}",
        text=short(param.get("description"), 300),
        fields=tuple(fields),
        follow_ups=(f"/dws params set {cluster} {param.get('name')} <value>",),
    )

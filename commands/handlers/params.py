"""`/dws params <cluster> [name]`: the cluster's parameter settings (CN and DN values)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, find_cluster, grid, plural, short
from commands.registry import CommandContext, CommandFailure, DwsCaller, command
from commands.replies import Field, Reply
from dws.models import (
    ClusterConfiguration,
    ConfigurationParameter,
    ListClusterConfigurationsParameterResponse,
    ListClusterConfigurationsResponse,
)


class ParamsArgs(BaseModel):
    """A cluster and, optionally, a parameter name (or part of one)."""

    cluster: str
    """Cluster name or id."""
    name: str | None = None
    """A parameter name, or part of one."""


async def parameter_group(client: DwsCaller, cluster_id: str) -> ClusterConfiguration:
    """The cluster's parameter group (list_cluster_configurations).

    The group of type ``parameterGroup`` (5.2.42; the ``parameter_group`` of the cluster's
    details), not the first listed, which is the ``GUCConfig``; the first one only when no
    group has that type."""
    data = await call_model(
        client,
        "list_cluster_configurations",
        ListClusterConfigurationsResponse,
        {"cluster_id": cluster_id},
    )
    if not data.configurations:
        raise CommandFailure("the cluster has no parameter group")
    groups = data.configurations
    return next((g for g in groups if g.type == "parameterGroup"), groups[0])


async def parameters(
    client: DwsCaller, cluster_id: str, group_id: str
) -> list[ConfigurationParameter]:
    """Every parameter of the group (list_cluster_configurations_parameter)."""
    data = await call_model(
        client,
        "list_cluster_configurations_parameter",
        ListClusterConfigurationsParameterResponse,
        {"cluster_id": cluster_id, "configuration_id": group_id},
    )
    return data.configurations


def values_by_type(param: ConfigurationParameter) -> dict[str, str]:
    """`{"CN": "200", "DN": "200"}` from the parameter's `values` list."""
    return {(v.type or "").upper(): v.value or "" for v in param.values}


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
    found = await find_cluster(ctx, args.cluster)
    group = await parameter_group(ctx.dws, found.id)
    items = await parameters(ctx.dws, found.id, group.id)
    if args.name:
        want = args.name.lower()
        exact = [p for p in items if p.name.lower() == want]
        items = exact or [p for p in items if want in p.name.lower()]
        if not items:
            raise CommandFailure(f"{found.name} has no parameter matching {args.name!r}")
        if len(items) == 1:
            return _one(str(found.name), items[0])
    rows = []
    for p in sorted(items, key=lambda p: p.name):
        vals = values_by_type(p)
        rows.append(
            (
                p.name,
                vals.get("CN", ""),
                vals.get("DN", ""),
                p.unit or "",
                "yes" if p.restart_required else "",
            )
        )
    status = group.status or "?"
    count = plural(len(rows), "parameter")
    return grid(
        ("name", "CN", "DN", "unit", "restart"),
        rows,
        title=f"{found.name}: {count} ({group.name or ''}, {status})",
    )


def _one(cluster: str, param: ConfigurationParameter) -> Reply:
    vals = values_by_type(param)
    defaults = {(v.type or "").upper(): v.default_value or "" for v in param.values}
    fields = [Field(f"{kind} value", value) for kind, value in sorted(vals.items())]
    fields += [Field(f"{kind} default", value) for kind, value in sorted(defaults.items())]
    fields += [
        Field("type", param.type or "—"),
        Field("unit", param.unit or "—"),
        Field("range", param.value_range or "—"),
        Field("read-only", "yes" if param.readonly else "no"),
        Field("needs restart", "yes" if param.restart_required else "no"),
    ]
    return Reply(
        title=f"{cluster}: {param.name}",
        text=short(param.description, 300),
        fields=tuple(fields),
        follow_ups=(f"/dws params set {cluster} {param.name} <value>",),
    )

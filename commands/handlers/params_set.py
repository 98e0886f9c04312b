"""`/dws params set <cluster> <name> <value>`: change one parameter (5.2.44)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from commands.handlers._change import ClusterChange
from commands.handlers._common import call_answer
from commands.handlers.params import parameter_group, parameters, values_by_type
from commands.registry import CommandContext, CommandFailure, Execution, Plan, Risk, command
from commands.replies import Field, Reply, Severity
from dws.models import ConfigurationParameter, DwsModel


class ParamsSetArgs(BaseModel):
    """A cluster, a parameter and its new value."""

    cluster: str
    """Cluster name or id."""
    name: str
    """Parameter name (exact)."""
    value: str
    """New value."""
    type: Literal["CN", "DN", "both"] = "both"
    """Set it on the CNs, the DNs or both."""


def value_problem(param: ConfigurationParameter, value: str) -> str | None:
    """Why `value` does not fit the parameter's type and range (5.2.43), or None.

    Only what the reference states is checked: booleans, integer ranges `low~high` and the
    choices of a list (`a|b|c`); anything else is left to DWS.
    """
    name, kind = param.name, (param.type or "").lower()
    allowed = param.value_range or ""
    if kind == "boolean" and value.lower() not in ("on", "off", "true", "false"):
        return f"{name} is on or off (got {value!r})"
    if kind == "integer" and re.fullmatch(r"-?\d+~-?\d+", allowed):
        low, high = (int(x) for x in allowed.split("~"))
        if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
            return f"{name} is a whole number from {low} to {high} (got {value!r})"
    if kind == "list" and "|" in allowed and value not in allowed.split("|"):
        return f"{name} is one of {', '.join(allowed.split('|'))} (got {value!r})"
    return None


@command(
    "params set",
    summary="Change one parameter of a cluster (some need a restart to apply)",
    usage="/dws params set <cluster> <name> <value> [--type CN|DN|both]",
    examples=(
        "/dws params set prod-dw max_connections 800",
        "/dws params set prod-dw work_mem 64MB --type DN",
    ),
    args=ParamsSetArgs,
    positionals=("cluster", "name", "value"),
    min_role="operator",
    risk=Risk.CHANGE,
)
class ParamsSet(ClusterChange):
    """Set a parameter: it must exist and not be read-only; its current value is bound."""

    operation = "update_configuration"
    event = "updateConfiguration"
    verb = "change parameters of"
    forbid_in_dr = False

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Cluster checks, then the parameter: exists, writable; current values recorded."""
        plan = await super().plan(ctx, args)
        cluster_id = str(plan.cluster_id)
        group = await parameter_group(ctx.dws, cluster_id)
        items = await parameters(ctx.dws, cluster_id, group.id)
        param = next((p for p in items if p.name == args.name), None)
        if param is None:
            close = sorted(p.name for p in items if args.name.lower() in p.name)
            hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
            raise CommandFailure(f"{plan.cluster_name} has no parameter {args.name!r}{hint}")
        if param.readonly:
            raise CommandFailure(f"{args.name} is read-only")
        problem = value_problem(param, args.value)
        if problem:
            raise CommandFailure(problem)
        kinds = ["CN", "DN"] if args.type == "both" else [args.type]
        current = values_by_type(param)
        state = {**plan.state, "values": {k: current.get(k) for k in kinds}}
        note = " (needs a restart to apply)" if param.restart_required else ""
        where = "/".join(kinds)
        return Plan(
            summary=f"Set {args.name} = {args.value} on {where} of {plan.cluster_name}{note}",
            cluster_id=plan.cluster_id,
            cluster_name=plan.cluster_name,
            state=state,
            params={
                **plan.params,
                "configuration_id": group.id,
                "name": args.name,
                "value": args.value,
                "kinds": kinds,
                "restart_required": bool(param.restart_required),
            },
        )

    def body(self, ctx: CommandContext, plan: Plan) -> Any:
        """The ConfigurationParameterValue list."""
        p = plan.params
        return {
            "configurations": [
                {"type": kind, "name": p["name"], "value": p["value"]} for kind in p["kinds"]
            ]
        }

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """update_configuration has the parameter group in its path too."""
        sent = await call_answer(
            ctx.dws,
            self.operation,
            DwsModel,
            {
                "cluster_id": plan.params["cluster_id"],
                "configuration_id": plan.params["configuration_id"],
            },
            self.body(ctx, plan),
        )
        text = (
            "Restart the cluster for it to take effect." if plan.params["restart_required"] else ""
        )
        return Execution(
            request_id=sent.request_id,
            reply=Reply(
                title=f"{plan.summary}: submitted",
                text=text,
                fields=(Field("cluster", f"{plan.cluster_name} ({plan.cluster_id})"),),
                severity=Severity.SUCCESS,
                follow_ups=(f"/dws params {plan.cluster_name} {plan.params['name']}",),
            ),
            track=True,
        )

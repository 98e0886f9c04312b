"""`/dws add-nodes <cluster> <count>`: scale a cluster out (resize_cluster, reference 5.2.27)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from commands.handlers._change import ClusterChange
from commands.registry import CommandContext, Plan, Risk, command
from dws.models import ClusterDetail


class AddNodesArgs(BaseModel):
    """A cluster and how many nodes to add."""

    cluster: str
    """Cluster name or id."""
    count: int = Field(ge=1, le=256)
    """Number of nodes to add."""
    subnet_id: str | None = None
    """Subnet for a cross-subnet scale-out (default: the cluster's)."""


@command(
    "add-nodes",
    aliases=("scale-out",),
    summary="Scale a cluster out by adding nodes (refused while DR runs)",
    usage="/dws add-nodes <cluster> <count> [--subnet-id ID]",
    examples=("/dws add-nodes prod-dw 3", "/dws scale-out prod-dw 2"),
    args=AddNodesArgs,
    positionals=("cluster", "count"),
    min_role="operator",
    risk=Risk.CHANGE,
)
class AddNodes(ClusterChange):
    """Scale-out: AVAILABLE, idle, not in a running DR pair; the node count is bound."""

    operation = "resize_cluster"
    event = "expandCluster"
    verb = "scale out"

    def summary(self, name: str, args: Any) -> str:
        """One line for the approval message."""
        return f"Add {args.count} node{'s' if args.count != 1 else ''} to cluster {name}"

    def params(self, detail: ClusterDetail, args: Any) -> dict[str, Any]:
        """The count, the subnet and the node count the plan was made for."""
        return {"count": args.count, "subnet_id": args.subnet_id}

    def body(self, ctx: CommandContext, plan: Plan) -> Any:
        """The ScaleOut object."""
        scale_out: dict[str, Any] = {"count": plan.params["count"]}
        if plan.params.get("subnet_id"):
            scale_out["subnet_id"] = plan.params["subnet_id"]
        return {"scale_out": scale_out}

"""`/dws restart <cluster>`: restart a cluster (restart_cluster, reference 5.2.25)."""

from __future__ import annotations

from typing import Any

from commands.handlers._change import ClusterArgs, ClusterChange
from commands.registry import CommandContext, Plan, Risk, command


@command(
    "restart",
    aliases=("reboot",),
    summary="Restart a cluster (refused while DR runs or a task is in progress)",
    usage="/dws restart <cluster>",
    examples=("/dws restart prod-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class Restart(ClusterChange):
    """Restart: the cluster must be AVAILABLE, idle and not in a running DR pair."""

    operation = "restart_cluster"
    event = "rebootCluster"
    verb = "restart"

    def body(self, ctx: CommandContext, plan: Plan) -> Any:
        """The reference's restart flag."""
        return {"restart": {}}

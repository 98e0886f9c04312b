"""`/dws stop <cluster>`: stop a cluster (stop_cluster, reference 5.2.62)."""

from __future__ import annotations

from commands.handlers._change import ClusterArgs, ClusterChange
from commands.registry import Risk, command


@command(
    "stop",
    summary="Stop a cluster (its service is unavailable until started again)",
    usage="/dws stop <cluster>",
    examples=("/dws stop test-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.DESTRUCTIVE,
)
class Stop(ClusterChange):
    """Stop: the cluster must be AVAILABLE, idle and not in a running DR pair."""

    operation = "stop_cluster"
    event = "stopCluster"
    verb = "stop"
    settled = ("STOPPED",)

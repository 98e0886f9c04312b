"""`/dws switchback <cluster>`: rebalance primary instances of an UNBALANCED cluster (5.2.36)."""

from __future__ import annotations

from typing import Any

from commands.handlers._change import ClusterArgs, ClusterChange
from commands.registry import CommandFailure, Risk, command
from dws.models import ClusterDetail


@command(
    "switchback",
    summary="Switch primary instances back so an UNBALANCED cluster is balanced again",
    usage="/dws switchback <cluster>",
    examples=("/dws switchback prod-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class Switchback(ClusterChange):
    """Switchback: only useful (and allowed) when the cluster is UNBALANCED."""

    operation = "switch_over_cluster"
    event = "switchBackCluster"
    verb = "switch back"
    forbid_in_dr = False

    def check(self, detail: ClusterDetail, state: dict[str, Any], args: Any) -> None:
        """The reference: a switchback returns an Unbalanced cluster to Available."""
        if "UNBALANCED" not in (detail.sub_status or "").upper():
            raise CommandFailure(
                f"{detail.name} is not UNBALANCED (sub-status "
                f"{detail.sub_status or 'NORMAL'}); there is nothing to switch back"
            )

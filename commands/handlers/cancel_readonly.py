"""`/dws cancel-readonly <cluster>`: remove the read-only state of a cluster (5.2.37)."""

from __future__ import annotations

from typing import Any

from commands.handlers._change import ClusterArgs, ClusterChange
from commands.registry import CommandFailure, Risk, command
from dws.models import ClusterDetail


@command(
    "cancel-readonly",
    summary="Remove the read-only state of a cluster (after freeing or adding disk space)",
    usage="/dws cancel-readonly <cluster>",
    examples=("/dws cancel-readonly prod-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class CancelReadonly(ClusterChange):
    """Cancel read-only: the cluster must be READONLY."""

    operation = "cancel_readonly_cluster"
    event = "cancelReadonlyCluster"
    verb = "cancel read-only on"
    forbid_in_dr = False
    need_available = False
    track = False  # immediate: DWS's answer is the outcome (no task would ever show)

    def check(self, detail: ClusterDetail, state: dict[str, Any], args: Any) -> None:
        """Only a READONLY cluster can leave the read-only state."""
        if "READONLY" not in (detail.sub_status or "").upper():
            raise CommandFailure(f"{detail.name} is not read-only")

    def summary(self, name: str, args: Any) -> str:
        """One line for the approval message."""
        return f"Remove the read-only state of cluster {name}"

"""`/dws start <cluster>`: start a stopped cluster (start_cluster, reference 5.2.61)."""

from __future__ import annotations

from typing import Any

from commands.handlers._change import ClusterArgs, ClusterChange, is_available
from commands.handlers._common import status_text, task_text
from commands.registry import CommandFailure, Risk, command
from dws.models import ClusterDetail


@command(
    "start",
    summary="Start a stopped cluster",
    usage="/dws start <cluster>",
    examples=("/dws start test-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class Start(ClusterChange):
    """Start: the cluster must be STOPPED."""

    operation = "start_cluster"
    event = "startCluster"
    verb = "start"
    forbid_in_dr = False
    need_available = False

    def check(self, detail: ClusterDetail, state: dict[str, Any], args: Any) -> None:
        """Only a STOPPED cluster with no task in progress can be started."""
        if is_available(detail):
            raise CommandFailure(f"{detail.name} is already running (AVAILABLE)")
        if (detail.status or "").upper() != "STOPPED" or task_text(detail):
            raise CommandFailure(
                f"{detail.name} is {status_text(detail)}; only a STOPPED cluster can be started"
            )

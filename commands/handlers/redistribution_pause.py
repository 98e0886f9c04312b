"""`/dws redistribution pause <cluster>`: suspend a running redistribution (5.2.24)."""

from __future__ import annotations

from typing import Any

from commands.handlers._change import ClusterArgs, ClusterChange
from commands.handlers._common import task_text
from commands.registry import CommandFailure, Risk, command
from dws.models import ClusterDetail


@command(
    "redistribution pause",
    summary="Suspend the data redistribution running on a cluster",
    usage="/dws redistribution pause <cluster>",
    examples=("/dws redistribution pause prod-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class RedistributionPause(ClusterChange):
    """Pause: only while redistribution is running."""

    operation = "stop_redistribution"
    verb = "pause redistribution on"
    forbid_in_dr = False
    need_available = False
    track = False

    def check(self, detail: ClusterDetail, state: dict[str, Any], args: Any) -> None:
        """The reference: redistribution in the running state can be suspended."""
        task = (detail.task_status or "").upper()
        if task != "REDISTRIBUTING" and "REDISTRIBUTING" not in task_text(detail).upper():
            raise CommandFailure(f"no redistribution is running on {detail.name}")

    def summary(self, name: str, args: Any) -> str:
        """One line for the approval message."""
        return f"Pause redistribution on cluster {name}"

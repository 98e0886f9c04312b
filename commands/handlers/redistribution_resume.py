"""`/dws redistribution resume <cluster>`: resume a paused redistribution (5.2.23)."""

from __future__ import annotations

from typing import Any

from commands.handlers._change import ClusterArgs, ClusterChange
from commands.registry import CommandFailure, Risk, command
from dws.models import ClusterDetail


@command(
    "redistribution resume",
    summary="Resume a paused data redistribution",
    usage="/dws redistribution resume <cluster>",
    examples=("/dws redistribution resume prod-dw",),
    args=ClusterArgs,
    positionals=("cluster",),
    min_role="operator",
    risk=Risk.CHANGE,
)
class RedistributionResume(ClusterChange):
    """Resume: only when redistribution is paused."""

    operation = "restore_redistribution"
    verb = "resume redistribution on"
    forbid_in_dr = False
    need_available = False
    track = False

    def check(self, detail: ClusterDetail, state: dict[str, Any], args: Any) -> None:
        """The reference: redistribution in the paused state can be resumed."""
        if (detail.task_status or "").upper() != "REDISTRIBUTION_PAUSED":
            raise CommandFailure(f"redistribution is not paused on {detail.name}")

    def summary(self, name: str, args: Any) -> str:
        """One line for the approval message."""
        return f"Resume redistribution on cluster {name}"

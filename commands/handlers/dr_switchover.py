"""`/dws dr switchover <dr>`: planned switch to the DR cluster (5.12.8)."""

from __future__ import annotations

from commands.handlers._dr import DrArgs, DrChange
from commands.registry import Risk, command


@command(
    "dr switchover",
    summary="Switch production to the DR cluster (planned; DR must be running)",
    usage="/dws dr switchover <name|id>",
    examples=("/dws dr switchover prod-dr",),
    args=DrArgs,
    positionals=("dr",),
    min_role="operator",
    risk=Risk.DESTRUCTIVE,
)
class DrSwitchover(DrChange):
    """The reference: a switchover is possible while the DR task is Running."""

    operation = "switchover_disaster_recovery"
    event = "switchoverDisasterRecovery"
    verb = "switchover"
    allowed = frozenset({"running"})

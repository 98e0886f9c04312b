"""`/dws dr recovery <dr>`: re-establish DR after a failover (restore_disaster, 5.12.10)."""

from __future__ import annotations

from commands.handlers._dr import DrArgs, DrChange
from commands.registry import Risk, command


@command(
    "dr recovery",
    summary="Rebuild the DR pair after a failover (the old production's data is replaced)",
    usage="/dws dr recovery <name|id>",
    examples=("/dws dr recovery prod-dr",),
    args=DrArgs,
    positionals=("dr",),
    min_role="operator",
    risk=Risk.DESTRUCTIVE,
)
class DrRecovery(DrChange):
    """The reference: after an active/standby switchover, once the standby is available."""

    operation = "restore_disaster"
    event = "recoveryDisasterRecovery"
    verb = "recovery"
    allowed = frozenset({"abnormal"})
    advice = " (recovery follows a failover)"

"""`/dws dr failover <dr>`: emergency switch to the DR cluster (5.12.9)."""

from __future__ import annotations

from commands.handlers._dr import DrArgs, DrChange
from commands.registry import Risk, command


@command(
    "dr failover",
    summary="Fail over to the DR cluster when production is broken (data since the last sync "
    "is lost)",
    usage="/dws dr failover <name|id>",
    examples=("/dws dr failover prod-dr",),
    args=DrArgs,
    positionals=("dr",),
    min_role="operator",
    risk=Risk.DESTRUCTIVE,
)
class DrFailover(DrChange):
    """The reference: for a DR exception or a faulty production cluster."""

    operation = "switch_failover_disaster"
    event = "failoverDisasterRecovery"
    verb = "failover"
    allowed = frozenset({"running", "abnormal"})
    advice = " (a healthy pair uses `dr switchover`)"

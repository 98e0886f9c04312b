"""DR lookups and the shape shared by `dr switchover`, `dr failover` and `dr recovery`."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from commands.handlers._common import call_answer, call_model, list_dr, pick
from commands.registry import (
    ChangeCommand,
    CommandContext,
    CommandFailure,
    DwsCaller,
    Execution,
    Plan,
)
from commands.replies import Field, Reply, Severity
from dws.models import (
    DisasterRecovery,
    DisasterRecoveryDetail,
    DwsModel,
    ShowDisasterDetailResponse,
)


class DrArgs(BaseModel):
    """A DR relationship given by name or id."""

    dr: str
    """DR name or id."""


async def find_dr(ctx: CommandContext, ref: str) -> DisasterRecovery:
    """The DR relationship (from list_disaster_recover) designated by a name or id (bound)."""
    return pick(await list_dr(ctx.dws), ref, "DR relationship", ctx.bindings)


async def dr_detail(client: DwsCaller, dr_id: str) -> DisasterRecoveryDetail | None:
    """show_disaster_detail's `disaster_recovery` object (None when the answer has none)."""
    data = await call_model(
        client, "show_disaster_detail", ShowDisasterDetailResponse, {"disaster_recovery_id": dr_id}
    )
    return data.disaster_recovery


class DrChange(ChangeCommand):
    """One DR action: a POST on /disaster-recovery/{id}/<action> answering the DR id."""

    operation: ClassVar[str] = ""
    verb: ClassVar[str] = ""
    allowed: ClassVar[frozenset[str]] = frozenset()
    """DR statuses (lower case) from which the action is allowed."""
    advice: ClassVar[str] = ""

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Find the DR, check its status, bind status and roles."""
        dr = await find_dr(ctx, args.dr)
        status = (dr.status or "").lower()
        if status not in self.allowed:
            wanted = " or ".join(sorted(self.allowed))
            raise CommandFailure(
                f"DR {dr.name} is {status or 'in no known state'}; {self.verb} needs it "
                f"{wanted}{self.advice}"
            )
        return Plan(
            summary=(
                f"DR {self.verb} of {dr.name} (primary {dr.primary_cluster_name}, "
                f"standby {dr.standby_cluster_name})"
            ),
            cluster_id=dr.primary_cluster_id or None,
            cluster_name=dr.primary_cluster_name or None,
            state={
                "dr_status": dr.status,
                "primary": dr.primary_cluster_id,
                "standby": dr.standby_cluster_id,
            },
            params={"dr_id": dr.id, "dr_name": dr.name or ""},
        )

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """The DR action; progress is read with `/dws dr progress`."""
        sent = await call_answer(
            ctx.dws, self.operation, DwsModel, {"disaster_recovery_id": plan.params["dr_id"]}
        )
        name = plan.params["dr_name"]
        return Execution(
            request_id=sent.request_id,
            reply=Reply(
                title=f"{plan.summary}: submitted",
                fields=(Field("DR id", plan.params["dr_id"]),),
                severity=Severity.SUCCESS,
                follow_ups=(f"/dws dr show {name}", f"/dws dr progress {name}"),
            ),
        )

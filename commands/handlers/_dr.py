"""DR lookups and the shape shared by `dr switchover`, `dr failover` and `dr recovery`."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from commands.handlers._common import call, list_dr, pick
from commands.registry import (
    ChangeCommand,
    CommandContext,
    CommandFailure,
    DwsCaller,
    Execution,
    Plan,
)
from commands.replies import Field, Reply, Severity


class DrArgs(BaseModel):
    """A DR relationship given by name or id."""

    dr: str
    """DR name or id."""


async def find_dr(client: DwsCaller, ref: str) -> dict[str, Any]:
    """The DR relationship (from list_disaster_recover) designated by a name or id."""
    return pick(await list_dr(client), ref, "DR relationship")


async def dr_detail(client: DwsCaller, dr_id: str) -> dict[str, Any]:
    """show_disaster_detail's `disaster_recovery` object."""
    data = await call(client, "show_disaster_detail", {"disaster_recovery_id": dr_id}) or {}
    detail = data.get("disaster_recovery")
    return detail if isinstance(detail, dict) else {}


class DrChange(ChangeCommand):
    """One DR action: a POST on /disaster-recovery/{id}/<action> answering the DR id."""

    operation: ClassVar[str] = ""
    verb: ClassVar[str] = ""
    allowed: ClassVar[frozenset[str]] = frozenset()
    """DR statuses (lower case) from which the action is allowed."""
    advice: ClassVar[str] = ""

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Find the DR, check its status, bind status and roles."""
        dr = await find_dr(ctx.dws, args.dr)
        status = str(dr.get("status") or "").lower()
        if status not in self.allowed:
            wanted = " or ".join(sorted(self.allowed))
            raise CommandFailure(
                f"DR {dr.get('name')} is {status or 'in no known state'}; {self.verb} needs it "
                f"{wanted}{self.advice}"
            )
        return Plan(
            summary=(
                f"DR {self.verb} of {dr.get('name')} (primary {dr.get('primary_cluster_name')}, "
                f"standby {dr.get('standby_cluster_name')})"
            ),
            cluster_id=str(dr.get("primary_cluster_id") or "") or None,
            cluster_name=str(dr.get("primary_cluster_name") or "") or None,
            state={
                "dr_status": dr.get("status"),
                "primary": dr.get("primary_cluster_id"),
                "standby": dr.get("standby_cluster_id"),
            },
            params={"dr_id": str(dr["id"]), "dr_name": str(dr.get("name", ""))},
        )

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """The DR action; progress is read with `/dws dr progress`."""
        await call(ctx.dws, self.operation, {"disaster_recovery_id": plan.params["dr_id"]})
        name = plan.params["dr_name"]
        return Execution(
            reply=Reply(
                title=f"{plan.summary}: submitted",
                fields=(Field("DR id", plan.params["dr_id"]),),
                severity=Severity.SUCCESS,
                follow_ups=(f"/dws dr show {name}", f"/dws dr progress {name}"),
            )
        )

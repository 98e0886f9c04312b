"""`/dws job <id>`: the progress of an asynchronous DWS job (list_job_details, 5.13.1)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, when
from commands.registry import CommandContext, command
from commands.replies import Field, Reply, Severity
from dws.models import JobDetail


class JobArgs(BaseModel):
    """A job id."""

    job_id: str
    """Job id, as returned by start, stop, switchback ..."""


@command(
    "job",
    summary="Show the status and progress of a DWS job",
    usage="/dws job <id>",
    examples=("/dws job 2c9080e88459fa44018459fbeb600001",),
    args=JobArgs,
    positionals=("job_id",),
)
async def job(ctx: CommandContext, args: JobArgs) -> Reply:
    """Show a job."""
    data = await call_model(ctx.dws, "list_job_details", JobDetail, {"job_id": args.job_id})
    status = data.status or "?"
    fields = [
        Field("status", status),
        Field("progress", data.progress or "—"),
        Field("started", when(data.begin_time)),
        Field("ended", when(data.end_time)),
    ]
    if data.failed_code or data.failed_detail:
        fields.append(Field("failure", f"{data.failed_code or ''} {data.failed_detail or ''}"))
    severity = {"SUCCESS": Severity.SUCCESS, "FAIL": Severity.ERROR, "FAILED": Severity.ERROR}
    return Reply(
        title=f"Job {data.job_name or args.job_id}: {status}",
        fields=(Field("id", data.job_id or args.job_id), *fields),
        severity=severity.get(status.upper(), Severity.INFO),
    )

"""Jobs: the progress of an asynchronous job (5.13.1), whose answer body is the job itself."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from dws.models.base import DwsModel, parse_time

__all__ = ["JobDetail", "JobStatus", "ListJobDetailsResponse"]


class JobStatus:
    """Known values of ``JobDetail.status`` (the reference lists none; the service and the
    SDK use these)."""

    INIT: Final = "INIT"
    RUNNING: Final = "RUNNING"
    SUCCESS: Final = "SUCCESS"
    FAIL: Final = "FAIL"
    FINISHED: Final = (SUCCESS, FAIL)


class JobDetail(DwsModel):
    """A job and its progress; the whole answer of 5.13.1 Querying the Job Progress."""

    job_id: str
    """Job ID."""
    job_name: str | None = None
    """Job name, e.g. ``ecfClusterElbCreateJob``."""
    begin_time: str | None = None
    """Start time (ISO 8601)."""
    end_time: str | None = None
    """End time (ISO 8601)."""
    status: str | None = None
    """Job status; see ``JobStatus``."""
    failed_code: str | None = None
    """Error code of a failure."""
    failed_detail: str | None = None
    """Failure details."""
    progress: str | None = None
    """Progress, e.g. ``9%``; see :attr:`percent`."""

    @property
    def finished(self) -> bool:
        """Whether the job has ended (successfully or not)."""
        return self.status in JobStatus.FINISHED

    @property
    def percent(self) -> int | None:
        """``progress`` as a number 0–100, or ``None`` if unreadable."""
        text = (self.progress or "").strip().rstrip("%").strip()
        try:
            return round(float(text))
        except ValueError:
            return None

    @property
    def begin_at(self) -> datetime | None:
        """``begin_time`` as an aware UTC datetime."""
        return parse_time(self.begin_time)

    @property
    def end_at(self) -> datetime | None:
        """``end_time`` as an aware UTC datetime."""
        return parse_time(self.end_time)


ListJobDetailsResponse = JobDetail
"""Answer of 5.13.1 (the body is the job)."""

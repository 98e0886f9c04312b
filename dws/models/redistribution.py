"""Redistribution details of a cluster (5.2.32).

Names follow the reference table; what the service is known to send under other names is
accepted too: ``redis_progress`` (the SDK's name) for ``redis_process``, and the camelCase
keys of the 5.2.32 example (``scheduleStart``, ``parallelJobs`` ...). Fields marked "(SDK)"
are in the official SDK's model only; "(example)" in the reference example only.
"""

from __future__ import annotations

from typing import Final

from pydantic import AliasChoices, Field

from dws.models.base import DwsModel, LenientBool, LenientInt, ListOrEmpty

__all__ = [
    "BucketSplitInfo",
    "RedisConf",
    "RedisInfo",
    "RedisProgress",
    "RedisTable",
    "RedisTableDetail",
    "RedisTableStatus",
    "ScheduleConf",
    "ShowClusterRedistributionResponse",
]


class RedisTableStatus:
    """Known values of ``RedisTable.status``."""

    IN_PROGRESS: Final = "i"
    COMPLETE: Final = "y"
    NOT_STARTED: Final = "n"


class ScheduleConf(DwsModel):
    """When redistribution may run (caption ``ScheduleConf``)."""

    schedule_start: str | None = Field(
        None, validation_alias=AliasChoices("schedule_start", "scheduleStart")
    )
    """Scheduling start time."""
    schedule_end: str | None = Field(
        None, validation_alias=AliasChoices("schedule_end", "scheduleEnd")
    )
    """Scheduling end time."""
    schedule_type: str | None = Field(
        None, validation_alias=AliasChoices("schedule_type", "scheduleType")
    )
    """Scheduling type."""
    schedule_date: ListOrEmpty[int] = Field(
        default_factory=list, validation_alias=AliasChoices("schedule_date", "scheduleDate")
    )
    """Scheduling dates."""
    schedule_time: ListOrEmpty[str] = Field(
        default_factory=list, validation_alias=AliasChoices("schedule_time", "scheduleTime")
    )
    """Scheduling times."""


class BucketSplitInfo(DwsModel):
    """Bucket split facts of a scale-out (SDK ``BucketSplitInfo``)."""

    current_dn_num: LenientInt = None
    """DNs now."""
    after_scale_out_dn_num: LenientInt = None
    """DNs after the scale-out."""
    current_bucket_num: LenientInt = None
    """Buckets now."""
    after_scale_out_bucket_num: LenientInt = None
    """Buckets after the scale-out."""
    is_bucket_split: LenientBool = None
    """Whether buckets are split."""
    bucket_tilt_rate: str | None = None
    """Bucket skew now."""
    after_scale_out_bucket_tilt_rate: str | None = None
    """Bucket skew after the scale-out."""


class RedisConf(DwsModel):
    """Redistribution configuration (caption ``RedisConf``)."""

    redis_mode: str | None = None
    """Redistribution mode, e.g. ``offline``."""
    schedule_conf: ScheduleConf | None = None
    """Scheduling configuration."""
    parallel_jobs: LenientInt = Field(
        None, validation_alias=AliasChoices("parallel_jobs", "parallelJobs")
    )
    """Number of parallel jobs."""
    parallel_job: LenientInt = None
    """Number of parallel jobs (second spelling in the reference)."""
    priority_policy: str | None = None
    """Priority policy (SDK)."""
    bucket_split_info: BucketSplitInfo | None = None
    """Bucket split information (SDK)."""


class RedisProgress(DwsModel):
    """Redistribution progress (caption ``RedisProgress``)."""

    bytes_done: LenientInt = None
    """Bytes done."""
    byte_left: LenientInt = None
    """Bytes left."""
    tables_done: LenientInt = None
    """Tables done."""
    tables_left: LenientInt = None
    """Tables left."""
    table_progress: LenientInt = None
    """Table progress."""
    total_progress: LenientInt = None
    """Overall progress."""
    redis_rate: str | None = None
    """Redistribution rate, e.g. ``0 KB/s``."""
    total_redis_rate: str | None = None
    """Overall redistribution rate (example)."""
    estimated_time: str | None = None
    """Estimated time."""
    completed: LenientBool = None
    """Whether it completed."""
    initialed: LenientBool = None
    """Whether it is initialized."""
    fail_count: LenientInt = None
    """Number of failures."""
    redistributing: LenientBool = None
    """Whether redistribution runs (cm_ctl result)."""
    status: str | None = None
    """Running status."""
    pause_by_user: LenientBool = None
    """Whether a user paused it."""


class RedisTable(DwsModel):
    """Redistribution of one table (caption ``RedisTable``)."""

    table_name: str | None = None
    """Table name."""
    id: LenientInt = None
    """Unique ID of the table."""
    schema_name: str | None = None
    """Schema name."""
    logical_cluster_name: str | None = None
    """Logical cluster name."""
    size: LenientInt = None
    """Table size."""
    status: str | None = None
    """Status; see ``RedisTableStatus``."""


class RedisTableDetail(DwsModel):
    """Redistribution per table (caption ``RedisTableDetail``)."""

    data: ListOrEmpty[RedisTable] = Field(default_factory=list)
    """The tables."""
    total: LenientInt = None
    """Total records."""


class RedisInfo(DwsModel):
    """Redistribution information (caption ``RdsRedisInfo``)."""

    id: str | None = None
    """ID."""
    cluster_id: str | None = None
    """Cluster ID."""
    start_time: str | None = None
    """Start time."""
    end_time: str | None = None
    """End time."""
    status: str | None = None
    """Running status."""
    redis_conf: RedisConf | None = None
    """Configuration."""
    redis_process: RedisProgress | None = Field(
        None, validation_alias=AliasChoices("redis_process", "redis_progress")
    )
    """Progress (``redis_progress`` in the SDK)."""
    redis_table_detail: RedisTableDetail | None = None
    """Per-table information."""


class ShowClusterRedistributionResponse(DwsModel):
    """Answer of 5.2.32 Querying Redistribution Details."""

    redis_info: RedisInfo | None = None
    """Redistribution information."""
    schedule_mode: LenientBool = None
    """Scheduling mode."""
    pause_enable: LenientBool = None
    """Whether pausing is allowed."""
    recover_enable: LenientBool = None
    """Whether resuming is allowed."""
    retry_enable: LenientBool = None
    """Whether retrying is allowed."""
    update_enable: LenientBool = None
    """Whether updating is allowed."""
    control_enable: LenientBool = None
    """Whether control is allowed."""
    error_code: str | None = None
    """Error code."""
    error_msg: str | None = None
    """Error message."""

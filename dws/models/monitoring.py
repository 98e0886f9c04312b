"""Monitoring (DMS): host overview (5.14.1), disks (5.14.2), historical metric data
(5.14.5), a cluster's metrics (5.14.9) and collected data of one metric (5.14.10).

The first three answer with a bare JSON array: their response models are
:class:`~dws.models.base.DwsRootList` subclasses (iterate them, or use ``.root``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from dws.models.base import DwsModel, DwsRootList, LenientFloat, LenientInt, ListOrEmpty, parse_time

__all__ = [
    "ClusterMetric",
    "HostDisk",
    "HostOverview",
    "ListHostDiskResponse",
    "ListHostOverviewResponse",
    "ListMetricsDataResponse",
    "ListMetricsResponse",
    "ListMonitorIndicatorDataResponse",
    "MetricField",
    "TrendQueryData",
    "TrendQueryDataResult",
]


class HostOverview(DwsModel):
    """Load of one host (caption ``HostOverviewResponse``)."""

    instance_name: str | None = None
    """Instance name."""
    host_name: str | None = None
    """Host name."""
    host_stat: str | None = None
    """Host status: ONLINE, OFFLINE."""
    work_ip: str | None = None
    """IP address."""
    mem_free: LenientFloat = None
    """Unused memory, GB."""
    mem_total: LenientFloat = None
    """Total memory, GB."""
    mem_usage: LenientFloat = None
    """Memory usage."""
    mem_cached: LenientFloat = None
    """Cache memory, GB."""
    mem_buffer: LenientFloat = None
    """Buffer memory, MB."""
    swap_free: LenientFloat = None
    """Free swap, GB."""
    swap_total: LenientFloat = None
    """Total swap, GB."""
    cpu_usage: LenientFloat = None
    """CPU usage, %."""
    cpu_usage_sys: LenientFloat = None
    """System CPU usage, %."""
    cpu_usage_usr: LenientFloat = None
    """User CPU usage, %."""
    cpu_idle: LenientFloat = None
    """Idle CPU, %."""
    cpu_iowait: LenientFloat = None
    """I/O wait, %."""
    disk_usage_avg: LenientFloat = None
    """Average disk usage, %."""
    disk_total: LenientFloat = None
    """Total disk capacity, GB."""
    disk_used: LenientFloat = None
    """Used disk capacity, GB."""
    disk_available: LenientFloat = None
    """Available disk capacity, GB."""
    disk_io: LenientFloat = None
    """Disk I/O, KB/s."""
    disk_io_read: LenientFloat = None
    """Disk read rate, KB/s."""
    disk_io_write: LenientFloat = None
    """Disk write rate, KB/s."""
    tcp_resend_rate: LenientFloat = None
    """TCP retransmission rate, %."""
    net_io: LenientFloat = None
    """Network I/O, KB/s."""


class ListHostOverviewResponse(DwsRootList[HostOverview]):
    """Answer of 5.14.1 Querying the Host Overview (a JSON array)."""


class HostDisk(DwsModel):
    """One disk of a host (caption ``DiskResp``)."""

    instance_name: str | None = None
    """Instance name."""
    instance_id: str | None = None
    """Instance ID."""
    host_name: str | None = None
    """Host name."""
    disk_name: str | None = None
    """Disk name, e.g. ``vda``."""
    disk_type: str | None = None
    """Disk type: system, data, log."""
    total: LenientFloat = None
    """Total capacity, GB."""
    used: LenientFloat = None
    """Used capacity, GB."""
    available: LenientFloat = None
    """Available capacity, GB."""
    used_percentage: LenientFloat = None
    """Usage, %."""
    await_: LenientFloat = Field(None, alias="await")
    """I/O wait time, ms (``await`` on the wire)."""
    svctm: LenientFloat = None
    """I/O service time, ms."""
    util: LenientFloat = None
    """I/O usage, %."""
    read_rate: LenientFloat = None
    """Read rate, KB/s."""
    write_rate: LenientFloat = None
    """Write rate, KB/s."""


class ListHostDiskResponse(DwsRootList[HostDisk]):
    """Answer of 5.14.2 Querying Disk Information (a JSON array)."""


class TrendQueryData(DwsModel):
    """One data point (caption ``TrendQueryData``)."""

    result: str | None = None
    """Value, as text (e.g. ``"10.20"``); see :attr:`value`."""
    timestamp: LenientInt = None
    """Epoch ms; see :attr:`at`."""

    @property
    def value(self) -> float | None:
        """``result`` as a number, or ``None`` if unreadable."""
        try:
            return float(self.result) if self.result is not None else None
        except ValueError:
            return None

    @property
    def at(self) -> datetime | None:
        """``timestamp`` as an aware UTC datetime."""
        return parse_time(self.timestamp)


class TrendQueryDataResult(DwsModel):
    """The history of one metric (caption ``TrendQueryDataResponseBody``)."""

    query_time: LenientInt = None
    """Query time, epoch ms."""
    indicator_name: str | None = None
    """Metric name, e.g. ``cluster cpu_usage``."""
    object_id: str | None = None
    """ID of the monitored object."""
    unit: str | None = None
    """Unit, e.g. ``percentage``."""
    sub_object_id: str | None = None
    """ID of the secondary monitored object."""
    data_points: ListOrEmpty[TrendQueryData] = Field(default_factory=list)
    """The data points."""


class ListMonitorIndicatorDataResponse(DwsRootList[TrendQueryDataResult]):
    """Answer of 5.14.5 Querying Historical Monitoring Data (a JSON array)."""


class MetricField(DwsModel):
    """A column of a metric table (caption ``SimpleFieldDto``)."""

    column_name: str | None = None
    """Column name."""
    column_type: str | None = None
    """Column type, e.g. ``text``, ``bigint``."""


class ClusterMetric(DwsModel):
    """A metric collected on a cluster (caption ``ClusterMetric``)."""

    scope: str | None = None
    """Scope, e.g. ``CN,ANY``."""
    fields: ListOrEmpty[MetricField] = Field(default_factory=list)
    """Columns of the metric table."""
    metric_name: str | None = None
    """Metric name, e.g. ``TableDirtyPageRate``."""
    collect_rate: LenientInt = None
    """Collection interval."""
    collect_range: ListOrEmpty[str] = Field(default_factory=list)
    """Collection time range."""
    create_time: str | None = None
    """Creation time (epoch ms as text)."""


class ListMetricsResponse(DwsModel):
    """Answer of 5.14.9 Querying the Metrics of a Cluster."""

    code: LenientInt = None
    """Response code (0 = OK)."""
    msg: str | None = None
    """Response message."""
    data: ListOrEmpty[ClusterMetric] = Field(default_factory=list)
    """The metrics."""
    count: LenientInt = None
    """Total size."""


class ListMetricsDataResponse(DwsModel):
    """Answer of 5.14.10 Obtaining Collected Data of a Specified Metric.

    Each row maps the metric's column names (see ``ClusterMetric.fields``) to values as
    the service sends them (numbers stay numbers).
    """

    code: LenientInt = None
    """Response code (0 = OK)."""
    msg: str | None = None
    """Response message."""
    data: ListOrEmpty[dict[str, Any]] = Field(default_factory=list)
    """The collected rows."""
    count: LenientInt = None
    """Total size."""

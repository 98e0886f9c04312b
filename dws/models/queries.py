"""Running queries of a cluster (5.14.7 Querying the SQL List).

Times follow the reference: ``ctime`` and ``start_time`` are epoch milliseconds, the
``backend_start`` / ``query_start`` family epoch seconds, durations milliseconds.
:func:`~dws.models.base.parse_time` reads either kind of epoch.
"""

from __future__ import annotations

from pydantic import Field

from dws.models.base import DwsModel, LenientBool, LenientFloat, LenientInt, ListOrEmpty

__all__ = ["ListQueriesData", "ListQueriesResponse", "QueryStatistics", "RunningQuery"]


class RunningQuery(DwsModel):
    """One query of the SQL list (caption ``ListQueriesDto``)."""

    virtual_cluster_id: LenientInt = None
    """Virtual cluster ID."""
    ctime: LenientInt = None
    """Collection time, epoch ms."""
    pid: str | None = None
    """Session ID."""
    inst_name: str | None = None
    """Instance name."""
    waiting: LenientBool = None
    """Whether the backend waits on a lock."""
    enqueue: str | None = None
    """Workload management resource status."""
    warning: str | None = None
    """Warnings related to SQL self-diagnosis and tuning."""
    query: str | None = None
    """Query statement."""
    lane: str | None = None
    """Fast or slow lane."""
    db_name: str | None = None
    """Database name."""
    priority: str | None = None
    """Priority in the resource pool: 1, 2, 4 or 8."""
    query_id: str | None = None
    """Internal query_id used for statement execution."""
    query_band: str | None = None
    """Job type (the query_band GUC)."""
    job_name: str | None = None
    """Job name (query_band position 0)."""
    job_inst: str | None = None
    """Job instance (query_band position 1)."""
    user_name: str | None = None
    """Username used for connecting to the backend."""
    application_name: str | None = None
    """Name of the application that is connected to the backend."""
    client_address: str | None = None
    """IP address of the client connected to this backend."""
    client_hostname: str | None = None
    """Host name of the client."""
    client_port: str | None = None
    """TCP port number used by a client to communicate with the backend."""
    start_time: LenientInt = None
    """Execution start time, epoch ms."""
    block_time: LenientInt = None
    """Time blocked before execution, ms."""
    duration: LenientInt = None
    """Time executed so far, ms."""
    estimate_total_time: LenientInt = None
    """Estimated execution time, ms."""
    estimate_left_time: LenientInt = None
    """Estimated remaining time, ms."""
    resource_pool: str | None = None
    """Resource pool used by the user."""
    control_group: str | None = None
    """Cgroup used by the statement."""
    min_peak_memory: LenientInt = None
    """Minimum memory peak across DNs, MB."""
    max_peak_memory: LenientInt = None
    """Maximum memory peak across DNs, MB."""
    average_peak_memory: LenientInt = None
    """Average memory use, MB."""
    memory_skew_percent: LenientInt = None
    """Memory usage skew of a statement among DNs."""
    estimate_memory: LenientInt = None
    """Estimated memory, MB."""
    spill_info: str | None = None
    """Information about the statement spilling to disks on all DNs."""
    min_spill_size: LenientInt = None
    """Minimum spilled data among all DNs when a spill occurs, in MB."""
    max_spill_size: LenientInt = None
    """Maximum spilled data among all DNs when a spill occurs, in MB."""
    average_spill_size: LenientInt = None
    """Average spilled data among all DNs when a spill occurs, in MB."""
    spill_skew_percent: LenientInt = None
    """DN spill skew."""
    min_dn_time: LenientInt = None
    """Minimum execution time across DNs, ms."""
    max_dn_time: LenientInt = None
    """Maximum execution time across DNs, ms."""
    average_dn_time: LenientInt = None
    """Average execution time across DNs, ms."""
    dntime_skew_percent: LenientInt = None
    """Execution time skew of a statement among DNs."""
    min_cpu_time: LenientInt = None
    """Minimum CPU time across DNs, ms."""
    max_cpu_time: LenientInt = None
    """Maximum CPU time across DNs, ms."""
    total_cpu_time: LenientInt = None
    """Total CPU time across DNs, ms."""
    cpu_skew_percent: LenientInt = None
    """CPU time skew of a statement among DNs."""
    average_peak_iops: LenientInt = None
    """Average IOPS peak of a statement across all DNs."""
    iops_skew_percent: LenientInt = None
    """I/O skew of a statement among DNs."""
    max_peak_iops: LenientInt = None
    """Maximum IOPS peak of a statement across all DNs."""
    min_peak_iops: LenientInt = None
    """Minimum IOPS peak of a statement across all DNs."""
    query_plan: str | None = None
    """Query Plan."""
    query_status: str | None = None
    """Real-time state: active, idle, idle in transaction, ..."""
    wlm_status: str | None = None
    """State in the resource pool: pending, running, finished, aborted, active, unknown."""
    wlm_attrib: str | None = None
    """Statement attribute: ordinary, simple, complicated, internal."""
    system_query: LenientBool = None
    """Whether a query is a system query."""
    backend_start: LenientInt = None
    """When the client connected, epoch s."""
    elapsed_time: LenientInt = None
    """Execution time so far."""
    curr_xact_start: LenientInt = None
    """Start of the current transaction, epoch s."""
    state_change: LenientInt = None
    """Last state change, epoch s."""
    query_start: LenientInt = None
    """Statement start, epoch s."""
    query_elapsed_time: LenientInt = None
    """Actual execution duration of the statement, in seconds."""


class QueryStatistics(DwsModel):
    """Statistics over the listed queries (caption ``ListQueriesStatus``)."""

    average_query_waiting_time: LenientFloat = None
    """Average query wait time."""
    average_time_consumption_of_queries: LenientFloat = None
    """Average query duration."""
    average_time_consumption_of_sessions: LenientFloat = None
    """Average session duration."""
    queries_count: LenientInt = None
    """Number of queries."""
    session_count: LenientInt = None
    """Number of sessions."""


class ListQueriesData(DwsModel):
    """The queries and their statistics (caption ``ListQueriesData``)."""

    queries: ListOrEmpty[RunningQuery] = Field(default_factory=list)
    """The queries."""
    status: QueryStatistics | None = None
    """Statistics."""


class ListQueriesResponse(DwsModel):
    """Answer of 5.14.7 Querying the SQL List."""

    code: LenientInt = None
    """Response code (0 = OK)."""
    msg: str | None = None
    """Response message."""
    data: ListQueriesData | None = None
    """The queries."""
    count: LenientInt = None
    """Total records."""

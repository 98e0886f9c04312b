"""Clusters: the list item (5.2.6 ``ClusterInfo``), the details (5.2.13 ``ClusterDetail``),
their nested objects and the two answer bodies.

Captions of the reference are noted per class. Fields marked "(SDK)" are not in the
reference tables but are in the official SDK's model of the same object.
Known values of the state fields are in :mod:`dws.models.cluster_status`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from dws.models.base import DwsModel, LenientInt, ListOrEmpty, parse_time

__all__ = [
    "ClusterDetail",
    "ClusterInfo",
    "ClusterInstance",
    "ElbInfo",
    "Endpoint",
    "FailedReason",
    "FlavorDetail",
    "ListClusterDetailsResponse",
    "ListClustersResponse",
    "MaintainWindow",
    "ParameterGroup",
    "PublicEndpoint",
    "PublicIp",
    "ResizeInfo",
    "Tag",
]


class Endpoint(DwsModel):
    """Private network connection information (caption ``Endpoints``)."""

    connect_info: str | None = None
    """Private address and port, e.g. ``192.168.0.10:8000``."""
    jdbc_url: str | None = None
    """Intranet JDBC URL."""


class PublicEndpoint(DwsModel):
    """Public network connection information (caption ``PublicEndpoints``)."""

    public_connect_info: str | None = None
    """Public address and port."""
    jdbc_url: str | None = None
    """Public network JDBC URL."""


class ClusterInstance(DwsModel):
    """One entry of a cluster's ``nodes`` list (caption ``Nodes``)."""

    id: str
    """Cluster instance (node) ID."""
    status: str | None = None
    """Instance status code as text: ``"200"`` available, ``"100"`` creating, ``"300"``
    unavailable, ``"400"`` deleted."""
    name: str | None = None
    """Instance name (SDK; also in the 5.2.13 example)."""


class Tag(DwsModel):
    """A key/value tag of a cluster (caption ``Tags``)."""

    key: str | None = None
    """Tag key."""
    value: str | None = None
    """Tag value."""


class PublicIp(DwsModel):
    """The cluster's elastic IP (caption ``PublicIp``)."""

    public_bind_type: str | None = None
    """EIP binding type: auto_assign, not_use or bind_existing."""
    eip_id: str | None = None
    """EIP ID."""
    ip_type: str | None = None
    """EIP type (SDK)."""
    eip_address: str | None = None
    """EIP address (SDK)."""
    band_width: LenientInt = None
    """Bandwidth (SDK)."""
    status: str | None = None
    """EIP status (SDK)."""
    error_message: str | None = None
    """EIP error message (SDK)."""


class FailedReason(DwsModel):
    """Why a cluster failed; absent for a healthy cluster (caption ``FailedReason``)."""

    error_code: str | None = None
    """Error code."""
    error_msg: str | None = None
    """Error message."""


class ParameterGroup(DwsModel):
    """The cluster's parameter group (caption ``ParameterGroup``)."""

    id: str | None = None
    """Parameter group ID."""
    name: str | None = None
    """Parameter group name."""
    status: str | None = None
    """Parameter status: In-Sync, Applying, Pending-Reboot or Sync-Failure."""


class MaintainWindow(DwsModel):
    """Weekly maintenance window, GMT+0 (caption ``MaintainWindow``)."""

    day: str | None = None
    """Day of the week: Mon, Tue, Wed, Thu, Fri, Sat, Sun."""
    start_time: str | None = None
    """Start time, HH:mm."""
    end_time: str | None = None
    """End time, HH:mm."""


class ResizeInfo(DwsModel):
    """Scale-out details (caption ``ResizeInfo``)."""

    target_node_num: LenientInt = None
    """Number of nodes after the scale-out."""
    origin_node_num: LenientInt = None
    """Number of nodes before the scale-out."""
    resize_status: str | None = None
    """Scale-out status: GROWING or RESIZE_FAILURE."""
    start_time: str | None = None
    """Scale-out start time (ISO 8601)."""


class ElbInfo(DwsModel):
    """Load balancer bound to the cluster (caption ``ElbResp``)."""

    public_ip: str | None = None
    """Public IP address."""
    private_ip: str | None = None
    """Private IP address."""
    private_endpoint: str | None = None
    """ELB endpoint address."""
    name: str | None = None
    """ELB name."""
    id: str | None = None
    """ELB ID."""
    vpc_id: str | None = None
    """ID of the ELB's VPC."""


class FlavorDetail(DwsModel):
    """Flavor details; every value is text in the reference (caption ``FlavorDetail``)."""

    type: str | None = None
    """Data warehouse type: dws, stream, hybrid."""
    cpu: str | None = None
    """Number of vCPUs."""
    mem: str | None = None
    """Memory."""
    volume_size: str | None = None
    """Storage space in GB."""
    volume_type: str | None = None
    """Disk type: SATA, SAS, SSD, ESSD, ESSD2."""
    volume_num: str | None = None
    """Disk quantity."""


class ClusterSummary(DwsModel):
    """The fields of a listed cluster (5.2.6 ``ClusterInfo``) that list views show.

    The other fields are not read at all (``extra="ignore"``), which makes a listing of
    hundreds of clusters several times cheaper to parse; :class:`ClusterInfo` extends this
    with every other field and keeps unknown ones.
    """

    model_config = ConfigDict(extra="ignore")

    id: str
    """Cluster ID."""
    name: str | None = None
    """Cluster name."""
    status: str | None = None
    """Cluster status: AVAILABLE, ACTIVE, STOPPED, CREATING, UNAVAILABLE ... (5.2.6; spelled
    as documented, e.g. ``STOPING``)."""
    version: str | None = None
    """Data warehouse version."""
    number_of_node: LenientInt = None
    """Number of nodes."""
    action_progress: dict[str, str] | None = None
    """Ongoing tasks and their progress, e.g. ``{"SNAPSHOTTING": "20%"}``."""
    sub_status: str | None = None
    """Sub-status of an AVAILABLE cluster: NORMAL, READONLY, REDISTRIBUTING, UNBALANCED,
    DEGRADED ... (several words may combine: match on membership)."""
    task_status: str | None = None
    """Management task under way, e.g. SNAPSHOTTING, GROWING, REBOOTING, RESTORING (5.2.6)."""


class ClusterInfo(ClusterSummary):
    """A cluster as listed by 5.2.6 (caption ``ClusterInfo``)."""

    model_config = ConfigDict(extra="allow")

    updated: str | None = None
    """Last modification time (ISO 8601); see :attr:`updated_at`."""
    created: str | None = None
    """Creation time (ISO 8601); see :attr:`created_at`."""
    port: LenientInt = None
    """Service port."""
    endpoints: ListOrEmpty[Endpoint] = Field(default_factory=list)
    """Private network connection information."""
    nodes: ListOrEmpty[ClusterInstance] = Field(default_factory=list)
    """Cluster instances."""
    tags: ListOrEmpty[Tag] = Field(default_factory=list)
    """Cluster tags."""
    user_name: str | None = None
    """Administrator user name."""
    recent_event: LenientInt = None
    """Number of recent events."""
    availability_zone: str | None = None
    """AZ."""
    enterprise_project_id: str | None = None
    """Enterprise project ID (``"0"`` = default project)."""
    node_type: str | None = None
    """Node type (flavor name)."""
    vpc_id: str | None = None
    """VPC ID."""
    subnet_id: str | None = None
    """Subnet ID."""
    public_ip: PublicIp | None = None
    """Elastic IP, if public access is configured."""
    public_endpoints: ListOrEmpty[PublicEndpoint] = Field(default_factory=list)
    """Public network connection information."""
    security_group_id: str | None = None
    """Security group ID."""
    failed_reasons: FailedReason | None = None
    """Cause of failure; empty for a healthy cluster."""

    @property
    def created_at(self) -> datetime | None:
        """``created`` as an aware UTC datetime."""
        return parse_time(self.created)

    @property
    def updated_at(self) -> datetime | None:
        """``updated`` as an aware UTC datetime."""
        return parse_time(self.updated)

    @property
    def tag_map(self) -> dict[str, str]:
        """Tags as a ``{key: value}`` mapping."""
        return {t.key: t.value or "" for t in self.tags if t.key is not None}


class ClusterDetail(ClusterInfo):
    """A cluster's details from 5.2.13: everything of ``ClusterInfo`` and more
    (caption ``ClusterDetail``)."""

    subnet_ids: ListOrEmpty[str] = Field(default_factory=list)
    """Subnet IDs."""
    parameter_group: ParameterGroup | None = None
    """Parameter group details."""
    node_type_id: str | None = None
    """Node type ID."""
    private_ip: ListOrEmpty[str] = Field(default_factory=list)
    """Private network IP addresses."""
    maintain_window: MaintainWindow | None = None
    """Maintenance window."""
    resize_info: ResizeInfo | None = None
    """Scale-out details."""
    elb: ElbInfo | None = None
    """ELB bound to the cluster."""
    flavor_detail: FlavorDetail | None = None
    """Flavor details."""
    order_id: str | None = None
    """Order ID, yearly/monthly clusters only (SDK)."""


class ListClustersResponse(DwsModel):
    """Answer of 5.2.6 Querying the Cluster List."""

    clusters: ListOrEmpty[ClusterInfo] = Field(default_factory=list)
    """The clusters."""
    count: LenientInt = None
    """Total number of clusters."""


class ListClusterSummariesResponse(DwsModel):
    """Answer of 5.2.6 read as :class:`ClusterSummary` rows (for list views)."""

    model_config = ConfigDict(extra="ignore")

    clusters: ListOrEmpty[ClusterSummary] = Field(default_factory=list)
    """The clusters."""
    count: LenientInt = None
    """Total number of clusters."""


class ListClusterDetailsResponse(DwsModel):
    """Answer of 5.2.13 Querying Cluster Details."""

    cluster: ClusterDetail | None = None
    """The cluster."""

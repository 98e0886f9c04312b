"""Where clusters run and what they run on: AZs (5.1.1), node types (5.2.14), the nodes of a
cluster (5.2.10) and its CN nodes (5.2.39).

Fields marked "(SDK)" are not in the reference tables but are in the official SDK's model.
Where the reference table says String but the SDK and the example carry numbers
(``min_cn``, ``max_cn``, ``step``) the fields are integers; strings still parse.
"""

from __future__ import annotations

from typing import Final

from pydantic import Field

from dws.models.base import DwsModel, LenientInt, ListOrEmpty

__all__ = [
    "AvailabilityZone",
    "AvailabilityZoneStatus",
    "ClusterNodeInfo",
    "CoordinatorNode",
    "ListAvailabilityZonesResponse",
    "ListClusterCnResponse",
    "ListClusterNodesResponse",
    "ListNodeTypesResponse",
    "NodeType",
    "NodeTypeAttachments",
    "NodeTypeAvailableZone",
    "NodeTypeDatastore",
    "NodeTypeDetail",
    "NodeTypeElasticVolumeSpec",
    "NodeTypeStatus",
    "NodeTypeVolume",
]


class AvailabilityZoneStatus:
    """Known values of ``AvailabilityZone.status``."""

    AVAILABLE: Final = "available"
    UNAVAILABLE: Final = "unavailable"


class NodeTypeStatus:
    """Known values of ``NodeTypeAvailableZone.status``."""

    NORMAL: Final = "normal"
    SELLOUT: Final = "sellout"
    ABANDON: Final = "abandon"


class AvailabilityZone(DwsModel):
    """An availability zone (caption ``AvailabilityZone``, "AZ parameters")."""

    code: str
    """Unique ID of the AZ, e.g. ``az1.dc1``."""
    name: str | None = None
    """AZ name."""
    status: str | None = None
    """AZ status; see ``AvailabilityZoneStatus``."""
    public_border_group: str | None = None
    """AZ group, e.g. ``center``."""


class ListAvailabilityZonesResponse(DwsModel):
    """Answer of 5.1.1 Querying AZs."""

    availability_zones: ListOrEmpty[AvailabilityZone] = Field(default_factory=list)
    """The AZs."""
    count: LenientInt = None
    """Number of AZs."""


class NodeTypeDetail(DwsModel):
    """One attribute of a node type (caption ``Detail``)."""

    type: str | None = None
    """Attribute type, e.g. ``vCPU``, ``mem``, ``LOCAL_DISK``."""
    value: str | None = None
    """Attribute value."""
    unit: str | None = None
    """Attribute unit, e.g. ``GB``."""


class NodeTypeAvailableZone(DwsModel):
    """Where a node type can be bought (caption ``NodeTypeAvailableZones``)."""

    code: str | None = None
    """AZ ID."""
    status: str | None = None
    """Availability of the node type there; see ``NodeTypeStatus``."""


class NodeTypeAttachments(DwsModel):
    """Extra facts of a kernel version (caption ``attachments``)."""

    min_cn: LenientInt = None
    """Minimum number of CNs."""
    max_cn: LenientInt = None
    """Maximum number of CNs."""


class NodeTypeDatastore(DwsModel):
    """A kernel version a node type supports (caption ``NodeTypeDatastores``)."""

    version: str | None = None
    """Kernel version."""
    attachments: NodeTypeAttachments | None = None
    """Additional information about the version."""
    role: str | None = None
    """Role (SDK)."""


class NodeTypeVolume(DwsModel):
    """Storage of a fixed-storage flavor (caption ``VolumeResp``)."""

    type: str | None = None
    """Disk type (SSD)."""
    size: LenientInt = None
    """Available disk capacity, GB."""


class NodeTypeElasticVolumeSpec(DwsModel):
    """Cloud disk limits of an elastic flavor (caption ``NodeTypeElasticVolumeSpecs``)."""

    type: str | None = None
    """Cloud disk type."""
    step: LenientInt = None
    """Size increment, GB."""
    min_size: LenientInt = None
    """Minimum size, GB."""
    max_size: LenientInt = None
    """Maximum size, GB."""


class NodeType(DwsModel):
    """A node type (flavor) (caption ``NodeTypes``)."""

    id: str
    """Node type ID."""
    spec_name: str | None = None
    """Node type name, e.g. ``dws.d2.xlarge``."""
    detail: ListOrEmpty[NodeTypeDetail] = Field(default_factory=list)
    """Node type attributes."""
    datastore_type: str | None = None
    """Product type: dws, hybrid, stream."""
    architecture: str | None = None
    """CPU architecture (SDK)."""
    available_zones: ListOrEmpty[NodeTypeAvailableZone] = Field(default_factory=list)
    """AZs and the node type's status in each."""
    ram: LenientInt = None
    """Memory size, GB."""
    vcpus: LenientInt = None
    """Number of vCPUs."""
    datastores: ListOrEmpty[NodeTypeDatastore] = Field(default_factory=list)
    """Supported kernel versions."""
    volume: NodeTypeVolume | None = None
    """Storage of a fixed-storage flavor."""
    elastic_volume_specs: ListOrEmpty[NodeTypeElasticVolumeSpec] = Field(default_factory=list)
    """Cloud disk limits of an elastic flavor."""


class ListNodeTypesResponse(DwsModel):
    """Answer of 5.2.14 Querying Node Types."""

    node_types: ListOrEmpty[NodeType] = Field(default_factory=list)
    """The node types."""
    count: LenientInt = None
    """Total number of node types."""


class ClusterNodeInfo(DwsModel):
    """A node of a cluster as listed by 5.2.10 (caption ``ClusterNodeInfo``)."""

    id: str
    """Node ID."""
    name: str | None = None
    """Node name."""
    status: str | None = None
    """Node status, e.g. ``ACTIVE``."""
    sub_status: str | None = None
    """Node sub-status, e.g. ``CREATED``."""
    spec: str | None = None
    """Node specification."""
    inst_create_type: str | None = None
    """Instance creation type."""
    alias_name: str | None = None
    """Node alias."""
    az_code: str | None = None
    """AZ code."""


class ListClusterNodesResponse(DwsModel):
    """Answer of 5.2.10 Querying the Node List."""

    node_list: ListOrEmpty[ClusterNodeInfo] = Field(default_factory=list)
    """The nodes."""
    count: LenientInt = None
    """Total number of nodes."""
    failed_count: LenientInt = None
    """Number of failed nodes."""


class CoordinatorNode(DwsModel):
    """A CN node of a cluster (caption ``CoordinatorNode``)."""

    id: str
    """Node ID."""
    name: str | None = None
    """Node name."""
    private_ip: str | None = None
    """Private IP address."""


class ListClusterCnResponse(DwsModel):
    """Answer of 5.2.39 Querying Cluster CN Nodes."""

    min_num: LenientInt = None
    """Minimum number of CNs allowed."""
    max_num: LenientInt = None
    """Maximum number of CNs allowed."""
    instances: ListOrEmpty[CoordinatorNode] = Field(default_factory=list)
    """The CN nodes."""

"""Disaster recovery: the DR list (5.12.3), DR details (5.12.4) and DR progress (5.12.5).

Fields marked "(SDK)" are not in the reference tables but are in the official SDK's model.
"""

from __future__ import annotations

from pydantic import Field

from dws.models.base import DwsModel, LenientInt, ListOrEmpty

__all__ = [
    "ClusterRecoveryProgress",
    "DisasterRecovery",
    "DisasterRecoveryCluster",
    "DisasterRecoveryDetail",
    "DisasterRecoveryProgress",
    "ListDisasterRecoverResponse",
    "ShowDisasterDetailResponse",
    "ShowDisasterProgressResponse",
]


class DisasterRecovery(DwsModel):
    """A DR task as listed by 5.12.3 (caption ``DisasterRecovery``)."""

    id: str
    """DR ID."""
    name: str | None = None
    """DR name."""
    dr_type: str | None = None
    """DR type, e.g. ``az``, ``region``."""
    status: str | None = None
    """DR status, e.g. creating, running, stopped, stop_failed (the reference lists none)."""
    primary_cluster_id: str | None = None
    """ID of the primary cluster."""
    primary_cluster_name: str | None = None
    """Name of the primary cluster."""
    standby_cluster_id: str | None = None
    """ID of the standby cluster."""
    standby_cluster_name: str | None = None
    """Name of the standby cluster."""
    primary_cluster_role: str | None = None
    """Role of the primary cluster."""
    standby_cluster_role: str | None = None
    """Role of the standby cluster."""
    primary_cluster_status: str | None = None
    """Status of the primary cluster."""
    standby_cluster_status: str | None = None
    """Status of the standby cluster."""
    primary_cluster_region: str | None = None
    """Region of the primary cluster."""
    standby_cluster_region: str | None = None
    """Region of the standby cluster."""
    primary_cluster_project_id: str | None = None
    """Project ID of the primary cluster."""
    standby_cluster_project_id: str | None = None
    """Project ID of the standby cluster."""
    last_disaster_time: str | None = None
    """Time of the last DR synchronization."""
    start_time: str | None = None
    """Start time."""
    create_time: str | None = None
    """Creation time."""


class ListDisasterRecoverResponse(DwsModel):
    """Answer of 5.12.3 Querying the DR List."""

    disaster_recovery: ListOrEmpty[DisasterRecovery] = Field(default_factory=list)
    """The DR tasks."""


class DisasterRecoveryCluster(DwsModel):
    """One side of a DR pair (caption ``DisasterRecoveryCluster``)."""

    id: str | None = None
    """Cluster ID."""
    name: str | None = None
    """Cluster name."""
    cluster_az: str | None = None
    """Cluster AZ."""
    role: str | None = None
    """Role: primary, standby."""
    region: str | None = None
    """Region of the cluster."""
    status: str | None = None
    """DR status of the cluster."""
    progress: str | None = None
    """DR progress."""
    last_success_time: str | None = None
    """Last successful DR time."""
    obs_bucket_name: str | None = None
    """OBS bucket name."""
    datastore_version: str | None = None
    """Cluster version (SDK)."""
    datastore_type: str | None = None
    """Cluster type (SDK)."""
    disk_capacity: str | None = None
    """Disk capacity (SDK)."""
    disk_used: str | None = None
    """Disk used (SDK)."""


class DisasterRecoveryDetail(DwsModel):
    """A DR task's details (caption ``DisasterRecoveryQueryResp``)."""

    id: str
    """DR ID."""
    name: str | None = None
    """DR name."""
    dr_type: str | None = None
    """DR type."""
    status: str | None = None
    """DR status, e.g. creating, running, stopped, stop_failed (the reference lists none)."""
    primary_cluster: DisasterRecoveryCluster | None = None
    """The primary cluster."""
    standby_cluster: DisasterRecoveryCluster | None = None
    """The standby cluster."""
    dr_sync_period: str | None = None
    """Synchronization period, e.g. ``3H``."""
    start_time: str | None = None
    """DR start time."""
    create_time: str | None = None
    """DR creation time."""


class ShowDisasterDetailResponse(DwsModel):
    """Answer of 5.12.4 Querying DR Details."""

    disaster_recovery: DisasterRecoveryDetail | None = None
    """The DR task."""


class ClusterRecoveryProgress(DwsModel):
    """DR progress of one cluster (caption ``ClusterRecoveryProgress``)."""

    key: str | None = None
    """Backup set key."""
    action_type: str | None = None
    """Action, e.g. ``Backup``, ``Restore``."""
    unrestore_keys: str | None = None
    """Backup sets still to restore, comma-separated."""
    action_start_time: str | None = None
    """Start time of the current action."""
    action_end_time: str | None = None
    """End time of the current action."""


class DisasterRecoveryProgress(DwsModel):
    """DR progress of a pair (caption ``ClusterDisasterRecovery``)."""

    primary_cluster: ClusterRecoveryProgress | None = None
    """Progress of the primary cluster."""
    standby_cluster: ClusterRecoveryProgress | None = None
    """Progress of the standby cluster."""
    latest_barrier_time: str | None = None
    """Time of the latest barrier (recovery point)."""
    last_recovery_spend: LenientInt = None
    """Seconds spent restoring the previous backup set."""
    recovery_point_object: LenientInt = None
    """Recovery point objective, seconds."""
    recovery_time_object: LenientInt = None
    """Recovery time objective, seconds."""


class ShowDisasterProgressResponse(DwsModel):
    """Answer of 5.12.5 Querying DR Progress."""

    disaster_recovery_progress: DisasterRecoveryProgress | None = None
    """The progress."""

"""Snapshots: the list item (5.3.3), the details (5.3.4), a cluster's snapshots (5.3.23)
and the snapshot policy (5.3.11).

The three snapshot views nest: ``Snapshot`` has the 5.3.3 fields, ``SnapshotDetail`` adds
those of 5.3.4, ``ClusterSnapshot`` (5.3.23) is a ``SnapshotDetail``. Fields marked "(SDK)"
are not in the reference tables but are in the official SDK's model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import Field

from dws.models.base import (
    DwsModel,
    LenientBool,
    LenientFloat,
    LenientInt,
    ListOrEmpty,
    parse_time,
)

__all__ = [
    "BackupStrategyDetail",
    "ClusterSnapshot",
    "DataStore",
    "FineGrainedSnapshotDetail",
    "ListClusterSnapshotsResponse",
    "ListSnapshotDetailsResponse",
    "ListSnapshotPolicyResponse",
    "ListSnapshotsResponse",
    "Snapshot",
    "SnapshotDetail",
    "SnapshotStatus",
    "SnapshotType",
]


class SnapshotStatus:
    """Known values of ``Snapshot.status``."""

    CREATING: Final = "CREATING"
    AVAILABLE: Final = "AVAILABLE"
    UNAVAILABLE: Final = "UNAVAILABLE"
    RESTORING: Final = "RESTORING"
    COMPLETED: Final = "COMPLETED"


class SnapshotType:
    """Known values of ``Snapshot.type``."""

    MANUAL: Final = "MANUAL"
    AUTOMATED: Final = "AUTOMATED"
    AUTO: Final = "AUTO"


class FineGrainedSnapshotDetail(DwsModel):
    """What a fine-grained backup holds (caption ``FineGrainedSnapshotDetail``)."""

    database: str | None = None
    """Backed-up database."""
    schema_list: ListOrEmpty[str] = Field(default_factory=list)
    """Backed-up schemas."""
    table_list: ListOrEmpty[str] = Field(default_factory=list)
    """Backed-up tables."""


class DataStore(DwsModel):
    """Database type and version (caption ``DataStore``)."""

    type: str | None = None
    """Database type, e.g. ``dws``."""
    version: str | None = None
    """Database version."""


class Snapshot(DwsModel):
    """A snapshot as listed by 5.3.3 (caption ``Snapshots``)."""

    id: str
    """Snapshot ID."""
    name: str | None = None
    """Snapshot name."""
    description: str | None = None
    """Snapshot description."""
    started: str | None = None
    """Creation start time (ISO 8601); see :attr:`started_at`."""
    finished: str | None = None
    """Completion time (ISO 8601); see :attr:`finished_at`."""
    size: LenientFloat = None
    """Snapshot size, GB."""
    status: str | None = None
    """Snapshot status; see ``SnapshotStatus``."""
    type: str | None = None
    """Snapshot type; see ``SnapshotType``."""
    cluster_id: str | None = None
    """ID of the cluster the snapshot belongs to."""

    @property
    def started_at(self) -> datetime | None:
        """``started`` as an aware UTC datetime."""
        return parse_time(self.started)

    @property
    def finished_at(self) -> datetime | None:
        """``finished`` as an aware UTC datetime."""
        return parse_time(self.finished)


class SnapshotDetail(Snapshot):
    """A snapshot's details from 5.3.4 (caption ``SnapshotDetail``)."""

    updated: str | None = None
    """Time the snapshot record was updated (5.3.23; SDK)."""
    cluster_name: str | None = None
    """Name of the cluster."""
    backup_key: str | None = None
    """Key generated during backup."""
    prior_backup_key: str | None = None
    """Backup key of the previous snapshot of an incremental backup."""
    base_backup_key: str | None = None
    """Backup key of the full snapshot."""
    backup_device: str | None = None
    """Backup media, e.g. ``OBS``."""
    total_backup_size: LenientInt = None
    """Accumulated size from the full backup on."""
    base_backup_name: str | None = None
    """Name of the full snapshot."""
    support_inplace_restore: LenientBool = None
    """Whether data can be restored to the original cluster."""
    fine_grained_backup: LenientBool = None
    """Whether this is a fine-grained backup."""
    fine_grained_backup_detail: FineGrainedSnapshotDetail | None = None
    """Fine-grained backup information."""
    guest_agent_version: str | None = None
    """GuestAgent version."""
    cluster_status: str | None = None
    """Cluster status: AVAILABLE, UNAVAILABLE, FROZEN."""
    cluster_task_status: str | None = None
    """Cluster task status (SDK)."""
    bak_expected_start_time: str | None = None
    """Estimated snapshot start time (epoch ms as text)."""
    bak_keep_day: LenientInt = None
    """Backup retention days."""
    bak_period: str | None = None
    """Backup policy (cron-like expression)."""
    db_user: str | None = None
    """Backup user."""
    datastore: DataStore | None = None
    """Database version."""
    progress: str | None = None
    """Backup progress."""
    backup_level: str | None = None
    """Backup level: cluster, schema."""
    support_fine_grained_cross_version_restore: LenientBool = None
    """Whether fine-grained restore across versions works (SDK)."""
    support_fine_grained_asymmetric_restore: LenientBool = None
    """Whether fine-grained restore to a different topology works (SDK)."""


class ClusterSnapshot(SnapshotDetail):
    """A snapshot as listed by 5.3.23 for one cluster (caption ``Snapshots``)."""


class ListSnapshotsResponse(DwsModel):
    """Answer of 5.3.3 Querying the Snapshot List."""

    snapshots: ListOrEmpty[Snapshot] = Field(default_factory=list)
    """The snapshots."""
    count: LenientInt = None
    """Total number of snapshots."""


class ListSnapshotDetailsResponse(DwsModel):
    """Answer of 5.3.4 Querying Snapshot Details."""

    snapshot: SnapshotDetail | None = None
    """The snapshot."""


class ListClusterSnapshotsResponse(DwsModel):
    """Answer of 5.3.23 Querying the Cluster Snapshot List."""

    snapshots: ListOrEmpty[ClusterSnapshot] = Field(default_factory=list)
    """The cluster's snapshots."""
    count: LenientInt = None
    """Total number of snapshots."""
    project_id: str | None = None
    """Project ID."""
    cluster_id: str | None = None
    """Cluster ID."""


class BackupStrategyDetail(DwsModel):
    """One backup policy of a cluster (caption ``BackupStrategyDetail``)."""

    policy_id: str | None = None
    """Policy ID."""
    policy_name: str | None = None
    """Policy name."""
    backup_strategy: str | None = None
    """Execution schedule (cron-like expression)."""
    backup_type: str | None = None
    """Backup type: full, increment."""
    backup_level: str | None = None
    """Backup level: cluster, schema."""
    next_fire_time: str | None = None
    """Next trigger time (epoch ms as text)."""
    update_time: str | None = None
    """Update time (ISO 8601)."""
    time_zone_offset: LenientInt = None
    """Time zone offset (SDK)."""
    backup_database: str | None = None
    """Backed-up database (SDK)."""
    backup_schema_list: str | None = None
    """Backed-up schemas (SDK)."""
    backup_table_list: str | None = None
    """Backed-up tables (SDK)."""

    @property
    def next_fire_at(self) -> datetime | None:
        """``next_fire_time`` as an aware UTC datetime."""
        return parse_time(self.next_fire_time)


class ListSnapshotPolicyResponse(DwsModel):
    """Answer of 5.3.11 Querying a Snapshot Policy.

    ``keep_day`` is an integer (SDK and example; the reference table says String).
    """

    keep_day: LenientInt = None
    """Retention days."""
    backup_strategies: ListOrEmpty[BackupStrategyDetail] = Field(default_factory=list)
    """The backup policies."""
    device_name: str | None = None
    """Backup device, e.g. ``obs``."""
    server_ips: ListOrEmpty[str] = Field(default_factory=list)
    """Service IP addresses."""
    server_port: str | None = None
    """Service port."""
    backup_param: str | None = None
    """Backup parameters."""

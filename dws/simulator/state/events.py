"""Events: the catalogue of event definitions and the time-ordered event log.

The log keeps events in occurrence order plus a per-source index, so a page of the newest
events (or of one cluster's events) is a slice: O(page), never a scan of the whole log.
Event names and fields follow the reference (5.4.1/5.4.2, e.g. `deleteClusterSuccess`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from dws.simulator.state.models import derived_id


@dataclass(frozen=True, slots=True)
class EventSpec:
    """An event definition (one row of list_event_specs)."""

    name: str
    display_name: str
    description: str  # with one %s for the source name
    category: str = "management"
    severity: str = "normal"
    source_type: str = "cluster"

    @property
    def id(self) -> str:
        """Stable id of the definition."""
        return derived_id("event-spec", self.name)


def _spec(name: str, display: str, desc: str, **kw: str) -> EventSpec:
    return EventSpec(name, display, desc, **kw)


_W = {"severity": "warning"}
_MON = {"category": "monitor", "severity": "warning"}
_BK = {"source_type": "backup"}
_DR = {"source_type": "disaster-recovery"}

SPECS: dict[str, EventSpec] = {
    s.name: s
    for s in [
        _spec("createClusterStart", "Cluster creation started.", "Started to create cluster %s."),
        _spec(
            "createClusterSuccess",
            "Cluster created successfully.",
            "Cluster %s created successfully.",
        ),
        _spec("deleteClusterStart", "Cluster deletion started.", "Started to delete cluster %s."),
        _spec(
            "deleteClusterSuccess",
            "Cluster deleted successfully.",
            " Cluster %s deleted successfully.",
        ),
        _spec("rebootClusterStart", "Cluster restart started.", "Started to restart cluster %s."),
        _spec(
            "rebootClusterSuccess",
            "Cluster restarted successfully.",
            "Cluster %s restarted successfully.",
        ),
        _spec(
            "rebootClusterFailure", "Cluster restart failed.", "Failed to restart cluster %s.", **_W
        ),
        _spec("startClusterStart", "Cluster start started.", "Started to start cluster %s."),
        _spec(
            "startClusterSuccess",
            "Cluster started successfully.",
            "Cluster %s started successfully.",
        ),
        _spec("stopClusterStart", "Cluster stop started.", "Started to stop cluster %s."),
        _spec(
            "stopClusterSuccess",
            "Cluster stopped successfully.",
            "Cluster %s stopped successfully.",
        ),
        _spec(
            "expandClusterStart", "Cluster scale-out started.", "Started to scale out cluster %s."
        ),
        _spec(
            "expandClusterSuccess",
            "Cluster scaled out successfully.",
            "Cluster %s scaled out successfully.",
        ),
        _spec(
            "redistributeClusterStart",
            "Redistribution started.",
            "Started data redistribution of cluster %s.",
        ),
        _spec(
            "redistributeClusterPause",
            "Redistribution paused.",
            "Data redistribution of cluster %s paused.",
        ),
        _spec(
            "redistributeClusterResume",
            "Redistribution resumed.",
            "Data redistribution of cluster %s resumed.",
        ),
        _spec(
            "redistributeClusterSuccess",
            "Redistribution completed.",
            "Data redistribution of cluster %s completed.",
        ),
        _spec(
            "switchBackClusterStart",
            "Cluster switchback started.",
            "Started the switchback of cluster %s.",
        ),
        _spec(
            "switchBackClusterSuccess",
            "Cluster switched back successfully.",
            "Cluster %s switched back successfully.",
        ),
        _spec(
            "cancelReadonlyClusterSuccess",
            "Read-only status cancelled.",
            "The read-only status of cluster %s was cancelled.",
        ),
        _spec(
            "updateConfigurationSuccess",
            "Parameters updated successfully.",
            "Parameters of cluster %s updated successfully.",
        ),
        _spec(
            "resetPasswordSuccess",
            "Password reset successfully.",
            "The administrator password of cluster %s was reset.",
        ),
        _spec(
            "restoreClusterStart",
            "Cluster restoration started.",
            "Started to restore cluster %s from a snapshot.",
        ),
        _spec(
            "restoreClusterSuccess",
            "Cluster restored successfully.",
            "Cluster %s restored successfully.",
        ),
        _spec(
            "clusterReadonly",
            "Cluster is read-only.",
            "Cluster %s entered the read-only state.",
            **_MON,
        ),
        _spec("clusterUnbalanced", "Cluster is unbalanced.", "Cluster %s is unbalanced.", **_MON),
        _spec(
            "createBackupStart",
            "Snapshot creation started.",
            "Started to create snapshot %s.",
            **_BK,
        ),
        _spec(
            "createBackupSuccess",
            "Snapshot created successfully.",
            "Snapshot %s created successfully.",
            **_BK,
        ),
        _spec(
            "deleteBackupSuccess",
            "Snapshot deleted successfully.",
            "Snapshot %s deleted successfully.",
            **_BK,
        ),
        _spec(
            "switchoverDisasterRecoveryStart",
            "DR switchover started.",
            "Started the switchover of DR %s.",
            **_DR,
        ),
        _spec(
            "switchoverDisasterRecoverySuccess",
            "DR switchover succeeded.",
            "Switchover of DR %s succeeded.",
            **_DR,
        ),
        _spec(
            "failoverDisasterRecoveryStart",
            "DR failover started.",
            "Started the failover of DR %s.",
            **{**_DR, **_W},
        ),
        _spec(
            "failoverDisasterRecoverySuccess",
            "DR failover succeeded.",
            "Failover of DR %s succeeded.",
            **_DR,
        ),
        _spec(
            "recoveryDisasterRecoveryStart",
            "DR recovery started.",
            "Started the recovery of DR %s.",
            **_DR,
        ),
        _spec(
            "recoveryDisasterRecoverySuccess",
            "DR recovery succeeded.",
            "Recovery of DR %s succeeded.",
            **_DR,
        ),
        _spec(
            "startDisasterRecoveryStart",
            "DR start started.",
            "Started to start DR %s.",
            **_DR,
        ),
        _spec(
            "startDisasterRecoverySuccess",
            "DR started successfully.",
            "DR %s started successfully.",
            **_DR,
        ),
        _spec(
            "pauseDisasterRecoveryStart",
            "DR stop started.",
            "Started to stop DR %s.",
            **_DR,
        ),
        _spec(
            "pauseDisasterRecoverySuccess",
            "DR stopped successfully.",
            "DR %s stopped successfully.",
            **_DR,
        ),
        _spec(
            "deleteDisasterRecoverySuccess",
            "DR deleted successfully.",
            "DR %s deleted successfully.",
            **_DR,
        ),
        _spec(
            "configureMRSExtDataSourcesSuccess",
            "MRS data source configured successfully.",
            "Succeeded in configuring the MRS data source for the cluster %s.",
        ),
    ]
}


@dataclass(slots=True)
class Event:
    """One event that happened."""

    event_id: str
    spec: EventSpec
    source_id: str
    source_name: str
    occur_ms: int
    encoded: bytes | None = None  # the rendered EventResponse, filled on first read

    @property
    def context(self) -> str:
        """The event text with the source name filled in."""
        return self.spec.description.strip().replace("%s", self.source_name)


class EventLog:
    """Events in time order with a per-source index."""

    def __init__(self) -> None:
        self._all: list[Event] = []
        self._by_source: dict[str, list[Event]] = {}

    def __len__(self) -> int:
        return len(self._all)

    def add(self, event: Event) -> None:
        """Append (or insert in time order when the clock was set back)."""
        for bucket in (self._all, self._by_source.setdefault(event.source_id, [])):
            if bucket and bucket[-1].occur_ms > event.occur_ms:
                bisect.insort(bucket, event, key=lambda e: e.occur_ms)
            else:
                bucket.append(event)

    def count(self, source_id: str | None = None) -> int:
        """How many events (of one source)."""
        if source_id is None:
            return len(self._all)
        return len(self._by_source.get(source_id, ()))

    def page(self, page: int, limit: int, source_id: str | None = None) -> list[Event]:
        """Page `page` (1-based) of `limit` events, newest first."""
        bucket = self._all if source_id is None else self._by_source.get(source_id, [])
        end = len(bucket) - (page - 1) * limit
        if end <= 0:
            return []
        return bucket[max(0, end - limit) : end][::-1]

    def newest(self, n: int) -> list[Event]:
        """The `n` newest events, newest first."""
        return self.page(1, n)

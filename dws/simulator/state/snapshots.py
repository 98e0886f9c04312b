"""Snapshots: create (CREATING → AVAILABLE), delete, and restore to a new cluster."""

from __future__ import annotations

import re

from dws.simulator.errors import SNAPSHOT_NOT_FOUND, SimError, bad_request, not_allowed, not_found
from dws.simulator.state.models import Cluster, Snapshot, Task
from dws.simulator.state.params import ParamOps

SNAPSHOT_SECONDS = 300.0
RESTORE_SECONDS = 900.0
SNAPSHOT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{3,63}")  # the reference's rule (5.3.1)


class SnapshotOps(ParamOps):
    """Operations on snapshots."""

    def _register_snapshot_handlers(self) -> None:
        self.on_due("snapshot", self._complete_snapshot)

    def add_snapshot(self, snap: Snapshot) -> None:
        """Store a snapshot and index it by cluster."""
        self.snapshots[snap.id] = snap
        self.snapshots_by_cluster.setdefault(snap.cluster_id, []).append(snap.id)

    def get_snapshot(self, snapshot_id: str) -> Snapshot:
        """A snapshot by id, 404 DWS.5111 if unknown."""
        self.tick()
        snap = self.snapshots.get(snapshot_id)
        if snap is None:
            raise not_found("snapshot", snapshot_id, SNAPSHOT_NOT_FOUND)
        return snap

    def cluster_snapshots(self, cluster_id: str) -> list[Snapshot]:
        """A cluster's snapshots, oldest first."""
        self.tick()
        return [self.snapshots[s] for s in self.snapshots_by_cluster.get(cluster_id, [])]

    def create_snapshot(self, cluster_id: str, name: str, description: str = "") -> Snapshot:
        """Start a manual snapshot; the cluster is SNAPSHOTTING until it is AVAILABLE."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if not SNAPSHOT_NAME.fullmatch(name):
            raise bad_request(
                "Invalid snapshot name: 4 to 64 letters, digits, hyphens or underscores, "
                "starting with a letter.",
                "DWS.5056",
            )
        if any(s.name.lower() == name.lower() for s in self.snapshots.values()):
            raise SimError(409, "DWS.5050", f"The snapshot name {name} already exists.")
        if len(description) > 256:
            raise bad_request("The description is longer than 256 characters.", "DWS.5056")
        self._require_idle(cluster, "create a snapshot")
        size = round(cluster.number_of_node * cluster.node_type.volume_size * 0.2, 2)
        snap = Snapshot(
            self.new_id(),
            name,
            description,
            cluster.id,
            cluster.name,
            cluster.version,
            self.now(),
            SNAPSHOT_SECONDS,
            size,
        )
        snap.origin = cluster
        self.add_snapshot(snap)

        def started(task: Task) -> None:
            self.emit_event("createBackupStart", snap.id, snap.name)

        self._begin(
            cluster, "SNAPSHOTTING", "createSnapshotJob", None, SNAPSHOT_SECONDS, then=started
        )
        task = cluster.task
        assert task is not None
        snap.task_token = task.token
        task.data["snapshot_id"] = snap.id
        self.schedule(task.started + snap.duration, "snapshot", snap.id, snap.task_token)
        return snap

    def _complete_snapshot(self, snapshot_id: str, token: int) -> None:
        snap = self.snapshots.get(snapshot_id)
        if snap is None or snap.status != "CREATING" or snap.task_token != token:
            return
        snap.status, snap.finished = "AVAILABLE", self.now()
        self.emit_event("createBackupSuccess", snap.id, snap.name)

    def _done_snapshotting(self, cluster: Cluster, data: dict[str, object]) -> None:
        snap = self.snapshots.get(str(data.get("snapshot_id")))
        if snap is not None:
            self._complete_snapshot(snap.id, snap.task_token)

    def delete_snapshot(self, snapshot_id: str) -> None:
        """Delete an available manual snapshot."""
        snap = self.get_snapshot(snapshot_id)
        if snap.status == "CREATING":
            raise not_allowed(f"Snapshot {snap.name} is being created; cannot delete it.")
        if snap.type != "MANUAL":
            raise not_allowed(
                f"Snapshot {snap.name} is automated; only manual snapshots can be deleted."
            )
        del self.snapshots[snap.id]
        ids = self.snapshots_by_cluster.get(snap.cluster_id, [])
        if snap.id in ids:
            ids.remove(snap.id)
        self.emit_event("deleteBackupSuccess", snap.id, snap.name)

    def restore_snapshot(
        self,
        snapshot_id: str,
        name: str,
        port: int | None = None,
        availability_zone: str | None = None,
    ) -> Cluster:
        """Restore a snapshot to a new cluster (CREATING, action RESTORING, then AVAILABLE)."""
        snap = self.get_snapshot(snapshot_id)
        if snap.status != "AVAILABLE":
            raise not_allowed(f"Snapshot {snap.name} is {snap.status}; cannot restore it.")
        source = self.clusters.get(snap.cluster_id) or snap.origin
        if source is None:
            raise not_allowed(f"The cluster of snapshot {snap.name} is unknown.")
        if port is not None and not 8000 <= port <= 30000:
            raise bad_request("port must be between 8000 and 30000.", "DWS.5060")
        if availability_zone and availability_zone not in self.availability_zones:
            raise bad_request(f"Invalid AZ {availability_zone}.", "DWS.5011")
        self.check_new_cluster(name, source.number_of_node)
        cluster = self.new_cluster_like(source, name, port, availability_zone)
        cluster.status = "CREATING"
        self._begin(
            cluster,
            "RESTORING",
            "restoreClusterJob",
            "restoreClusterStart",
            RESTORE_SECONDS,
            delay=0.0,
        )
        return cluster

    def new_cluster_like(
        self, source: Cluster, name: str, port: int | None, az: str | None
    ) -> Cluster:
        """A new cluster with the source's version and size (restore)."""
        now = self.now()
        cluster = Cluster(
            id=self.new_id(),
            name=name,
            version=source.version,
            node_type=source.node_type,
            number_of_node=source.number_of_node,
            number_of_cn=source.number_of_cn,
            availability_zone=az or source.availability_zone,
            created=now,
            updated=now,
            vpc_id=source.vpc_id,
            subnet_id=source.subnet_id,
            security_group_id=source.security_group_id,
            net_prefix=f"10.{self.rng.randint(100, 250)}",
            port=port or source.port,
            user_name=source.user_name,
        )
        self.clusters[cluster.id] = cluster
        return cluster

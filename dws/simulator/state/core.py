"""`SimState`: the whole simulated service, and the operations that create clusters and tags.

Public surface used by the routes and by the control API: `reset(seed)`, `clock`, `tick()`,
`advance()`, `set_time()`, `raise_alarm()`, `clear_alarm()`, `emit_event()`, `request_log`,
`record()`, `describe()`, plus one method per DWS operation (in the mixins). Reads of cluster
lists and details are cached per `revision`; every state method that changes something calls
`touch()`, and code that changes resources directly must call it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dws.simulator import defaults
from dws.simulator.clock import SimClock
from dws.simulator.errors import (
    BAD_AZ,
    BAD_FLAVOR,
    TAG_NOT_FOUND,
    TOO_MANY_TAGS,
    bad_request,
    not_found,
)
from dws.simulator.state.alarms import AlarmOps
from dws.simulator.state.base import START_DELAY
from dws.simulator.state.clusters import check_password
from dws.simulator.state.models import Cluster, NodeType

USER_RE = re.compile(r"^[a-z_][a-z0-9_]{5,63}$")
TAG_RE = re.compile(r"^[\w-]{1,128}$")
MAX_TAGS = 20


class SimState(AlarmOps):
    """The simulated DWS service: a seeded fleet whose lifecycles run on a simulated clock."""

    def __init__(
        self,
        *,
        seed: int = 0,
        clock: SimClock | None = None,
        project_id: str = defaults.PROJECT_ID,
        populate: bool | Callable[[SimState], None] = True,
        start_delay: float = START_DELAY,
    ) -> None:
        super().__init__(clock or SimClock(), seed, project_id, start_delay)
        self._populate = populate
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        """Forget everything and rebuild the fleet: the demo fleet, a generated one (`Fleet`) or
        none (`populate=False`); same seed, same fleet."""
        from dws.simulator.state.seed import populate_catalogue, populate_demo

        self._init_stores(self.seed if seed is None else seed)
        self._register_cluster_handlers()
        self._register_snapshot_handlers()
        self._register_dr_handlers()
        populate_catalogue(self)
        if callable(self._populate):
            self._populate(self)
        elif self._populate:
            populate_demo(self)

    def node_type_by_spec(self, spec: str) -> NodeType:
        """A node type by flavor name, 400 DWS.5006 if unknown."""
        for nt in self.node_types:
            if spec in (nt.spec_name, nt.id):
                return nt
        raise bad_request(f"Invalid specifications {spec}.", BAD_FLAVOR)

    def create_cluster(self, spec: dict[str, Any]) -> Cluster:
        """Create a cluster (status CREATING with action_progress, then AVAILABLE).

        `spec` uses the v1 field names: name, node_type, number_of_node, number_of_cn,
        availability_zone, port, user_name, user_pwd, vpc_id, subnet_id, security_group_id,
        tags (list of key/value), enterprise_project_id, version (optional).
        """
        self.tick()
        nodes, node_type, az, port, user, cns = self._validate_create(spec)
        now = self.now()
        cluster = Cluster(
            id=self.new_id(),
            name=str(spec["name"]),
            version=str(spec.get("version") or "8.2.1.220"),
            node_type=node_type,
            number_of_node=nodes,
            number_of_cn=cns,
            availability_zone=az,
            created=now,
            updated=now,
            vpc_id=str(spec["vpc_id"]),
            subnet_id=str(spec["subnet_id"]),
            security_group_id=str(spec.get("security_group_id") or self.new_id()),
            net_prefix=f"10.{self.rng.randint(100, 250)}",
            port=port,
            user_name=user,
            enterprise_project_id=str(spec.get("enterprise_project_id") or "0"),
            status="CREATING",
            password_set=now,
        )
        self._set_tags(cluster, list(spec.get("tags") or []))
        self.clusters[cluster.id] = cluster
        self._begin(cluster, "CREATING", "createClusterJob", "createClusterStart", delay=0.0)
        return cluster

    def _validate_create(self, spec: dict[str, Any]) -> tuple[int, NodeType, str, int, str, int]:
        nodes = int(spec["number_of_node"])
        self.check_new_cluster(str(spec["name"]), nodes)
        node_type = self.node_type_by_spec(str(spec["node_type"]))
        az = str(spec.get("availability_zone") or self.availability_zones[0])
        if az not in self.availability_zones:
            raise bad_request(f"Invalid AZ {az}.", BAD_AZ)
        port = int(spec.get("port") or 8000)
        if not 8000 <= port <= 30000:
            raise bad_request("port must be between 8000 and 30000.", "DWS.5060")
        user = str(spec["user_name"])
        if not USER_RE.match(user):
            raise bad_request("Database username contains invalid characters.", "DWS.5059")
        check_password(str(spec["user_pwd"]), user)
        cns = int(spec.get("number_of_cn") or min(3, nodes))
        if not 1 <= cns <= min(20, nodes):
            raise bad_request("Invalid number of CNs.", "DWS.5047")
        return nodes, node_type, az, port, user, cns

    # tags ------------------------------------------------------------------------------------
    def _set_tags(self, cluster: Cluster, tags: list[Any]) -> None:
        for tag in tags:
            if not isinstance(tag, dict) or not TAG_RE.match(str(tag.get("key", ""))):
                raise bad_request("The tag is invalid.", "DWS.5197")
            value = str(tag.get("value", ""))
            if len(value) > 255 or value != value.strip():
                raise bad_request("The tag is invalid.", "DWS.5197")
            cluster.tags[str(tag["key"])] = value
        if len(cluster.tags) > MAX_TAGS:
            raise bad_request("The number of tags exceeds the maximum value.", TOO_MANY_TAGS)

    def add_tags(self, cluster_id: str, tags: list[dict[str, Any]]) -> None:
        """Add or overwrite tags of a cluster (all or nothing)."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        before = dict(cluster.tags)
        try:
            self._set_tags(cluster, tags)
        except Exception:
            cluster.tags = before
            raise
        self.touch()

    def delete_tags(self, cluster_id: str, tags: list[dict[str, Any]]) -> None:
        """Delete tags by key (400 DWS.5191 if one does not exist; nothing is deleted then)."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        keys = [str(t.get("key")) for t in tags]
        missing = [k for k in keys if k not in cluster.tags]
        if missing:
            raise not_found("tag", missing[0], TAG_NOT_FOUND)
        for key in keys:
            del cluster.tags[key]
        self.touch()

    def project_tags(self) -> dict[str, list[str]]:
        """Every tag key used in the project with its distinct values."""
        self.tick()
        out: dict[str, list[str]] = {}
        for cluster in self.clusters.values():
            for key, value in cluster.tags.items():
                values = out.setdefault(key, [])
                if value not in values:
                    values.append(value)
        return out

    def describe(self) -> dict[str, Any]:
        """A summary for the control API and the CLI banner."""
        return {
            "seed": self.seed,
            "project_id": self.project_id,
            "now": self.clock.now_dt().isoformat(),
            "start_delay": self.start_delay,
            "clusters": len(self.clusters),
            "events": len(self.events),
        }

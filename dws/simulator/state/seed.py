"""The seeded fleet: node types, AZs and the demo clusters with their history, and
`Fleet.generate()` for benchmark-sized fleets.

Everything is drawn from `random.Random(seed)`, so one seed always gives the same fleet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dws.simulator.clock import SimClock
from dws.simulator.state.models import Cluster, DrTask, NodeType, Snapshot

if TYPE_CHECKING:
    from dws.simulator.state.core import SimState

DAY = 86400.0
VERSIONS = ["8.1.3.333", "8.2.0.103", "8.2.1.220", "8.1.1.300", "9.1.0.100"]
# (spec name, vcpus, ram GB, volume type, volume size GB)
NODE_TYPES = [
    ("dws.d2.xlarge", 4, 32, "SSD", 160),
    ("dws2.m6.4xlarge.8", 16, 128, "SSD", 800),
    ("dws2.m6.8xlarge.8", 32, 256, "SSD", 1600),
    ("dwsx2.h.xlarge.4.c6", 4, 16, "SSD", 100),
    ("dwsx2.h.2xlarge.4.c6", 8, 32, "SSD", 200),
]
# name, version index, node type index, nodes, status, sub_status
DEMO = [
    ("prod-dw", 2, 2, 6, "AVAILABLE", ["NORMAL"]),
    ("prod-dw-standby", 2, 2, 6, "AVAILABLE", ["NORMAL"]),
    ("analytics", 1, 1, 5, "AVAILABLE", ["READONLY"]),
    ("etl-batch", 0, 4, 4, "AVAILABLE", ["UNBALANCED"]),
    ("dev-sandbox", 3, 3, 3, "STOPPED", ["NORMAL"]),
    ("reporting", 4, 0, 3, "AVAILABLE", ["NORMAL"]),
]


def populate_catalogue(state: SimState) -> None:
    """Node types and availability zones."""
    state.availability_zones = [f"{state.region}{s}" for s in "abc"]
    state.node_types = [
        NodeType(state.new_id(), spec, cpu, ram, vtype, size)
        for spec, cpu, ram, vtype, size in NODE_TYPES
    ]


def make_cluster(
    state: SimState, name: str, version: str, node_type: NodeType, nodes: int, created: float
) -> Cluster:
    """A cluster with seeded ids and network."""
    rng = state.rng
    return Cluster(
        id=state.new_id(),
        name=name,
        version=version,
        node_type=node_type,
        number_of_node=nodes,
        number_of_cn=min(3, nodes),
        availability_zone=rng.choice(state.availability_zones),
        created=created,
        updated=created + rng.randint(0, 30) * DAY / 10,
        vpc_id=state.new_id(),
        subnet_id=state.new_id(),
        security_group_id=state.new_id(),
        net_prefix=f"10.{rng.randint(10, 99)}",
        password_set=created,
    )


def populate_demo(state: SimState) -> None:
    """About six clusters: one READONLY, one UNBALANCED, one stopped, a DR pair."""
    now, rng = state.now(), state.rng
    for name, v, nt, nodes, status, sub in DEMO:
        created = now - rng.randint(30, 400) * DAY
        cluster = make_cluster(state, name, VERSIONS[v], state.node_types[nt], nodes, created)
        cluster.status, cluster.sub_status = status, list(sub)
        cluster.tags = {
            "env": "prod" if name.startswith("prod") else "dev",
            "team": rng.choice(["data", "bi", "platform"]),
        }
        if name == "prod-dw":
            cluster.eip_id, cluster.public_ip = state.new_id(), f"100.93.{rng.randint(1, 254)}.7"
        state.clusters[cluster.id] = cluster
        _history(state, cluster)
    _demo_extras(state)


def _history(state: SimState, cluster: Cluster) -> None:
    rng, now = state.rng, state.now()
    state.emit_event("createClusterSuccess", cluster.id, cluster.name, at=cluster.created + 600)
    t = cluster.created + DAY
    for i in range(rng.randint(2, 4)):
        kind = "AUTOMATED" if i % 2 else "MANUAL"
        name = f"{cluster.name}-{'auto' if kind == 'AUTOMATED' else 'snap'}-{i + 1}"
        snap = Snapshot(
            state.new_id(),
            name,
            "" if kind == "AUTOMATED" else "seeded snapshot",
            cluster.id,
            cluster.name,
            cluster.version,
            t,
            300.0,
            round(rng.uniform(20, 900), 2),
            kind,
            "AVAILABLE",
            t + 300,
            origin=cluster,
        )
        state.add_snapshot(snap)
        state.emit_event("createBackupSuccess", snap.id, snap.name, at=t + 300)
        t += rng.randint(1, max(2, int((now - t) / DAY / 3))) * DAY
    if rng.random() < 0.7:
        state.emit_event(
            "rebootClusterSuccess", cluster.id, cluster.name, at=now - rng.randint(1, 20) * DAY
        )
    if "READONLY" in cluster.sub_status:
        state.emit_event("clusterReadonly", cluster.id, cluster.name, at=now - 3600)
    if "UNBALANCED" in cluster.sub_status:
        state.emit_event("clusterUnbalanced", cluster.id, cluster.name, at=now - 7200)
    if cluster.status == "STOPPED":
        state.emit_event("stopClusterSuccess", cluster.id, cluster.name, at=now - 2 * DAY)


def _demo_extras(state: SimState) -> None:
    by_name = {c.name: c for c in state.clusters.values()}
    now = state.now()
    primary, standby = by_name["prod-dw"], by_name["prod-dw-standby"]
    dr = DrTask(
        state.new_id(),
        "prod-dw-dr",
        "region",
        primary.id,
        standby.id,
        "running",
        now - 20 * DAY,
        now - 20 * DAY + 900,
        now - 1200,
        "30m",
    )
    state.dr_tasks[dr.id] = dr
    _demo_alarms(state, by_name)
    _demo_subscriptions(state)


def _demo_alarms(state: SimState, by_name: dict[str, Cluster]) -> None:
    now = state.now()
    state.raise_alarm(by_name["analytics"].id, "DWS_2000000008", at=now - 3600)
    state.raise_alarm(by_name["analytics"].id, "DWS_2000000002", at=now - 3500)
    old = state.raise_alarm(by_name["etl-batch"].id, "DWS_2000000001", at=now - 2 * DAY)
    state.clear_alarm(old.id)
    old.cleared = now - 2 * DAY + 1800
    state.raise_alarm(by_name["etl-batch"].id, "DWS_2000000009", at=now - 7200)


def _demo_subscriptions(state: SimState) -> None:
    topic = f"urn:smn:{state.region}:{state.project_id}:dws-ops"
    event_sub = {
        "name": "ops-events",
        "source_type": "cluster",
        "source_id": "",
        "category": "management,monitor",
        "severity": "normal,warning",
        "tag": "",
        "enable": 1,
        "notification_target": topic,
        "notification_target_name": "dws-ops",
        "notification_target_type": "SMN",
    }
    alarm_sub = {
        "name": "ops-alarms",
        "enable": 1,
        "alarm_level": "urgent,important",
        "notification_target": topic,
        "notification_target_name": "dws-ops",
        "notification_target_type": "SMN",
        "time_zone": "GMT+00:00",
    }
    state.create_subscription("event", event_sub)
    state.create_subscription("alarm", alarm_sub)


class Fleet:
    """Benchmark-sized fleets."""

    @staticmethod
    def generate(
        n_clusters: int, n_events: int = 0, *, seed: int = 0, clock: SimClock | None = None
    ) -> SimState:
        """A state with `n_clusters` clusters and `n_events` events spread over 90 days.

        `reset()` on it generates the same kind of fleet again (for the new seed).
        """
        from dws.simulator.state.core import SimState

        return SimState(
            seed=seed, clock=clock, populate=lambda st: populate_generated(st, n_clusters, n_events)
        )


EVENT_MIX = [
    "rebootClusterSuccess",
    "createBackupSuccess",
    "updateConfigurationSuccess",
    "startClusterSuccess",
    "stopClusterSuccess",
    "resetPasswordSuccess",
]


def populate_generated(state: SimState, n_clusters: int, n_events: int) -> None:
    """`n_clusters` plain clusters and `n_events` events in time order over the last 90 days."""
    rng, now = state.rng, state.now()
    clusters = []
    for i in range(n_clusters):
        created = now - rng.randint(30, 700) * DAY
        nt = state.node_types[i % len(state.node_types)]
        cluster = make_cluster(
            state, f"cluster-{i:05d}", VERSIONS[i % len(VERSIONS)], nt, 3 + i % 6, created
        )
        cluster.tags = {"env": rng.choice(["prod", "dev", "test"])}
        state.clusters[cluster.id] = cluster
        clusters.append(cluster)
    if clusters and n_events:
        step = 90 * DAY / n_events
        start = now - 90 * DAY
        for j in range(n_events):
            c = clusters[rng.randrange(len(clusters))]
            state.emit_event(EVENT_MIX[j % len(EVENT_MIX)], c.id, c.name, at=start + j * step)

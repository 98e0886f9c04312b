"""HTTP handlers of monitoring (5.14): host overview and disks, metric series, DMS metrics and
running queries.

Values are not stored: they are a deterministic function of the resource id and the simulated
time (a smooth wave per host and metric), so series are stable across requests and seeds.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

from dws.simulator.catalogue import int_query
from dws.simulator.errors import bad_request, not_found
from dws.simulator.registry import Call, Reply, handles, record_window
from dws.simulator.state import SimState
from dws.simulator.state.models import Cluster
from dws.simulator.views import node_ids

INDICATORS = {
    "cpu_usage": "percentage",
    "mem_usage": "percentage",
    "disk_usage": "percentage",
    "disk_io": "KB/s",
    "net_io": "KB/s",
    "sessions": "count",
    "queries": "count",
}
ZERO_STATS: dict[str, Any] = dict.fromkeys(
    [
        "start_time",
        "block_time",
        "estimate_total_time",
        "estimate_left_time",
        "min_peak_memory",
        "max_peak_memory",
        "average_peak_memory",
        "memory_skew_percent",
        "estimate_memory",
        "min_spill_size",
        "max_spill_size",
        "average_spill_size",
        "spill_skew_percent",
        "min_dn_time",
        "max_dn_time",
        "average_dn_time",
        "dntime_skew_percent",
        "min_cpu_time",
        "max_cpu_time",
        "total_cpu_time",
        "cpu_skew_percent",
        "average_peak_iops",
        "iops_skew_percent",
        "max_peak_iops",
        "min_peak_iops",
    ],
    0,
)
QUERY_TEXTS = [
    "SELECT count(*) FROM orders",
    "INSERT INTO sales SELECT * FROM stage",
    "VACUUM ANALYZE lineitem",
    "SELECT * FROM customer WHERE id = $1",
    "COPY events FROM STDIN",
]
METRICS = {
    "TableDirtyPageRate": (
        "CN,ANY",
        [
            ("db_name", "text"),
            ("schema_name", "text"),
            ("table_name", "text"),
            ("table_owner", "text"),
            ("table_size", "bigint"),
            ("dirty_page_rate", "double precision"),
        ],
        7200,
    ),
    "SessionStat": (
        "CN,ALL",
        [("db_name", "text"), ("user_name", "text"), ("session_count", "bigint")],
        300,
    ),
    "QueryStat": (
        "CN,ALL",
        [("db_name", "text"), ("queries", "bigint"), ("avg_duration_ms", "double precision")],
        60,
    ),
}


def wave(key: str, t: float, low: float, high: float, period: float = 3600.0) -> float:
    """A deterministic value between low and high for (key, time)."""
    phase = (zlib.crc32(key.encode()) % 1000) / 1000 * 2 * math.pi
    x = (math.sin(2 * math.pi * t / period + phase) + 1) / 2
    return round(low + (high - low) * x, 2)


def _hosts(state: SimState, call: Call) -> list[tuple[Cluster, int, str]]:
    cluster_id = call.query.get("cluster_id")
    clusters = [state.get_cluster(cluster_id)] if cluster_id else list(state.clusters.values())
    hosts = [
        (c, i, nid) for c in clusters for i, nid in enumerate(node_ids(c.id, c.number_of_node))
    ]
    name = call.query.get("instance_name")
    if name:
        hosts = [h for h in hosts if h[0].node_name(h[1]) == name]
    return hosts


@handles("list_host_overview")
def list_host_overview(state: SimState, call: Call) -> Reply:
    """5.14.1 Querying the Host Overview."""
    offset, limit = record_window(call, max_limit=2**31 - 1)
    now = state.now()
    return 200, [
        _host_row(c, i, nid, now) for c, i, nid in _hosts(state, call)[offset : offset + limit]
    ]


def _host_row(cluster: Cluster, i: int, nid: str, now: float) -> dict[str, Any]:
    """HostOverviewResponse of one node."""
    mem_total = float(cluster.node_type.ram)
    mem_pct = wave(nid + "mem", now, 20, 80)
    cpu = wave(nid + "cpu", now, 3, 85)
    disk_total = float(cluster.node_type.volume_size)
    disk_pct = 91.5 if "READONLY" in cluster.sub_status else wave(nid + "disk", now, 10, 70, 604800)
    return {
        "instance_name": cluster.node_name(i),
        "host_name": f"host-{cluster.private_ip(i)}".replace(".", "-"),
        "host_stat": "ONLINE" if cluster.status == "AVAILABLE" else "OFFLINE",
        "work_ip": cluster.private_ip(i),
        "mem_free": round(mem_total * (1 - mem_pct / 100), 2),
        "mem_total": mem_total,
        "mem_usage": mem_pct,
        "mem_cached": round(mem_total * 0.3, 2),
        "mem_buffer": 249.34,
        "swap_free": 0.0,
        "swap_total": 0.0,
        "cpu_usage": cpu,
        "cpu_usage_sys": round(cpu * 0.35, 2),
        "cpu_usage_usr": round(cpu * 0.65, 2),
        "cpu_idle": round(100 - cpu, 2),
        "cpu_iowait": wave(nid + "iow", now, 0, 3),
        "disk_usage_avg": disk_pct,
        "disk_total": disk_total,
        "disk_used": round(disk_total * disk_pct / 100, 2),
        "disk_available": round(disk_total * (1 - disk_pct / 100), 2),
        "disk_io": wave(nid + "io", now, 0, 900),
        "disk_io_read": wave(nid + "r", now, 0, 400),
        "disk_io_write": wave(nid + "w", now, 0, 500),
        "tcp_resend_rate": 0.0,
        "net_io": wave(nid + "net", now, 0, 2000),
    }


@handles("list_host_disk")
def list_host_disk(state: SimState, call: Call) -> Reply:
    """5.14.2 Querying Disk Information."""
    offset, limit = record_window(call, max_limit=2**31 - 1)
    now = state.now()
    rows = []
    wanted = call.query.get("instance_id")
    for cluster, i, nid in _hosts(state, call):
        if wanted and wanted != nid:
            continue
        for disk, kind, total in (
            ("vda", "system", 49.0),
            ("vdb", "data", float(cluster.node_type.volume_size)),
        ):
            pct = wave(nid + disk, now, 5, 70, 86400 * 7)
            rows.append(
                {
                    "instance_name": cluster.node_name(i),
                    "instance_id": nid,
                    "host_name": f"host-{cluster.private_ip(i)}".replace(".", "-"),
                    "disk_name": disk,
                    "disk_type": kind,
                    "total": total,
                    "used": round(total * pct / 100, 2),
                    "available": round(total * (1 - pct / 100), 2),
                    "used_percentage": pct,
                    "await": wave(nid + disk + "a", now, 0, 2),
                    "svctm": 0.03,
                    "util": wave(nid + disk + "u", now, 0, 40),
                    "read_rate": wave(nid + disk + "r", now, 0, 300),
                    "write_rate": wave(nid + disk + "w", now, 0, 300),
                }
            )
    return 200, rows[offset : offset + limit]


def _time_range(call: Call, *, max_span_ms: int) -> tuple[int, int]:
    start = int_query(call.query, "from", 0)
    end = int_query(call.query, "to", 0)
    if end < start:
        raise bad_request("to must not be before from.", "DWS.5038")
    if end - start > max_span_ms:
        raise bad_request("The time range is too long.", "DWS.5038")
    return start, end


@handles("list_monitor_indicator_data")
def list_monitor_indicator_data(state: SimState, call: Call) -> Reply:
    """5.14.5 Querying Historical Monitoring Data."""
    name = call.query["indicator_name"]
    if name not in INDICATORS:
        raise bad_request(f"Unknown indicator {name}.", "DWS.5037")
    cluster = state.get_cluster(call.query["dim0"])
    start, end = _time_range(call, max_span_ms=31 * 86400 * 1000)
    period = int_query(call.query, "period", 60, minimum=1) * 1000
    step = max(period, (end - start) // 1440 or period)
    low, high = (0.0, 100.0) if INDICATORS[name] == "percentage" else (0.0, 1000.0)
    points = [
        {"result": f"{wave(cluster.id + name, t / 1000, low, high):.2f}", "timestamp": t}
        for t in range(start - start % step + step, end + 1, step)
    ]
    return 200, [
        {
            "query_time": int(state.now() * 1000),
            "indicator_name": name,
            "object_id": cluster.id,
            "unit": INDICATORS[name],
            "sub_object_id": call.query.get("dim1"),
            "data_points": points,
        }
    ]


@handles("list_metrics")
def list_metrics(state: SimState, call: Call) -> Reply:
    """5.14.9 Querying the Metrics of a Cluster."""
    cluster = state.get_cluster(call.path["cluster_id"])
    offset, limit = record_window(call)
    rows = [
        {
            "scope": scope,
            "fields": [{"column_name": c, "column_type": t} for c, t in cols],
            "metric_name": name,
            "collect_rate": rate,
            "collect_range": [],
            "create_time": str(int(cluster.created * 1000)),
        }
        for name, (scope, cols, rate) in METRICS.items()
    ]
    if call.query.get("sort_by", "asc").lower() == "desc":
        rows.reverse()
    return 200, {"code": 0, "msg": "OK", "data": rows[offset : offset + limit], "count": len(rows)}


@handles("list_metrics_data")
def list_metrics_data(state: SimState, call: Call) -> Reply:
    """5.14.10 Obtaining Collected Data of a Specified Metric."""
    cluster = state.get_cluster(call.path["cluster_id"])
    name = call.path["metric_name"]
    if name not in METRICS:
        raise not_found("metric", name)
    offset, limit = record_window(call)
    start, end = _time_range(call, max_span_ms=86400 * 1000)
    _scope, cols, rate = METRICS[name]
    step = rate * 1000
    stamps = list(range(start - start % step + step, end + 1, step))
    if call.query.get("sort_by", "asc").lower() == "desc":
        stamps.reverse()
    rows = [_metric_row(cluster, name, cols, t) for t in stamps[offset : offset + limit]]
    return 200, {"code": 0, "msg": "OK", "data": rows, "count": len(stamps)}


def _metric_row(cluster: Cluster, name: str, cols: list[tuple[str, str]], t: int) -> dict[str, Any]:
    row: dict[str, Any] = {"ctime": t, "virtual_cluster_id": 0}
    for col, kind in cols:
        key = f"{cluster.id}{name}{col}"
        if kind == "text":
            row[col] = {
                "db_name": "postgres",
                "user_name": "dbadmin",
                "schema_name": "public",
                "table_name": "orders",
                "table_owner": cluster.user_name,
            }.get(col, col)
        elif kind == "bigint":
            row[col] = int(wave(key, t / 1000, 1, 50000))
        else:
            row[col] = wave(key, t / 1000, 0, 1)
    return row


@handles("list_queries")
def list_queries(state: SimState, call: Call) -> Reply:
    """5.14.7 Querying the SQL List."""
    cluster = state.get_cluster(call.path["cluster_id"])
    if call.body.get("target") != "db_queries":
        raise bad_request("target must be db_queries.", "DWS.5038")
    offset, limit = record_window(call, source=call.body)
    now = int(state.now())
    count = 3 + zlib.crc32(cluster.id.encode()) % 5 if cluster.status == "AVAILABLE" else 0
    rows = [_query(cluster, i, now) for i in range(count)]
    avg = round(sum(r["duration"] for r in rows) / len(rows), 2) if rows else 0.0
    return 200, {
        "code": 0,
        "msg": "OK",
        "count": count,
        "data": {
            "queries": rows[offset : offset + limit],
            "status": {
                "average_query_waiting_time": 0.0,
                "average_time_consumption_of_queries": avg,
                "average_time_consumption_of_sessions": avg,
                "queries_count": count,
                "session_count": count + 2,
            },
        },
    }


def _query(cluster: Cluster, i: int, now: int) -> dict[str, Any]:
    duration = int(wave(f"{cluster.id}q{i}", now, 10, 90000))
    return {
        **ZERO_STATS,
        "virtual_cluster_id": 0,
        "ctime": now * 1000,
        "pid": str(140535026615872 + i),
        "inst_name": "cn_5001",
        "waiting": False,
        "enqueue": "",
        "warning": "",
        "query": QUERY_TEXTS[i % len(QUERY_TEXTS)],
        "lane": "fast",
        "db_name": "postgres",
        "priority": None,
        "query_id": str(145522562959854219 + i),
        "query_band": "",
        "job_name": "",
        "job_inst": "",
        "user_name": cluster.user_name,
        "application_name": "gsql",
        "client_address": "",
        "client_hostname": "",
        "client_port": "",
        "duration": duration,
        "resource_pool": "default_pool",
        "control_group": "",
        "spill_info": "",
        "query_plan": None,
        "query_status": "active",
        "wlm_status": "running",
        "wlm_attrib": "ordinary",
        "system_query": False,
        "backend_start": now - 3600,
        "elapsed_time": duration // 1000,
        "curr_xact_start": now - duration // 1000,
        "state_change": now - duration // 1000,
        "query_start": now - duration // 1000,
        "query_elapsed_time": duration // 1000,
    }

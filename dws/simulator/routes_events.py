"""HTTP handlers of events, alarms and their subscriptions (5.4 and 5.8), DR (5.12) and jobs
(5.13)."""

from __future__ import annotations

import re

from dws.simulator import views, views_dr
from dws.simulator.errors import bad_request
from dws.simulator.registry import Call, Reply, handles, page_number, page_slice
from dws.simulator.state import SimState
from dws.simulator.state.alarms import ALARM_DEFINITIONS
from dws.simulator.state.events import SPECS
from dws.simulator.state.models import derived_id

_TZ = re.compile(r"^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$")


def zone_offset(text: str) -> float:
    """Hours east of UTC of a `GMT+08:00`-style zone (400 if unreadable)."""
    if text in ("GMT", "UTC", "Z"):
        return 0.0
    match = _TZ.match(text.strip())
    if not match:
        raise bad_request(f"Invalid time_zone {text!r} (expected e.g. GMT+08:00).", "DWS.5065")
    sign = -1 if match.group(1) == "-" else 1
    return sign * (int(match.group(2)) + int(match.group(3) or 0) / 60)


@handles("list_events")
def list_events(state: SimState, call: Call) -> Reply:
    """Newest first; offset is the page number. `source_id` (a simulator extension) filters
    by source through the per-source index."""
    state.tick()
    page, limit = page_number(call)
    source = call.query.get("source_id") or None
    page_items = state.events.page(page, limit, source)
    events = b",".join(views.event_bytes(state, e) for e in page_items)
    count = str(state.events.count(source)).encode()
    return 200, b'{"events":[' + events + b'],"count":' + count + b"}"


@handles("list_event_specs")
def list_event_specs(state: SimState, call: Call) -> Reply:
    """5.4.2 Querying Event Configurations."""
    page, limit = page_number(call)
    specs = list(SPECS.values())
    for field in ("category", "severity", "source_type"):
        want = call.query.get(field)
        if want:
            specs = [s for s in specs if getattr(s, field) in want.split(",")]
    name = call.query.get("spec_name")
    if name:
        specs = [s for s in specs if name.lower() in s.name.lower()]
    return 200, {
        "event_specs": [views.event_spec(s) for s in page_slice(specs, page, limit)],
        "count": len(specs),
    }


def _sub_reply(state: SimState, kind: str, call: Call) -> Reply:
    page, limit = page_number(call)
    subs = list((state.event_subs if kind == "event" else state.alarm_subs).values())
    rows = [{"id": s.id, **s.fields} for s in page_slice(subs, page, limit)]
    key = "event_subscriptions" if kind == "event" else "alarm_subscriptions"
    return 200, {key: rows, "count": len(subs)}


@handles("list_event_subs")
def list_event_subs(state: SimState, call: Call) -> Reply:
    """5.4.3 Querying Subscribed Events."""
    return _sub_reply(state, "event", call)


@handles("list_alarm_subs")
def list_alarm_subs(state: SimState, call: Call) -> Reply:
    """5.8.4 Querying the Alarm Subscription List."""
    return _sub_reply(state, "alarm", call)


@handles("create_event_sub", "create_alarm_sub")
def create_sub(state: SimState, call: Call) -> Reply:
    """5.4.4 Creating an Event Subscription; 5.8.5 Creating an Alarm Subscription Task."""
    kind = "event" if call.op == "create_event_sub" else "alarm"
    sub = state.create_subscription(kind, call.body)
    return 200, {"id": sub.id, **sub.fields}


@handles("update_event_sub", "update_alarm_sub")
def update_sub(state: SimState, call: Call) -> Reply:
    """5.4.5 Updating a Subscribed Event; 5.8.6 Updating Subscribed Alarms."""
    kind, sub_id = _sub_target(call)
    sub = state.update_subscription(kind, sub_id, call.body)
    return 200, {"id": sub.id, **sub.fields}


@handles("delete_event_sub", "delete_alarm_sub")
def delete_sub(state: SimState, call: Call) -> Reply:
    """5.4.6 Deleting a Subscribed Event; 5.8.7 Deleting an Alarm Subscription."""
    kind, sub_id = _sub_target(call)
    sub = state.delete_subscription(kind, sub_id)
    return 200, {"id": sub.id, **sub.fields}


def _sub_target(call: Call) -> tuple[str, str]:
    if "event_sub_id" in call.path:
        return "event", call.path["event_sub_id"]
    return "alarm", call.path["alarm_sub_id"]


@handles("list_alarm_configs")
def list_alarm_configs(state: SimState, call: Call) -> Reply:
    """5.8.1 Querying Alarm Configurations."""
    page, limit = page_number(call)
    rows = [
        {
            "id": derived_id("alarm-config", d),
            "alarm_id": d,
            "alarm_name": name,
            "name_space": "dws",
            "alarm_level": level,
            "is_user_visible": "1",
            "is_converge": "0",
            "converge_time": 0,
            "is_maintain_visible": "0",
        }
        for d, name, level in ALARM_DEFINITIONS
    ]
    return 200, {"alarm_configs": page_slice(rows, page, limit), "count": len(rows)}


@handles("list_alarm_detail")
def list_alarm_detail(state: SimState, call: Call) -> Reply:
    """5.8.2 Querying Alarm Details List."""
    state.tick()
    offset = zone_offset(call.query["time_zone"])
    page, limit = page_number(call)
    alarms = state.alarms_newest_first()
    return 200, {
        "alarm_details": [views.alarm(a, offset) for a in page_slice(alarms, page, limit)],
        "count": len(alarms),
    }


@handles("list_alarm_statistic")
def list_alarm_statistic(state: SimState, call: Call) -> Reply:
    """5.8.3 Querying the Alarm Statistics List."""
    rows = state.alarm_statistics(offset_hours=zone_offset(call.query["time_zone"]))
    return 200, {
        "alarm_statistics": [
            {k: (str(v) if k != "date" else v) for k, v in r.items()} for r in rows
        ]
    }


@handles("list_disaster_recover")
def list_disaster_recover(state: SimState, call: Call) -> Reply:
    """5.12.3 Querying the DR List."""
    state.tick()
    return 200, {
        "disaster_recovery": [views_dr.disaster_recovery(state, d) for d in state.dr_tasks.values()]
    }


@handles("show_disaster_detail")
def show_disaster_detail(state: SimState, call: Call) -> Reply:
    """5.12.4 Querying DR Details."""
    dr = state.get_dr(call.path["disaster_recovery_id"])
    return 200, {"disaster_recovery": views_dr.disaster_detail(state, dr)}


@handles("show_disaster_progress")
def show_disaster_progress(state: SimState, call: Call) -> Reply:
    """5.12.5 Querying DR Progress."""
    dr = state.get_dr(call.path["disaster_recovery_id"])
    return 200, {"disaster_recovery_progress": views_dr.disaster_progress(state, dr)}


def _dr_action(state: SimState, call: Call, action: str) -> Reply:
    dr = state.dr_action(call.path["disaster_recovery_id"], action)
    return 200, {"disaster_recovery": {"id": dr.id}}


@handles("switchover_disaster_recovery")
def switchover_disaster_recovery(state: SimState, call: Call) -> Reply:
    """5.12.8 Switching to the DR Cluster."""
    return _dr_action(state, call, "switchover")


@handles("switch_failover_disaster")
def switch_failover_disaster(state: SimState, call: Call) -> Reply:
    """5.12.9 Switching to the DR Cluster Upon Production Cluster Exceptions."""
    return _dr_action(state, call, "failover")


@handles("restore_disaster")
def restore_disaster(state: SimState, call: Call) -> Reply:
    """5.12.10 Performing Cluster Restoration."""
    return _dr_action(state, call, "recovery")


@handles("start_disaster_recovery")
def start_disaster_recovery(state: SimState, call: Call) -> Reply:
    """5.12.2 Enabling DR (a stopped or not started task)."""
    return _dr_action(state, call, "start")


@handles("pause_disaster_recovery")
def pause_disaster_recovery(state: SimState, call: Call) -> Reply:
    """5.12.11 Disabling DR (a running task)."""
    return _dr_action(state, call, "pause")


@handles("update_disaster_info")
def update_disaster_info(state: SimState, call: Call) -> Reply:
    """5.12.7 Updating DR Configurations (a not started or stopped task)."""
    req = call.body.get("disaster_recovery") or {}
    period = req.get("dr_sync_period")
    dr = state.update_dr(call.path["disaster_recovery_id"], None if period is None else str(period))
    return 200, {"disaster_recovery": {"id": dr.id}}


@handles("delete_disaster_recovery")
def delete_disaster_recovery(state: SimState, call: Call) -> Reply:
    """5.12.13 Deleting a DR Task (stopped, abnormal or never started)."""
    state.delete_dr(call.path["disaster_recovery_id"])
    return 200, {}


@handles("list_job_details")
def list_job_details(state: SimState, call: Call) -> Reply:
    """5.13.1 Querying the Job Progress."""
    state.tick()
    return 200, views.job(state, state.get_job(call.path["job_id"]))

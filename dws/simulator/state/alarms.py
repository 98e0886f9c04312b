"""Alarms (raised by faults, cleared later), alarm definitions, and event/alarm subscriptions."""

from __future__ import annotations

from typing import Any

from dws.simulator.errors import bad_request, not_found
from dws.simulator.state.base import spaced
from dws.simulator.state.dr import DrOps
from dws.simulator.state.models import Alarm, Subscription

# (definition id, name, level)
ALARM_DEFINITIONS: list[tuple[str, str, str]] = [
    ("DWS_2000000001", "Node CPU usage exceeds the threshold", "important"),
    ("DWS_2000000002", "Node data disk usage exceeds the threshold", "urgent"),
    ("DWS_2000000003", "Cluster status is abnormal", "urgent"),
    ("DWS_2000000006", "Node memory usage exceeds the threshold", "important"),
    ("DWS_2000000008", "Cluster is read-only", "urgent"),
    ("DWS_2000000009", "Cluster is unbalanced", "minor"),
    ("DWS_2000000018", "Queue congestion in the default resource pool", "minor"),
    ("DWS_2000000021", "File handle usage exceeds the threshold", "prompt"),
]
LEVELS = ("urgent", "important", "minor", "prompt")
SUB_FIELDS_EVENT = (
    "name",
    "source_type",
    "source_id",
    "category",
    "severity",
    "tag",
    "enable",
    "notification_target",
    "notification_target_name",
    "notification_target_type",
    "time_zone",
)
SUB_FIELDS_ALARM = (
    "name",
    "enable",
    "alarm_level",
    "notification_target",
    "notification_target_name",
    "notification_target_type",
    "time_zone",
)


class AlarmOps(DrOps):
    """Alarms and subscriptions."""

    def raise_alarm(
        self,
        cluster_id: str,
        definition_id: str = "DWS_2000000003",
        message: str | None = None,
        level: str | None = None,
        at: float | None = None,
    ) -> Alarm:
        """Raise an alarm on a cluster (status "0", not cleared); returns it with its id."""
        cluster = self.get_cluster(cluster_id)
        definition = next((d for d in ALARM_DEFINITIONS if d[0] == definition_id), None)
        if definition is None:
            raise bad_request(f"Unknown alarm definition {definition_id}.", "DWS.5037")
        if level is not None and level not in LEVELS:
            raise bad_request(f"Alarm level must be one of {', '.join(LEVELS)}.", "DWS.5038")
        text = (
            message
            or f"{definition[1]}. CloudService=DWS, resourceId: {cluster.id}, "
            f"resourceIdName: {cluster.name}"
        )
        alarm = Alarm(
            self.new_id(),
            definition[0],
            definition[1],
            level or definition[2],
            cluster.id,
            cluster.name,
            self.now() if at is None else at,
            text,
        )
        self.alarms[alarm.id] = alarm
        self.touch()
        return alarm

    def clear_alarm(self, alarm_id: str) -> Alarm:
        """Clear a raised alarm (status "1")."""
        alarm = self.alarms.get(alarm_id)
        if alarm is None:
            raise not_found("alarm", alarm_id)
        if alarm.status == "0":
            alarm.status, alarm.cleared = "1", self.now()
            self.touch()
        return alarm

    def alarms_newest_first(self) -> list[Alarm]:
        """Every alarm, newest first."""
        return sorted(self.alarms.values(), key=lambda a: a.raised, reverse=True)

    def alarm_statistics(self, days: int = 7, offset_hours: float = 0.0) -> list[dict[str, Any]]:
        """Alarms raised per day and level over the last `days` days (oldest first), with days
        counted in the zone `offset_hours` east of UTC."""
        shift = offset_hours * 3600
        now = self.now() + shift
        dates = [spaced(now - 86400 * i)[:10] for i in range(days - 1, -1, -1)]
        counts = {d: dict.fromkeys(LEVELS, 0) for d in dates}
        for alarm in self.alarms.values():
            day = spaced(alarm.raised + shift)[:10]
            if day in counts:
                counts[day][alarm.level] += 1
        return [{"date": d, **counts[d]} for d in dates]

    # subscriptions ---------------------------------------------------------------------------
    def _subs(self, kind: str) -> dict[str, Subscription]:
        return self.event_subs if kind == "event" else self.alarm_subs

    def create_subscription(self, kind: str, body: dict[str, Any]) -> Subscription:
        """Create an event or alarm subscription from a validated body."""
        self._check_sub(kind, body)
        fields = self._sub_fields(kind, body, {})
        sub = Subscription(self.new_id(), kind, fields)
        self._subs(kind)[sub.id] = sub
        return sub

    def update_subscription(self, kind: str, sub_id: str, body: dict[str, Any]) -> Subscription:
        """Replace the fields of a subscription."""
        sub = self.get_subscription(kind, sub_id)
        self._check_sub(kind, body)
        sub.fields = self._sub_fields(kind, body, sub.fields)
        return sub

    def delete_subscription(self, kind: str, sub_id: str) -> Subscription:
        """Delete a subscription; returns it as it was."""
        sub = self.get_subscription(kind, sub_id)
        del self._subs(kind)[sub_id]
        return sub

    def get_subscription(self, kind: str, sub_id: str) -> Subscription:
        """A subscription by id, 404 if unknown."""
        sub = self._subs(kind).get(sub_id)
        if sub is None:
            raise not_found(f"{kind} subscription", sub_id)
        return sub

    def _check_sub(self, kind: str, body: dict[str, Any]) -> None:
        if body.get("notification_target_type") != "SMN":
            raise bad_request("notification_target_type must be SMN.", "DWS.5038")
        if body.get("enable", 1) not in (0, 1):
            raise bad_request("enable must be 0 or 1.", "DWS.5038")
        levels = str(body.get("alarm_level") or "")
        if kind == "alarm" and levels and not set(levels.split(",")) <= set(LEVELS):
            raise bad_request("Invalid alarm_level.", "DWS.5038")

    def _sub_fields(self, kind: str, body: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        names = SUB_FIELDS_EVENT if kind == "event" else SUB_FIELDS_ALARM
        fields = {n: body.get(n, old.get(n, "")) for n in names}
        fields["enable"] = int(body.get("enable", old.get("enable", 1)))
        fields["time_zone"] = body.get("time_zone") or old.get("time_zone") or "GMT+08:00"
        fields.update(
            project_id=self.project_id, name_space="dws", language=old.get("language", "en-us")
        )
        return fields

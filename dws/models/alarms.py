"""Alarms: alarm configurations (5.8.1), alarm details (5.8.2), alarm statistics (5.8.3)
and alarm subscriptions (5.8.4).

Alarm levels are words (``urgent`` ... ``prompt``) in configurations and subscriptions;
the 5.8.2 example shows a digit (``"1"``) in ``alarm_level``, so both are kept as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import Field

from dws.models.base import DwsModel, LenientInt, ListOrEmpty, parse_time
from dws.models.events import NotificationSubscription

__all__ = [
    "AlarmConfig",
    "AlarmDetail",
    "AlarmLevel",
    "AlarmStatistic",
    "AlarmSubscription",
    "AlarmSubscriptionDetail",
    "ListAlarmConfigsResponse",
    "ListAlarmDetailResponse",
    "ListAlarmStatisticResponse",
    "ListAlarmSubsResponse",
]


class AlarmLevel:
    """Known alarm severities, most severe first."""

    URGENT: Final = "urgent"
    IMPORTANT: Final = "important"
    MINOR: Final = "minor"
    PROMPT: Final = "prompt"
    ALL: Final = (URGENT, IMPORTANT, MINOR, PROMPT)


class AlarmConfig(DwsModel):
    """An alarm configuration (caption ``AlarmConfigResponse``)."""

    id: str
    """Alarm configuration ID."""
    alarm_id: str | None = None
    """Alarm ID, e.g. ``DWS_2000000021_1``."""
    alarm_name: str | None = None
    """Alarm name."""
    name_space: str | None = None
    """Service."""
    alarm_level: str | None = None
    """Alarm severity; see ``AlarmLevel``."""
    is_user_visible: str | None = None
    """Whether users see it (``"1"``/``"0"``)."""
    is_converge: str | None = None
    """Whether it covers the prior alarm (``"1"``/``"0"``)."""
    converge_time: LenientInt = None
    """Coverage time."""
    is_maintain_visible: str | None = None
    """Whether O&M sees it (``"1"``/``"0"``)."""


class ListAlarmConfigsResponse(DwsModel):
    """Answer of 5.8.1 Querying Alarm Configurations."""

    count: LenientInt = None
    """Total number of alarm configurations."""
    alarm_configs: ListOrEmpty[AlarmConfig] = Field(default_factory=list)
    """The alarm configurations."""


class AlarmDetail(DwsModel):
    """One alarm (caption ``AlarmDetailResponse``)."""

    alarm_id: str | None = None
    """Alarm definition ID, e.g. ``DWS_01010``."""
    alarm_name: str | None = None
    """Alarm name."""
    alarm_level: str | None = None
    """Alarm severity; see ``AlarmLevel``."""
    alarm_source: str | None = None
    """Alarm service, e.g. ``DWS``."""
    alarm_message: str | None = None
    """Alarm message."""
    alarm_location: str | None = None
    """Alarm location (cluster id, name, type ... as text)."""
    resource_id: str | None = None
    """ID of the alarm source (e.g. the cluster ID)."""
    resource_id_name: str | None = None
    """Name of the alarm source."""
    alarm_generate_date: str | None = None
    """Alarm date, e.g. ``2022-10-27 08:11:29``; see :attr:`generated_at`."""
    alarm_status: str | None = None
    """Alarm status, e.g. ``"0"``."""

    @property
    def generated_at(self) -> datetime | None:
        """``alarm_generate_date`` as an aware UTC datetime."""
        return parse_time(self.alarm_generate_date)


class ListAlarmDetailResponse(DwsModel):
    """Answer of 5.8.2 Querying Alarm Details List."""

    count: LenientInt = None
    """Total number of alarms."""
    alarm_details: ListOrEmpty[AlarmDetail] = Field(default_factory=list)
    """The alarms."""


class AlarmStatistic(DwsModel):
    """Alarm counts of one day by severity (caption ``AlarmStatisticResponse``).

    The counts are text in the reference and the SDK (the example has numbers);
    :attr:`counts` gives them as integers.
    """

    date: str | None = None
    """Date, ``YYYY-MM-DD``."""
    urgent: str | None = None
    """Number of urgent alarms."""
    important: str | None = None
    """Number of important alarms."""
    minor: str | None = None
    """Number of minor alarms."""
    prompt: str | None = None
    """Number of prompt alarms."""

    @property
    def counts(self) -> dict[str, int]:
        """``{level: count}`` for the four levels; unreadable counts are 0."""
        result: dict[str, int] = {}
        for level in AlarmLevel.ALL:
            text = getattr(self, level) or "0"
            result[level] = int(text) if text.strip().isdigit() else 0
        return result


class ListAlarmStatisticResponse(DwsModel):
    """Answer of 5.8.3 Querying the Alarm Statistics List."""

    alarm_statistics: ListOrEmpty[AlarmStatistic] = Field(default_factory=list)
    """Counts per day."""


class AlarmSubscriptionDetail(DwsModel):
    """An alarm covered by a subscription (SDK ``AlarmSubDetailResopnse``)."""

    id: str | None = None
    """Alarm configuration ID."""
    alarm_id: str | None = None
    """Alarm ID."""
    alarm_name: str | None = None
    """Alarm name."""
    name_space: str | None = None
    """Service."""
    alarm_level: str | None = None
    """Alarm severity."""


class AlarmSubscription(NotificationSubscription):
    """An alarm subscription (caption ``AlarmSubscriptionResponse``)."""

    id: str
    """Subscription ID."""
    name: str | None = None
    """Subscription name."""
    alarm_level: str | None = None
    """Subscribed severities, comma-separated, e.g. ``urgent,important``."""
    cluster_id: str | None = None
    """Cluster ID (SDK)."""
    alarm_details: ListOrEmpty[AlarmSubscriptionDetail] = Field(default_factory=list)
    """Alarms covered (SDK)."""

    @property
    def levels(self) -> list[str]:
        """``alarm_level`` split into its severities."""
        return [part.strip() for part in (self.alarm_level or "").split(",") if part.strip()]


class ListAlarmSubsResponse(DwsModel):
    """Answer of 5.8.4 Querying the Alarm Subscription List."""

    count: LenientInt = None
    """Total number of alarm subscriptions."""
    alarm_subscriptions: ListOrEmpty[AlarmSubscription] = Field(default_factory=list)
    """The subscriptions."""

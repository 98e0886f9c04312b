"""Change-freeze windows: a fixed from/until period or a cron-like recurring one, in a timezone.

A cron-like window is five fields ``minute hour day-of-month month day-of-week`` (``*``, ``a-b``,
``a,b``, ``*/n``, ``a-b/n``; months ``jan``..``dec``, weekdays ``sun``..``sat`` or 0-7 with 0 and
7 both Sunday). The window covers every minute that matches *all five* fields, so
``"* 18-23 * * fri"`` is Friday from 18:00 to midnight and ``"* * * * sat,sun"`` the weekend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


class CronError(ValueError):
    """A cron-like expression could not be read."""


def _value(text: str, field: int) -> int:
    low = text.lower()
    if field == 3 and low in _MONTHS:
        return _MONTHS.index(low) + 1
    if field == 4 and low in _DAYS:
        return _DAYS.index(low)
    if not (low.isascii() and low.isdigit()):
        raise CronError(f"{text!r} is not a number or a name")
    value = int(low)
    lo, hi = _RANGES[field]
    if not lo <= value <= hi:
        raise CronError(f"{value} is outside {lo}-{hi}")
    return value


def _field(text: str, field: int) -> frozenset[int]:
    lo, hi = _RANGES[field]
    values: set[int] = set()
    for part in text.split(","):
        rng, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not (step_text.isascii() and step_text.isdigit()) or int(step_text) == 0:
                raise CronError(f"bad step {step_text!r}")
            step = int(step_text)
        if rng == "*":
            start, end = lo, hi
        elif "-" in rng:
            a, _, b = rng.partition("-")
            start, end = _value(a, field), _value(b, field)
            if start > end:
                raise CronError(f"range {rng!r} runs backwards")
        else:
            start = _value(rng, field)
            end = hi if step_text else start
        values.update(range(start, end + 1, step))
    if field == 4 and 7 in values:
        values.add(0)
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Cron:
    """A parsed cron-like expression; ``matches(t)`` is true for every minute it covers."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    @classmethod
    def parse(cls, text: str) -> Cron:
        """Parse five whitespace-separated fields; raises `CronError` with the reason."""
        parts = text.split()
        if len(parts) != 5:
            raise CronError("a cron expression has five fields: minute hour day month weekday")
        return cls(*(_field(p, i) for i, p in enumerate(parts)))

    def matches(self, t: datetime) -> bool:
        """True when ``t`` (already in the window's timezone) falls in a covered minute."""
        weekday = (t.weekday() + 1) % 7  # Python: Monday=0; cron: Sunday=0
        return (
            t.minute in self.minutes
            and t.hour in self.hours
            and t.day in self.days
            and t.month in self.months
            and weekday in self.weekdays
        )

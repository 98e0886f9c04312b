"""Durations and moments typed by people (`--since 2h`, a policy's `ttl: 30m`): one grammar.

A duration is a whole number and a unit: ``90s``, ``30m``, ``2h``, ``7d``, ``1w`` (case does not
matter), or a bare whole number of seconds (``90``; a YAML integer is the same). It must be
positive and at most `MAX_DURATION`; anything else (``0``, ``-5``, ``inf``, ``true``,
``999999d``) is a ``ValueError`` whose message is one line.

A moment (`parse_since`) is a duration ago, or an ISO 8601 time read by `dws.models.parse_time`,
the one time parser: a time without a zone is UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dws.clock import utcnow
from dws.models import parse_time

MAX_DURATION = timedelta(days=3660)
"""The longest duration accepted anywhere (about ten years)."""

GRAMMAR = "a whole number and s, m, h, d or w (e.g. 30m, 2h, 7d)"

_DURATION = re.compile(r"([0-9]+)\s*([smhdw]?)", re.IGNORECASE | re.ASCII)
_NUMBER_LIKE = re.compile(r"[+-]?[0-9.]+\s*[a-z]*", re.IGNORECASE | re.ASCII)
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_DIGITS = 18


def parse_duration(value: object, *, maximum: timedelta = MAX_DURATION) -> timedelta:
    """``"2h"``, ``"1w"``, ``"90"`` or ``90`` → a timedelta in (0, maximum]; else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{_show(value)} is not a duration; use {GRAMMAR}")
    if isinstance(value, int):
        seconds = value
    else:
        match = _DURATION.fullmatch(value.strip())
        if match is None:
            raise ValueError(f"{_show(value)} is not a duration; use {GRAMMAR}")
        digits = match.group(1).lstrip("0") or "0"
        if len(digits) > _MAX_DIGITS:
            raise ValueError(f"{_show(value)} is longer than the maximum, {_days(maximum)}")
        seconds = int(digits) * _SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise ValueError(f"{_show(value)} is not a positive duration; use {GRAMMAR}")
    if seconds > maximum.total_seconds():
        raise ValueError(f"{_show(value)} is longer than the maximum, {_days(maximum)}")
    return timedelta(seconds=seconds)


def parse_since(
    text: str, *, now: datetime | None = None, maximum: timedelta = MAX_DURATION
) -> datetime:
    """``2h`` → that long before ``now``; an ISO time (UTC without a zone) → that time, in UTC.

    Raises ValueError (one line) for anything else, a duration out of bounds, or a time before
    year 1.
    """
    stripped = text.strip()
    if _NUMBER_LIKE.fullmatch(stripped):
        return (now or utcnow()) - parse_duration(stripped, maximum=maximum)
    moment = parse_time(stripped)
    if moment is None:
        raise ValueError(
            f"{_show(text)} is neither a duration ({GRAMMAR}) nor an ISO time "
            "like 2026-01-31T12:00 (UTC unless a zone is given)"
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{_show(text)} is before year 1") from None


def _days(span: timedelta) -> str:
    return f"{span.days}d"


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 32 else text[:31] + "…"


__all__ = ["GRAMMAR", "MAX_DURATION", "parse_duration", "parse_since"]

"""The simulated clock every lifecycle of the simulator is computed from.

Simulated time runs `speed` times as fast as real time (speed 0 freezes it) and can be moved
forward with `advance()` or jumped with `set()`. Nothing runs in the background: the state
computes progress from the clock when it is read, so moving the clock moves everything at once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime

# Simulated time stays before this instant, so every time the simulator renders (a due time
# plus a task's duration, an ISO string) is a valid datetime.
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
MAX_SPEED = 1_000_000.0


def _check_speed(speed: float) -> None:
    if not math.isfinite(speed) or speed < 0:
        raise ValueError("speed must be a finite number >= 0")
    if speed > MAX_SPEED:
        raise ValueError(f"speed must be <= {MAX_SPEED:g}")


class SimClock:
    """A clock whose time is `start + (real elapsed) * speed + offset`, in epoch seconds."""

    def __init__(
        self,
        start: datetime | None = None,
        *,
        speed: float = 1.0,
        real: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_speed(speed)
        begin = start if start is not None else datetime.now(UTC)
        if begin.tzinfo is None:
            begin = begin.replace(tzinfo=UTC)
        self._real = real
        self._base = begin.timestamp()
        self._real0 = real()
        self._speed = speed
        self._offset = 0.0

    @property
    def speed(self) -> float:
        """How many simulated seconds pass per real second."""
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        _check_speed(value)
        now = self.now()
        self._base, self._real0, self._offset, self._speed = now, self._real(), 0.0, value

    def now(self) -> float:
        """The simulated time in epoch seconds."""
        return self._base + (self._real() - self._real0) * self._speed + self._offset

    def now_dt(self) -> datetime:
        """The simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    def advance(self, seconds: float) -> float:
        """Move the clock forward by `seconds` (not backwards) and return the new time."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("the clock only advances forward, by a finite number of seconds")
        if self.now() + seconds >= LATEST.timestamp():
            raise ValueError(f"the clock cannot go beyond {LATEST.date().isoformat()}")
        self._offset += seconds
        return self.now()

    def set(self, when: datetime) -> float:
        """Jump to `when` (naive datetimes are UTC) and return the new time."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if when >= LATEST:
            raise ValueError(f"the clock cannot go beyond {LATEST.date().isoformat()}")
        self._offset += when.timestamp() - self.now()
        return self.now()

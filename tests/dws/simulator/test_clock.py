"""The simulated clock: speed, advance, set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dws.simulator.clock import SimClock

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeReal:
    """A controllable real-time source (the clock's only dependency)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_speed_scales_real_time() -> None:
    real = FakeReal()
    clock = SimClock(START, speed=10, real=real)
    real.t += 3
    assert clock.now() == START.timestamp() + 30


def test_frozen_clock_moves_only_when_advanced() -> None:
    real = FakeReal()
    clock = SimClock(START, speed=0, real=real)
    real.t += 100
    assert clock.now() == START.timestamp()
    assert clock.advance(90) == START.timestamp() + 90
    assert clock.now_dt() == datetime(2026, 3, 1, 12, 1, 30, tzinfo=UTC)


def test_set_and_change_speed_keep_time_continuous() -> None:
    real = FakeReal()
    clock = SimClock(START, speed=1, real=real)
    clock.set(datetime(2026, 6, 1))  # naive is UTC
    assert clock.now_dt() == datetime(2026, 6, 1, tzinfo=UTC)
    real.t += 10
    clock.speed = 60
    before = clock.now()
    real.t += 1
    assert clock.now() == before + 60


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError):
        SimClock(START, speed=-1)
    with pytest.raises(ValueError):
        SimClock(START).advance(-5)

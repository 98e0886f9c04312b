"""A clock and a sleep the test moves, so rate-limited code runs without real waiting.

    time = VirtualTime()
    editor = Editor(db, "T1", clock=time.clock, sleep=time.sleep)
    await time.run_until(lambda: len(sent) == 60)   # jumps to each sleeper's end in turn

Sleepers wake only when time is moved past their end (`advance`, `run_until`), never by
themselves; `sleeping` says how many wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


class VirtualTime:
    """Virtual UTC time starting at ``start``; `sleep` waits until it has passed."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def clock(self) -> datetime:
        return self.now

    @property
    def sleeping(self) -> int:
        return len(self._sleepers)

    async def sleep(self, seconds: float) -> None:
        entry = (self.now + timedelta(seconds=seconds), asyncio.get_running_loop().create_future())
        self._sleepers.append(entry)
        try:
            await entry[1]
        finally:
            self._sleepers.remove(entry)

    def advance(self, seconds: float) -> None:
        self._move(self.now + timedelta(seconds=seconds))

    def _move(self, to: datetime) -> None:
        self.now = max(self.now, to)
        for end, future in self._sleepers:
            if end <= self.now and not future.done():
                future.set_result(None)

    async def run_until(self, condition: Callable[[], bool], *, timeout: float = 20.0) -> None:
        """Let time pass, to the earliest sleeper's end each time, until ``condition()``."""
        async with asyncio.timeout(timeout):
            while not condition():
                if self._sleepers:
                    self._move(min(end for end, _ in self._sleepers))
                await asyncio.sleep(0.001)

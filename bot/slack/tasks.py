"""The adapter's own task set: the work that runs after an ack.

Bolt does not keep the tasks it starts for listeners (nothing awaits them at shutdown), so every
listener acks, then hands its work here. `drain` waits for what is running at shutdown and
cancels what outlives the grace period; anything that must survive a crash is a database row,
never a task.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("dwsbot.slack")


class TaskSet:
    """Strong references to running work, awaited on shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``work`` in the background; its failure is logged (class only), never lost."""
        if self._closed:
            work.close()
            raise RuntimeError("shutting down: no new work is accepted")
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("%s failed: %s", task.get_name(), type(exc).__name__, exc_info=exc)

    async def drain(self, timeout: float) -> int:
        """Refuse new work, wait up to ``timeout`` s for the running work, cancel the rest.

        Returns how many tasks had to be cancelled."""
        self._closed = True
        if not self._tasks:
            return 0
        _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
            log.warning("shutdown: %d task(s) cancelled after %.0f s", len(pending), timeout)
        return len(pending)

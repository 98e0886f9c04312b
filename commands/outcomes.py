"""Outcome records that could not be written yet: retried in the background, never dropped.

After a DWS call the outcome must reach the audit log. When the database refuses the write
(gone, restarting, a lost connection), `PendingOutcomes.write` logs it and keeps retrying in a
background task with a growing pause until it lands. Nothing is lost if the process stops
first: the intent (``executing``) is already stored, so the sweeper settles the approval from
DWS's state at the next start; `aclose` logs every record it leaves to the sweeper.

    landed = await outcomes.write("restart of prod-dw", record)   # False: retrying in background
    await outcomes.wait()                                          # tests: until all landed
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("dwsbot.commands")

Record = Callable[[], Awaitable[None]]
"""Writes one outcome (its own unit of work); raises when the database refuses it."""


class PendingOutcomes:
    """Outcome writes of this process; a failed one is retried until it lands."""

    def __init__(self, *, first_pause: float = 1.0, max_pause: float = 30.0) -> None:
        self.first_pause = first_pause
        self.max_pause = max_pause
        self._tasks: dict[asyncio.Task[None], str] = {}

    @property
    def waiting(self) -> list[str]:
        """What is still waiting to be recorded."""
        return sorted(self._tasks.values())

    async def write(self, what: str, record: Record) -> bool:
        """Write now; on failure keep retrying in the background. True if written now."""
        try:
            await record()
            return True
        except Exception as exc:
            log.error(
                "could not record the outcome of %s (%s); retrying in the background",
                what,
                type(exc).__name__,
            )
        task = asyncio.get_running_loop().create_task(self._retry(what, record))
        self._tasks[task] = what
        task.add_done_callback(self._tasks.pop)
        return False

    async def _retry(self, what: str, record: Record) -> None:
        pause = self.first_pause
        attempts = 1
        while True:
            await asyncio.sleep(pause)
            attempts += 1
            try:
                await record()
            except Exception as exc:
                pause = min(self.max_pause, pause * 2)
                log.warning(
                    "outcome of %s still not recorded after %d attempts (%s)",
                    what,
                    attempts,
                    type(exc).__name__,
                )
                continue
            log.info("outcome of %s recorded after %d attempts", what, attempts)
            return

    async def wait(self) -> None:
        """Until every pending write has landed."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Stop retrying; each record left is logged (the sweeper settles it at next start)."""
        for task, what in list(self._tasks.items()):
            log.critical(
                "stopping with the outcome of %s unrecorded; its intent is stored and the "
                "sweeper settles it from DWS at the next start",
                what,
            )
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

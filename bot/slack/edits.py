"""Every chat.update of the bot goes through one `Editor`: newest state wins, one shared budget.

    editor = Editor(db, team="T0123")
    await editor.submit("C1:1733.0001", send)    # send: an async callable doing chat.update
    await editor.pause_for(30)                   # Slack answered 429 (done by the editor itself)
    left = await editor.flush(timeout=10)        # at shutdown: what could not be sent in time
    await editor.aclose()

chat.update is Tier 3 (about 50 a minute) for every message an app edits in a workspace, so
live progress cards share one budget: the token bucket ``slack:chat.update:<team>`` in the
database (`commands.store.budgets`), which every replica takes from. Per message key (channel
and ts) only the newest waiting state is kept: a newer submission replaces the older one, which
is never sent. A key's sends never overlap and go out in submission order; different keys' sends
may run side by side. Keys wait in the order they first became pending, so a card that changes
all the time does not starve the others, and the last state of every key is always sent.

One worker task takes a token before each send; when the budget says wait (empty, or paused
after a 429), that one worker sleeps that long: no task per key polls the database. A send that
raises is logged by its class only (never the message or a token) and that state is dropped (a
newer one follows or not). A `SlackApiError` with HTTP 429 pauses the budget for Retry-After
(`pause_for`, obeyed by every replica) and the same newest state is sent again afterwards.
The clock and the sleep are injected, so tests move time themselves.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from commands.store import Database, StoreError
from dws.clock import utcnow

log = logging.getLogger("dwsbot.slack")

Send = Callable[[], Awaitable[None]]
"""One message state's chat.update call."""
Sleep = Callable[[float], Awaitable[None]]

RATE_PER_MINUTE = 40.0
"""Edits a minute, below Tier 3's ~50 so that posts, retries and clock skew leave room."""
BURST = 10
"""Edits at once after a quiet spell: burst + a minute's refill stays within ~50 a minute."""
MAX_PAUSE_S = 600.0
"""The longest pause a Retry-After may impose (a wild header must not stop edits for days)."""
DEFAULT_RETRY_AFTER_S = 1.0
"""The pause of a 429 without a usable Retry-After."""
BUDGET_RETRY_S = 1.0
"""How long the worker waits when the budget cannot be read (database unavailable)."""


class Editor:
    """The workspace's one way to edit messages: debounced per key, within the shared budget."""

    def __init__(
        self,
        db: Database,
        team: str,
        *,
        rate_per_minute: float = RATE_PER_MINUTE,
        burst: int = BURST,
        clock: Callable[[], datetime] = utcnow,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not rate_per_minute > 0 or burst < 1:
            raise ValueError("the edit budget needs a positive rate and a burst of at least 1")
        self.db = db
        self.budget = f"slack:chat.update:{team}"
        self.rate_per_minute = rate_per_minute
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._pending: dict[str, Send] = {}  # the newest waiting state per key, oldest key first
        self._busy: set[str] = set()  # keys whose send is running
        self._sends: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """How many message states wait or are being sent."""
        return len(self._pending) + len(self._busy)

    async def submit(self, key: str, send: Send) -> None:
        """Have ``send`` (the newest state of message ``key``) run once the budget allows; it
        replaces a state of ``key`` still waiting. Returns at once."""
        if self._closed:
            raise RuntimeError("the editor is closed")
        self._pending[key] = send
        self._idle.clear()
        self._wake.set()
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run(), name="slack-edits")

    async def pause_for(self, seconds: float) -> None:
        """Stop this workspace's edits on every replica for ``seconds`` (a 429's Retry-After,
        kept between 1 s and `MAX_PAUSE_S`)."""
        seconds = min(max(seconds, 1.0), MAX_PAUSE_S) if math.isfinite(seconds) else MAX_PAUSE_S
        async with self.db.unit_of_work() as uow:
            await uow.budgets.pause(self.budget, self._clock() + timedelta(seconds=seconds))
        log.warning("Slack rate-limited chat.update: edits paused for %.0f s", seconds)

    async def flush(self, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for every pending state to be sent; how many were
        left (logged)."""
        try:
            async with asyncio.timeout(timeout):
                await self._idle.wait()
        except TimeoutError:
            log.warning("%d message edit(s) not sent within %.0f s", self.pending, timeout)
        return self.pending

    async def aclose(self) -> None:
        """Stop: the states not sent yet are dropped (flush first), running sends cancelled."""
        self._closed = True
        tasks = [*self._sends, *([self._worker] if self._worker else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._pending:
            log.warning("%d message edit(s) dropped at shutdown", len(self._pending))
        self._pending.clear()
        self._idle.set()

    async def _run(self) -> None:
        """The worker: one token per send; one sleep when the budget says wait."""
        while True:
            if self._next() is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            wait = await self._take()
            if wait > 0:
                await self._sleep(wait)
                continue
            key = self._next()  # sends may have finished meanwhile: the oldest free key goes
            if key is not None:
                self._start(key)

    def _next(self) -> str | None:
        """The oldest pending key whose previous state is not being sent."""
        return next((key for key in self._pending if key not in self._busy), None)

    async def _take(self) -> float:
        try:
            async with self.db.unit_of_work() as uow:
                return await uow.budgets.take(
                    self.budget,
                    rate_per_minute=self.rate_per_minute,
                    burst=self.burst,
                    now=self._clock(),
                )
        except Exception as exc:  # the worker outlives a database outage
            reason = str(exc) if isinstance(exc, StoreError) else type(exc).__name__
            log.warning("edit budget unreadable (%s); retrying in %.0f s", reason, BUDGET_RETRY_S)
            return BUDGET_RETRY_S

    def _start(self, key: str) -> None:
        send = self._pending.pop(key)
        self._busy.add(key)
        task = asyncio.get_running_loop().create_task(self._send(key, send), name="slack-edit")
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _send(self, key: str, send: Send) -> None:
        try:
            await send()
        except SlackApiError as exc:
            status = getattr(exc.response, "status_code", None)
            if status == 429:
                self._pending.setdefault(key, send)  # again, unless a newer state came
                await self._pause_quietly(retry_after(getattr(exc.response, "headers", {})))
            else:
                log.warning("chat.update failed (SlackApiError, HTTP %s); state dropped", status)
        except Exception as exc:
            log.warning("chat.update failed (%s); state dropped", type(exc).__name__)
        finally:
            self._busy.discard(key)
            self._wake.set()
            if not self._pending and not self._busy:
                self._idle.set()

    async def _pause_quietly(self, seconds: float) -> None:
        try:
            await self.pause_for(seconds)
        except Exception as exc:  # the retry still waits for a token
            log.warning("edit pause not recorded (%s)", type(exc).__name__)


def retry_after(headers: Mapping[str, Any]) -> float:
    """The seconds of a ``Retry-After`` header (any case), else `DEFAULT_RETRY_AFTER_S`."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                seconds = float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                break
            if math.isfinite(seconds) and seconds > 0:
                return seconds
            break
    return DEFAULT_RETRY_AFTER_S

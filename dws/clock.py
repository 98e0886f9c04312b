"""The one ``utcnow``: the current time, timezone-aware UTC.

It lives at the bottom layer so that the client, the store (`commands.store.models` re-exports
it) and the command layer share it; the simulator's own clock is `dws.simulator.SimClock`.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


__all__ = ["utcnow"]

"""Fixtures of the simulator tests: the demo fleet on a frozen clock, and the core app over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from dws.simulator.app import create_app
from dws.simulator.state import SimState
from tests.dws.simulator.support import frozen_state


@pytest.fixture
def state() -> SimState:
    """The demo fleet on a clock that only moves when told."""
    return frozen_state()


@pytest.fixture
async def client(state: SimState) -> AsyncIterator[httpx.AsyncClient]:
    """The core app (no auth) serving ``state``, in process."""
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c

"""A stateful fake of the GaussDB(DWS) service, written from the API reference.

`create_app()` (dws.simulator.app) is the ASGI app; `SimState` holds the fleet and its
lifecycles on a `SimClock`; `defaults` has the project id and demo credentials.
"""

from __future__ import annotations

from dws.simulator.clock import SimClock
from dws.simulator.errors import SimError
from dws.simulator.state import Fleet, SimState

__all__ = ["Fleet", "SimClock", "SimError", "SimState"]

"""The simulated service's state: resources, rules and lifecycles on the simulated clock."""

from __future__ import annotations

from dws.simulator.state.base import RequestRecord
from dws.simulator.state.core import SimState
from dws.simulator.state.seed import Fleet

__all__ = ["Fleet", "RequestRecord", "SimState"]

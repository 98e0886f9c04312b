"""The whole simulator (auth, core routes, control API, generic responder) served by uvicorn on
an ephemeral port of 127.0.0.1, in a background thread, for tests over real HTTP."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from dws.simulator.control import simulator_app
from dws.simulator.faults import FaultInjector
from dws.simulator.state import SimState


class Served:
    """``with Served(state) as s:`` serves ``state`` at ``s.endpoint`` until the block ends."""

    def __init__(self, state: SimState, faults: FaultInjector | None = None) -> None:
        self.state = state
        self.faults = faults or FaultInjector()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            simulator_app(state, faults=self.faults), log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.sock],), daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.server.force_exit = True  # a request held back by a fault must not delay the end
        self.thread.join(timeout=10)
        self.sock.close()

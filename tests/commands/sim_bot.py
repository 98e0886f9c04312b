"""The dispatcher the command-layer tests build on the in-process simulator.

As the bot builds one: the demo policy (unless another is given), one DWS target ``sim``, the
given clock and notify; trackers poll only when a test drives them (``track_interval`` an hour).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from commands.dispatch import Dispatcher
from commands.policy import Policy, bundled_policy
from commands.registry import registry
from commands.services import Notify
from commands.store.session import Database
from dws.client import DwsClient


def sim_dispatcher(
    db: Database | None,
    client: DwsClient,
    *,
    clock: Callable[[], datetime],
    notify: Notify,
    policy: Policy | None = None,
    **options: Any,
) -> Dispatcher:
    """A dispatcher on ``db`` whose only target, ``sim``, is ``client``."""
    return Dispatcher(
        registry,
        policy or bundled_policy("demo", registry),
        db,
        {"sim": client}.__getitem__,
        clock=clock,
        notify=notify,
        default_target="sim",
        track_interval=3600.0,
        **options,
    )

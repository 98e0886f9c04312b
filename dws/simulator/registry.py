"""The table of operations the simulator's core serves: operation name → handler.

A handler receives the state and a `Call` (path parameters, query parameters, validated JSON
body) and returns `(status, payload)`. Handlers are registered with `@handles("op_name")` in the
`routes_*` modules; `dws.simulator.app` turns the table into Starlette routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dws.simulator.catalogue import int_query
from dws.simulator.errors import bad_request
from dws.simulator.state import SimState


@dataclass(slots=True)
class Call:
    """What a handler gets from the request."""

    path: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    query_lists: dict[str, list[str]] = field(default_factory=dict)
    op: str = ""


Reply = tuple[int, Any]
Handler = Callable[[SimState, Call], Reply]
HANDLERS: dict[str, Handler] = {}


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more catalogue operations."""

    def register(func: Handler) -> Handler:
        for name in names:
            HANDLERS[name] = func
        return func

    return register


def page_number(call: Call, *, max_limit: int = 1000, default_limit: int = 1000) -> tuple[int, int]:
    """(page, limit) where the reference's offset is the page number (1-based, default 1).

    0 is read as the first page, as the SDK's documentation counts pages from 0.
    """
    page = max(1, int_query(call.query, "offset", 1))
    if page > 10000:
        raise bad_request("offset must be <= 10000.", "DWS.5060")
    limit = int_query(call.query, "limit", default_limit, minimum=1)
    if limit > max_limit:
        raise bad_request(f"limit must be <= {max_limit}.", "DWS.5060")
    return page, limit


def page_slice(items: list[Any], page: int, limit: int) -> list[Any]:
    """The items of one page (1-based)."""
    return items[(page - 1) * limit : page * limit]


def record_window(
    call: Call,
    *,
    default_limit: int = 1000,
    max_limit: int = 1000,
    source: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """(offset, limit) where offset counts records from 0."""
    params = {k: str(v) for k, v in (source if source is not None else call.query).items()}
    offset = int_query(params, "offset", 0)
    limit = int_query(params, "limit", default_limit, minimum=1)
    if limit > max_limit:
        raise bad_request(f"limit must be <= {max_limit}.", "DWS.5060")
    return offset, limit

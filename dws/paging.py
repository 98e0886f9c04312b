"""Async iteration over paginated operations.

The reference uses two conventions for ``offset``: in some operations it is the number of
records to skip (``list_cluster_snapshots``, ``list_cluster_nodes``), in others it is the page
number, starting at 1 ("Current page. The default value is 1", e.g. ``list_events``,
``list_alarm_detail``, ``list_event_subs``). The convention is read from the catalogue's own
parameter description, so each operation is paged the way the service expects.

    async for event in paginate(client.call, "list_events", "events"): ...      # dicts
    fetch = lambda op, query: call_model(ctx.dws, op, ListEventsResponse, query)
    async for event in paginate(fetch, "list_events", "events"): ...            # models

``fetch(operation, query)`` gets one page: a raw answer (a dict) or a response model; the
items are its ``items_key`` list. Paging stops at a short or empty page, at the answer's
``count``, or at ``max_items``; a consumer may stop early (no more pages are fetched).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel

from dws.errors import DwsRequestError, DwsResponseError
from dws.operations import get_operation

PageFetch = Callable[[str, dict[str, Any]], Awaitable[Any]]
"""``fetch(operation, query)``: one page (``query`` has ``offset`` and ``limit``)."""


def offset_is_page_number(operation: str) -> bool:
    """True when the operation's ``offset`` query parameter is a page number (from 1)."""
    for param in get_operation(operation).query_params:
        if param.name == "offset":
            return "page" in param.description.lower()
    raise DwsRequestError(f"{operation} is not paginated (it has no offset parameter)")


async def paginate(
    fetch: PageFetch,
    operation: str,
    items_key: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 100,
    max_items: int | None = None,
) -> AsyncGenerator[Any]:
    """Yield every item of a paginated list operation, fetching one page at a time."""
    by_page = offset_is_page_number(operation)
    offset = 1 if by_page else 0
    seen = 0
    while True:
        page = await fetch(operation, {**(params or {}), "offset": offset, "limit": page_size})
        items, total = _items(page, operation, items_key)
        for item in items:
            yield item
            seen += 1
            if max_items is not None and seen >= max_items:
                return
        if len(items) < page_size or (total is not None and seen >= total) or not items:
            return
        offset += 1 if by_page else len(items)


def _items(page: Any, operation: str, items_key: str) -> tuple[list[Any], int | None]:
    """A page's items and its ``count`` (None when absent)."""
    if isinstance(page, BaseModel):
        items, total = getattr(page, items_key, None), getattr(page, "count", None)
    elif isinstance(page, dict):
        items, total = page.get(items_key), page.get("count")
    else:
        items = total = None
    if not isinstance(items, list):
        raise DwsResponseError(f"{operation}: the answer has no list {items_key!r}")
    return items, total if isinstance(total, int) else None

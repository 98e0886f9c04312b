"""Async iteration over paginated operations.

The reference uses two conventions for ``offset``: in some operations it is the number of
records to skip (``list_cluster_snapshots``, ``list_cluster_nodes``), in others it is the page
number, starting at 1 ("Current page. The default value is 1", e.g. ``list_events``,
``list_alarm_detail``, ``list_event_subs``). The convention is read from the catalogue's own
parameter description, so each operation is paged the way the service expects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from dws.errors import DwsRequestError, DwsResponseError
from dws.operations import get_operation

if TYPE_CHECKING:
    from dws.client import DwsClient


def offset_is_page_number(operation: str) -> bool:
    """True when the operation's ``offset`` query parameter is a page number (from 1)."""
    for param in get_operation(operation).query_params:
        if param.name == "offset":
            return "page" in param.description.lower()
    raise DwsRequestError(f"{operation} is not paginated (it has no offset parameter)")


async def paginate(
    client: DwsClient,
    operation: str,
    items_key: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 100,
    max_items: int | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Yield every item of a paginated list operation, fetching one page at a time."""
    by_page = offset_is_page_number(operation)
    offset = 1 if by_page else 0
    seen = 0
    while True:
        query = {**(params or {}), "offset": offset, "limit": page_size}
        page = await client.call(operation, query)
        items = page.get(items_key) if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise DwsResponseError(f"{operation}: the answer has no list {items_key!r}")
        for item in items:
            yield item
            seen += 1
            if max_items is not None and seen >= max_items:
                return
        total = page.get("count")
        if len(items) < page_size or (isinstance(total, int) and seen >= total) or not items:
            return
        offset += 1 if by_page else len(items)

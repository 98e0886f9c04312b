"""Async iteration over paginated operations.

The reference uses two conventions for ``offset``: in some operations it is the number of
records to skip (``list_cluster_snapshots``, ``list_cluster_nodes``), in others it is the page
number, starting at 1 ("Current page. The default value is 1", e.g. ``list_events``,
``list_alarm_detail``, ``list_event_subs``). The convention is read from the catalogue's own
parameter description, so each operation is paged the way the service expects.

`paginate` yields the items of raw answers (dicts); `paginate_model` parses every page into a
response model and yields its items (the handlers' way). Both stop at a short or empty page,
at the answer's ``count``, or at ``max_items``; a consumer may stop early (no more pages are
fetched).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from dws.errors import DwsRequestError, DwsResponseError
from dws.operations import get_operation

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class Caller(Protocol):
    """What `paginate` needs of a client (`dws.client.DwsClient` satisfies it)."""

    async def call(
        self, op_name: str, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Any: ...


class ModelCaller(Protocol):
    """What `paginate_model` needs of a client (`dws.client.DwsClient` satisfies it)."""

    async def call_model(
        self,
        operation: str,
        model: type[M],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> M: ...


def offset_is_page_number(operation: str) -> bool:
    """True when the operation's ``offset`` query parameter is a page number (from 1)."""
    for param in get_operation(operation).query_params:
        if param.name == "offset":
            return "page" in param.description.lower()
    raise DwsRequestError(f"{operation} is not paginated (it has no offset parameter)")


async def paginate(
    client: Caller,
    operation: str,
    items_key: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 100,
    max_items: int | None = None,
) -> AsyncGenerator[dict[str, Any]]:
    """Yield every item of a paginated list operation, fetching one page at a time."""

    async def fetch(query: dict[str, Any]) -> tuple[list[Any], int | None]:
        page = await client.call(operation, query)
        items = page.get(items_key) if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise DwsResponseError(f"{operation}: the answer has no list {items_key!r}")
        total = page.get("count")
        return items, total if isinstance(total, int) else None

    async for item in _pages(operation, fetch, params, page_size, max_items):
        yield item


async def paginate_model(
    client: ModelCaller,
    operation: str,
    model: type[BaseModel],
    items_key: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int = 100,
    max_items: int | None = None,
) -> AsyncGenerator[Any]:
    """Yield every item of a paginated list operation, each page parsed into ``model`` (a page
    that does not fit raises ``DwsResponseError`` naming the operation)."""

    async def fetch(query: dict[str, Any]) -> tuple[list[Any], int | None]:
        page = await client.call_model(operation, model, query)
        total = getattr(page, "count", None)
        return list(getattr(page, items_key) or []), total if isinstance(total, int) else None

    async for item in _pages(operation, fetch, params, page_size, max_items):
        yield item


async def _pages(
    operation: str,
    fetch: Callable[[dict[str, Any]], Awaitable[tuple[list[T], int | None]]],
    params: Mapping[str, Any] | None,
    page_size: int,
    max_items: int | None,
) -> AsyncGenerator[T]:
    by_page = offset_is_page_number(operation)
    offset = 1 if by_page else 0
    seen = 0
    while True:
        items, total = await fetch({**(params or {}), "offset": offset, "limit": page_size})
        for item in items:
            yield item
            seen += 1
            if max_items is not None and seen >= max_items:
                return
        if len(items) < page_size or (total is not None and seen >= total) or not items:
            return
        offset += 1 if by_page else len(items)

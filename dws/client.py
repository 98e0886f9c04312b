"""The async DWS client: one request function, one retry policy, one error tree.

    async with DwsClient(target) as client:
        clusters = await client.call("list_clusters")
        await client.call("restart_cluster", {"cluster_id": cid}, body={"restart": {}})

Every operation of the catalogue (``dws.operations``) is callable by name; parameters are
validated before anything is sent. Authentication is an ``httpx.Auth`` (``dws.auth``). The
default transport is httpx-aiohttp (measured in ``bench/client_overhead.py``: several times the
throughput of httpx's own pool under concurrency); tests inject ``httpx.MockTransport`` or
``httpx.ASGITransport``.

Retries (exponential backoff with jitter, ``Retry-After`` honoured up to
``RetryPolicy.max_retry_after``; a longer one is not waited for: the call fails at once with a
`DwsRateLimitedError` saying how long DWS asked to wait, so nobody is blocked silently):
- GET/HEAD: on 429, 502, 503, 504 answers and on network errors and timeouts;
- POST/PUT/DELETE: only when the request certainly did not reach the server (the connection
  could not be opened, the pool had no slot) or the server refused it unprocessed with 429.

An optional ``observer`` sees one `CallRecord` per logical call (after its retries): operation,
method, HTTP status (None without an answer), seconds, request id and error; it must be quick,
and an exception it raises is logged and ignored.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
import httpx
from pydantic import BaseModel, ValidationError

from dws.clock import utcnow
from dws.config import DwsTarget
from dws.errors import (
    DwsApiError,
    DwsError,
    DwsResponseError,
    DwsTimeoutError,
    DwsTransportError,
)
from dws.operations import PreparedCall, get_operation
from dws.signing import canonical_query

M = TypeVar("M", bound=BaseModel)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_AGENT = "dwsbot/0.1 (+https://github.com/dwsbot)"
log = logging.getLogger("dwsbot.dws")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a call is retried."""

    max_attempts: int = 4
    backoff_initial: float = 0.2
    backoff_max: float = 8.0
    jitter: float = 0.2
    retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    max_retry_after: float = 10.0
    """The longest ``Retry-After`` waited for; a longer one ends the call (and says so)."""

    def delay(self, attempt: int, error: BaseException) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        The server's ``Retry-After`` when it gave one (capped), otherwise exponential backoff
        (``backoff_initial * 2**(attempt-1)``, capped at ``backoff_max``) plus random jitter.
        """
        if isinstance(error, _RetryableStatus):
            after = error.retry_after
            if after is not None:
                return min(after, self.max_retry_after)
        backoff: float = min(self.backoff_max, self.backoff_initial * 2.0 ** (attempt - 1))
        return backoff + random.uniform(0, self.jitter)


@dataclass(frozen=True, slots=True)
class DwsAnswer:
    """A successful answer: its body, HTTP status and the service's request id."""

    operation: str
    status: int
    request_id: str | None
    content: bytes

    def json(self) -> Any:
        """The body as JSON (None when empty); DwsResponseError when it is not JSON."""
        if not self.content.strip():
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            raise DwsResponseError(
                f"{self.operation}: the service answered HTTP {self.status} with a body that is "
                "not JSON"
            ) from None

    def parse(self, model: type[M]) -> M:
        """The body parsed into ``model``; DwsResponseError naming the first misfit."""
        try:
            return model.model_validate_json(self.content or b"null")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "the answer"
            raise DwsResponseError(
                f"{self.operation}: unexpected answer from the service ({where}: {first['msg']})"
            ) from None


@dataclass(frozen=True, slots=True)
class CallRecord:
    """What an observer learns of one logical call (after its retries); never a body or secret.

    ``status`` is the final HTTP status, None when no answer came (transport error, timeout);
    ``error`` is None on success, else the DWS error code or the exception's class name.
    """

    operation: str
    method: str
    status: int | None
    seconds: float
    request_id: str | None
    error: str | None


class _RetryableStatus(Exception):
    """Internal: an answer whose status may be retried; carries the response."""

    def __init__(self, response: httpx.Response, operation: str) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.operation = operation
        self.retry_after = _retry_after_seconds(response.headers.get("Retry-After"))


def default_transport(max_connections: int = 100) -> httpx.AsyncBaseTransport:
    """The production transport: httpx over aiohttp with a keep-alive pool."""
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return AiohttpTransport(limits=limits, trust_env=False)


class DwsClient:
    """An async client for one DWS target."""

    def __init__(
        self,
        target: DwsTarget,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        auth: httpx.Auth | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_concurrency: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        observer: Callable[[CallRecord], None] | None = None,
    ) -> None:
        if auth is None:
            from dws.auth import auth_for_target

            auth = auth_for_target(target)
        self.target = target
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._timeout_dict = _timeout_dict(timeout)
        self._base_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        self._limit = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self._auth = auth
        self._transport = transport or default_transport()
        self._observer = observer

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._transport.aclose()

    def prepare(
        self, operation: str, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> PreparedCall:
        """Validate a call against the catalogue; raises DwsRequestError on bad input."""
        return get_operation(operation).build(params, body, project_id=self.target.project_id)

    def build_request(
        self,
        operation: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        timeout: float | None = None,
    ) -> httpx.Request:
        """The HTTP request a call would send (before authentication); nothing is sent."""
        return self._request_for(self.prepare(operation, params, body), timeout)

    def _request_for(self, call: PreparedCall, timeout: float | None) -> httpx.Request:
        headers = dict(self._base_headers)
        content = None
        if call.body is not None:
            content = json.dumps(call.body, separators=(",", ":"), ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json;charset=UTF-8"
        extensions = {"timeout": self._timeout_dict if timeout is None else _timeout_dict(timeout)}
        url = self.target.endpoint + call.path
        if call.query:
            # Already in the canonical form the signer sends, so signing needs no rewrite.
            url += "?" + canonical_query(call.query)
        return httpx.Request(
            call.method, url, headers=headers, content=content, extensions=extensions
        )

    async def send(
        self,
        operation: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        timeout: float | None = None,
    ) -> DwsAnswer:
        """Call an operation by name; the successful answer with its status and request id."""
        call = self.prepare(operation, params, body)
        if self._observer is None:
            response = await self._send(call, timeout)
        else:
            response = await self._observed(call, timeout, self._observer)
        return DwsAnswer(
            operation=call.operation,
            status=response.status_code,
            request_id=response.headers.get("X-Request-Id"),
            content=response.content,
        )

    async def call(
        self,
        operation: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """Call an operation by name and return the parsed JSON answer (None when empty)."""
        return (await self.send(operation, params, body, timeout=timeout)).json()

    async def call_model(
        self,
        operation: str,
        model: type[M],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        timeout: float | None = None,
    ) -> M:
        """Call an operation and parse its answer straight into a pydantic model.

        ``model`` is usually ``dws.models.RESPONSE_MODELS[operation]``; parsing from the raw
        bytes skips the intermediate dicts of ``call``. A body that does not fit the model
        raises ``DwsResponseError`` naming the operation.
        """
        return (await self.send(operation, params, body, timeout=timeout)).parse(model)

    @property
    def http_auth(self) -> httpx.Auth:
        """The authentication in use (for dry runs that show a signed request)."""
        return self._auth

    async def _observed(
        self, call: PreparedCall, timeout: float | None, observer: Callable[[CallRecord], None]
    ) -> httpx.Response:
        """`_send`, telling ``observer`` how the call ended (an observer's error is logged)."""
        start = time.perf_counter()
        status: int | None = None
        request_id: str | None = None
        error: str | None = None
        try:
            response = await self._send(call, timeout)
            status, request_id = response.status_code, response.headers.get("X-Request-Id")
            return response
        except DwsApiError as exc:
            status, request_id, error = exc.status, exc.request_id, exc.error_code
            error = error or type(exc).__name__
            raise
        except BaseException as exc:  # a transport error, a timeout, a cancellation
            error = type(exc).__name__
            raise
        finally:
            record = CallRecord(
                call.operation, call.method, status, time.perf_counter() - start, request_id, error
            )
            try:
                observer(record)
            except Exception:
                log.exception("the DWS call observer failed on %s", call.operation)

    async def _send(self, call: PreparedCall, timeout: float | None) -> httpx.Response:
        idempotent = call.method in IDEMPOTENT_METHODS
        attempt = 1
        try:
            while True:
                try:
                    return await self._send_once(call, timeout)
                except (_RetryableStatus, httpx.TransportError) as exc:
                    if attempt >= self.retry.max_attempts or not _should_retry(exc, idempotent):
                        raise
                    if isinstance(exc, _RetryableStatus) and (
                        exc.retry_after is not None and exc.retry_after > self.retry.max_retry_after
                    ):
                        raise  # too long to wait for: the error says how long DWS asked
                    await self._sleep(self.retry.delay(attempt, exc))
                    attempt += 1
        except _RetryableStatus as exc:
            raise _api_error(exc.response, exc.operation, exc.retry_after) from None
        except httpx.TimeoutException as exc:
            reached = not _never_sent(exc)
            if isinstance(exc.__cause__, aiohttp.ClientConnectorError):
                # httpx-aiohttp reports a refused connection as a connect timeout.
                raise DwsTransportError(
                    f"{call.operation}: could not reach {self.target.endpoint}: {_kind(exc)}",
                    may_have_reached=reached,
                ) from None
            raise DwsTimeoutError(
                f"{call.operation}: no answer from {self.target.endpoint} in time ({_kind(exc)})",
                may_have_reached=reached,
            ) from None
        except httpx.TransportError as exc:
            raise DwsTransportError(
                f"{call.operation}: could not reach {self.target.endpoint}: {_kind(exc)}",
                may_have_reached=not _never_sent(exc),
            ) from None

    async def _send_once(self, call: PreparedCall, timeout: float | None) -> httpx.Response:
        request = self._request_for(call, timeout)
        if self._limit is None:
            response = await self._exchange(request)
        else:
            async with self._limit:
                response = await self._exchange(request)
        if response.is_success:
            return response
        if response.status_code in self.retry.retry_statuses:
            raise _RetryableStatus(response, call.operation)
        raise _api_error(response, call.operation)

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """Send one request through the auth flow and the transport; the body is read.

        This is httpx's own auth loop without the client's cookie jar, redirects and hooks,
        which the DWS API does not use (and which cost more CPU than signing).
        """
        flow = self._auth.async_auth_flow(request)
        request = await flow.__anext__()
        while True:
            response = await self._transport.handle_async_request(request)
            response.request = request
            try:
                await response.aread()
            finally:
                await response.aclose()
            try:
                request = await flow.asend(response)
            except StopAsyncIteration:
                return response


def _timeout_dict(seconds: float) -> dict[str, float | None]:
    return httpx.Timeout(seconds).as_dict()


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())


def _should_retry(exc: BaseException, idempotent: bool) -> bool:
    if isinstance(exc, _RetryableStatus):
        return idempotent or exc.response.status_code == 429
    if isinstance(exc, httpx.TransportError):
        return idempotent or _never_sent(exc)
    return False


def _never_sent(exc: httpx.TransportError) -> bool:
    """True only when the request certainly did not reach the server."""
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientError):
        return isinstance(cause, aiohttp.ClientConnectorError)
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _api_error(
    response: httpx.Response, operation: str, retry_after: float | None = None
) -> DwsApiError:
    return DwsApiError.from_response(
        response.status_code, response.content, response.headers, operation, retry_after=retry_after
    )


def _kind(exc: Exception) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


__all__ = ["CallRecord", "DwsAnswer", "DwsClient", "DwsError", "RetryPolicy", "default_transport"]

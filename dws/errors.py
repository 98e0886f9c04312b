"""Errors raised by the DWS client.

    DwsError
    ├── DwsConfigError            a target is misconfigured (missing endpoint, credentials ...)
    ├── DwsRequestError           the request was invalid before anything was sent
    │   └── UnknownOperationError the operation name is not in the catalogue
    ├── DwsTransportError         the request did not get an HTTP answer
    │   └── DwsTimeoutError       ... because a timeout expired
    ├── DwsAuthError              authentication failed (IAM token request, bad credentials)
    ├── DwsApiError               the service answered with a non-2xx status
    │   ├── DwsNotFoundError      404
    │   ├── DwsConflictError      409
    │   └── DwsRateLimitedError   429
    ├── DwsResponseError          a 2xx answer that could not be read (bad JSON, wrong shape)
    └── DwsWaitTimeoutError       a waiter gave up before the condition was met

Every message is one human sentence and never contains a secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


class DwsError(Exception):
    """Base of every error raised by the `dws` package."""


class DwsConfigError(DwsError):
    """A DWS target is misconfigured."""


class DwsRequestError(DwsError):
    """A request could not be built: unknown operation, missing or mistyped parameter."""


class UnknownOperationError(DwsRequestError):
    """The operation name is not in the catalogue."""


class DwsTransportError(DwsError):
    """The request did not get an HTTP answer (connection refused, reset, DNS ...).

    ``may_have_reached`` is False only when the request certainly never left (the connection
    was never opened): then a change it carried did not happen. Otherwise (a timeout, a
    connection lost after sending) the service may have acted on it: its outcome is unknown.
    """

    def __init__(self, message: str, *, may_have_reached: bool = True) -> None:
        super().__init__(message)
        self.may_have_reached = may_have_reached


class DwsTimeoutError(DwsTransportError):
    """A connect, read, write or pool timeout expired."""


class DwsAuthError(DwsError):
    """Authentication failed before the DWS call could be made."""


class DwsResponseError(DwsError):
    """A successful answer could not be understood (malformed JSON, unexpected shape)."""


class DwsWaitTimeoutError(DwsError):
    """A waiter gave up before its condition was met."""


@dataclass(frozen=True, slots=True)
class ErrorCodeInfo:
    """One row of the reference's error code table (appendix 6.2)."""

    status: int
    code: str
    message: str
    description: str
    solution: str


@lru_cache(maxsize=1)
def error_codes() -> dict[str, ErrorCodeInfo]:
    """The reference's error codes keyed by code (``DWS.5001``)."""
    raw = json.loads(resources.files("dws").joinpath("data/error_codes.json").read_text("utf-8"))
    return {
        row["code"]: ErrorCodeInfo(
            status=int(row["status"]),
            code=row["code"],
            message=row["message"],
            description=row["description"],
            solution=row["solution"],
        )
        for row in raw
    }


class DwsApiError(DwsError):
    """The service answered with a non-2xx status."""

    def __init__(
        self,
        status: int,
        *,
        error_code: str | None = None,
        error_msg: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.operation = operation
        info = error_codes().get(error_code or "")
        self.explanation: str | None = info.description if info else None
        self.solution: str | None = info.solution if info else None
        super().__init__(self._message())

    def _message(self) -> str:
        what = f"{self.operation} failed" if self.operation else "DWS request failed"
        code = f" {self.error_code}" if self.error_code else ""
        detail = self.error_msg or self.explanation or "no error message"
        text = f"{what}: HTTP {self.status}{code}: {detail}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    @classmethod
    def from_response(
        cls,
        status: int,
        body: bytes,
        headers: Any,
        operation: str | None = None,
        *,
        retry_after: float | None = None,
    ) -> DwsApiError:
        """Build the right subclass from an HTTP answer in the DWS error format.

        ``retry_after`` (seconds, from the answer's ``Retry-After``) is kept by a 429's
        `DwsRateLimitedError`, which then says how long DWS asked to wait.
        """
        code: str | None = None
        msg: str | None = None
        try:
            data = json.loads(body) if body else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            nested = data.get("error")
            error: dict[str, Any] = nested if isinstance(nested, dict) else data
            code = _str_or_none(error.get("error_code") or error.get("code"))
            msg = _str_or_none(error.get("error_msg") or error.get("message"))
        elif body:
            msg = body[:200].decode("utf-8", "replace").strip() or None
        request_id = None
        if headers is not None:
            request_id = headers.get("X-Request-Id") or headers.get("x-request-id")
        if status == 429:
            return DwsRateLimitedError(
                status,
                error_code=code,
                error_msg=msg,
                request_id=request_id,
                operation=operation,
                retry_after=retry_after,
            )
        kind = {404: DwsNotFoundError, 409: DwsConflictError}.get(status, DwsApiError)
        return kind(
            status, error_code=code, error_msg=msg, request_id=request_id, operation=operation
        )


class DwsNotFoundError(DwsApiError):
    """404: the resource does not exist."""


class DwsConflictError(DwsApiError):
    """409: the resource is in a state that forbids the operation."""


class DwsRateLimitedError(DwsApiError):
    """429: too many requests. ``retry_after``: the seconds DWS asked to wait, if it said.

    The message and the advice (``solution``) say how long that is, so a caller that gave up
    rather than wait (the client waits at most ``RetryPolicy.max_retry_after``) tells the user.
    """

    def __init__(self, status: int, *, retry_after: float | None = None, **fields: Any) -> None:
        self.retry_after = retry_after
        super().__init__(status, **fields)
        if retry_after is not None:
            advice = f"DWS asked to retry after {retry_after:.0f} s: try again then"
            self.solution = f"{advice}. {self.solution}" if self.solution else advice

    def _message(self) -> str:
        text = super()._message()
        if self.retry_after is not None:
            text += f"; DWS asked to retry after {self.retry_after:.0f} s"
        return text


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)

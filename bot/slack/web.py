"""The Slack Web API client: slack_sdk's `AsyncWebClient` with retries and per-call metrics.

`make_web_client(token, api_url, metrics)` retries connection errors and HTTP 429 (twice, after
the ``Retry-After`` Slack gives, up to `MAX_RETRY_AFTER` seconds: a longer wait is not made, the
call fails ``ratelimited`` at once), counts every call by method and result (``ok``, Slack's
``error`` code, ``ratelimited``, ``transport_error``) and every 429, and logs a failed call as one
line with the method and the error code only: never a request or response body.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.metrics import Metrics, slack_error_label

MAX_RETRY_AFTER = 10
"""The longest ``Retry-After`` (seconds) waited for before retrying a rate-limited call."""
RATE_LIMIT_RETRIES = 2
TIMEOUT_S = 30
"""Seconds one call to Slack may take (slack_sdk's own default)."""
log = logging.getLogger("dwsbot.slack")


def api_method(api_url: str) -> str:
    """The Web API method of a call's URL (``.../api/chat.postMessage`` → ``chat.postMessage``)."""
    return api_url.rstrip("/").rsplit("/", 1)[-1]


class RateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after its ``Retry-After`` when that is short, and counts every 429."""

    def __init__(self, metrics: Metrics | None, max_retry_count: int = RATE_LIMIT_RETRIES) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if self._metrics is not None and response is not None and response.status_code == 429:
            self._metrics.slack_ratelimited(api_method(request.url))
        return await super().can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        if after is None:
            return True  # slack_sdk waits about a second
        try:  # slack_sdk's handler reads whole seconds; anything else is not waited for
            return 0 <= int(after[0]) <= MAX_RETRY_AFTER
        except ValueError:
            return False


class InstrumentedWebClient(AsyncWebClient):
    """An `AsyncWebClient` that counts and logs the outcome of every API call it makes."""

    def __init__(self, *, metrics: Metrics | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics

    async def _send(
        self, http_verb: str, api_url: str, req_args: dict[str, Any]
    ) -> AsyncSlackResponse:
        # Every Web API call (api_call and each method built on it) goes through _send once,
        # after slack_sdk's retry handlers have run.
        method = api_method(api_url)
        try:
            response = await super()._send(http_verb, api_url, req_args)
        except SlackApiError as exc:
            self._failed(method, _error_code(exc))
            raise
        except Exception as exc:  # aiohttp's connection errors and timeouts
            self._failed(method, "transport_error", type(exc).__name__)
            raise
        if self.metrics is not None:
            self.metrics.slack_call(method, "ok")
        return response

    def _failed(self, method: str, result: str, detail: str | None = None) -> None:
        if self.metrics is not None:
            self.metrics.slack_call(method, result)
        extra = {"slack_method": method, "slack_error": result}
        log.warning("slack %s failed: %s", method, detail or result, extra=extra)


def _error_code(exc: SlackApiError) -> str:
    response = exc.response
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    if status == 429:
        return "ratelimited"
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return slack_error_label(data["error"])
    return f"http_{status}" if isinstance(status, int) else "invalid_response"


def http_session() -> aiohttp.ClientSession:
    """One aiohttp session for the calls to Slack (Web API and response_urls), so that they
    reuse kept-alive connections: without one, slack_sdk (and bolt's `respond`) open a new
    session, and a new TCP and TLS connection, for every call."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))


def make_web_client(
    token: str,
    api_url: str,
    metrics: Metrics | None,
    session: aiohttp.ClientSession | None = None,
) -> AsyncWebClient:
    """A Web API client for ``api_url`` (``https://slack.com/api/`` or a fake), instrumented;
    its calls go through ``session`` (`http_session`) when one is given."""
    # slack_sdk formats whole requests and responses whenever its logger's own level is
    # DEBUG or unset; a logger of its own at INFO keeps that work (and those bodies) away.
    sdk_logger = logging.getLogger("slack_sdk.web.dwsbot")
    sdk_logger.setLevel(logging.INFO)
    return InstrumentedWebClient(
        token=token,
        base_url=api_url,
        metrics=metrics,
        session=session,
        timeout=TIMEOUT_S,
        logger=sdk_logger,
        retry_handlers=[RateLimitRetry(metrics), AsyncConnectionErrorRetryHandler()],
    )

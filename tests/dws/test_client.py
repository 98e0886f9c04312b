"""DwsClient through the transport seam: retries, their limits, unsafe methods, error mapping."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from dws.client import DwsClient, RetryPolicy
from dws.config import DwsTarget
from dws.errors import (
    DwsApiError,
    DwsNotFoundError,
    DwsRateLimitedError,
    DwsRequestError,
    DwsResponseError,
    DwsTimeoutError,
    DwsTransportError,
    UnknownOperationError,
)

TARGET = DwsTarget(
    name="t",
    endpoint="https://dws.example.test",
    project_id="0123456789abcdef0123456789abcdef",
    ak="AKTEST",
    sk="sk-test-secret",
)
CID = "5a8d7e38-0fd8-4a5e-8b1c-4a1f2a3b4c5d"


class Recorder:
    """A MockTransport handler playing scripted answers; fails on any unexpected request."""

    def __init__(
        self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
    ):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


def make_client(handler: Recorder, sleeps: list[float] | None = None, **kw) -> DwsClient:
    async def fake_sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    kw.setdefault("retry", RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.05))
    return DwsClient(TARGET, transport=httpx.MockTransport(handler), sleep=fake_sleep, **kw)


def ok(body: object) -> httpx.Response:
    return httpx.Response(200, json=body)


def dws_error(status: int, code: str, msg: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error_code": code, "error_msg": msg}, headers=headers or None
    )


async def test_get_returns_parsed_json_and_signs() -> None:
    handler = Recorder(ok({"clusters": [], "count": 0}))
    async with make_client(handler) as client:
        assert await client.call("list_clusters") == {"clusters": [], "count": 0}
    (request,) = handler.requests
    assert request.url.path == f"/v1.0/{TARGET.project_id}/clusters"
    assert request.headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=AKTEST")
    assert request.headers["X-Project-Id"] == TARGET.project_id


async def test_post_sends_json_body() -> None:
    handler = Recorder(ok({}))
    async with make_client(handler) as client:
        await client.call("restart_cluster", {"cluster_id": CID}, body={"restart": {}})
    (request,) = handler.requests
    assert request.method == "POST"
    assert request.url.path.endswith(f"/clusters/{CID}/restart")
    assert json.loads(request.content) == {"restart": {}}


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_get_is_retried_on_retryable_status(status: int) -> None:
    handler = Recorder(dws_error(status, "DWS.0001", "busy"), ok({"clusters": [], "count": 0}))
    sleeps: list[float] = []
    async with make_client(handler, sleeps) as client:
        assert (await client.call("list_clusters"))["count"] == 0
    assert len(handler.requests) == 2
    assert len(sleeps) == 1


async def test_get_retries_are_limited() -> None:
    handler = Recorder(*[dws_error(503, "DWS.0001", "busy")] * 3)
    sleeps: list[float] = []
    async with make_client(handler, sleeps) as client:
        with pytest.raises(DwsApiError) as info:
            await client.call("list_clusters")
    assert info.value.status == 503
    assert len(handler.requests) == 3
    assert len(sleeps) == 2


async def test_backoff_grows() -> None:
    handler = Recorder(*[dws_error(502, "DWS.0001", "busy")] * 4)
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=4, backoff_initial=1.0, backoff_max=100.0, jitter=0.0)
    async with make_client(handler, sleeps, retry=policy) as client:
        with pytest.raises(DwsApiError):
            await client.call("list_clusters")
    assert sleeps == [1.0, 2.0, 4.0]


async def test_retry_after_is_honoured() -> None:
    handler = Recorder(
        dws_error(429, "DWS.0001", "slow down", **{"Retry-After": "7"}), ok({"clusters": []})
    )
    sleeps: list[float] = []
    async with make_client(handler, sleeps) as client:
        await client.call("list_clusters")
    assert sleeps == [7.0]


async def test_rate_limit_exhausted_maps_to_rate_limited_error() -> None:
    handler = Recorder(*[dws_error(429, "DWS.0001", "slow down", **{"Retry-After": "1"})] * 3)
    async with make_client(handler, []) as client:
        with pytest.raises(DwsRateLimitedError):
            await client.call("list_clusters")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_unsafe_methods_are_not_retried_after_reaching_the_server(status: int) -> None:
    handler = Recorder(dws_error(status, "DWS.0001", "oops"))
    async with make_client(handler, []) as client:
        with pytest.raises(DwsApiError):
            await client.call("restart_cluster", {"cluster_id": CID}, body={"restart": {}})
    assert len(handler.requests) == 1


async def test_unsafe_method_not_retried_on_read_error() -> None:
    handler = Recorder(httpx.ReadError("connection reset"))
    async with make_client(handler, []) as client:
        with pytest.raises(DwsTransportError):
            await client.call("restart_cluster", {"cluster_id": CID}, body={"restart": {}})
    assert len(handler.requests) == 1


async def test_unsafe_method_not_retried_on_read_timeout() -> None:
    handler = Recorder(httpx.ReadTimeout("slow"))
    async with make_client(handler, []) as client:
        with pytest.raises(DwsTimeoutError):
            await client.call("delete_snapshot", {"snapshot_id": "s1"})
    assert len(handler.requests) == 1


async def test_unsafe_method_retried_when_never_sent() -> None:
    handler = Recorder(httpx.ConnectError("refused"), ok({}))
    async with make_client(handler, []) as client:
        await client.call("restart_cluster", {"cluster_id": CID}, body={"restart": {}})
    assert len(handler.requests) == 2


@pytest.mark.parametrize(
    ("failure", "reached"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("no route"), False),
        (httpx.ReadTimeout("slow"), True),
        (httpx.ReadError("connection reset"), True),
        (httpx.RemoteProtocolError("server disconnected"), True),
    ],
)
async def test_a_transport_error_says_whether_the_request_may_have_reached_dws(
    failure: httpx.TransportError, reached: bool
) -> None:
    handler = Recorder(*[failure] * 4)
    async with make_client(handler, []) as client:
        with pytest.raises(DwsTransportError) as info:
            await client.call("restart_cluster", {"cluster_id": CID}, body={"restart": {}})
    assert info.value.may_have_reached is reached


async def test_unsafe_method_retried_on_429() -> None:
    handler = Recorder(dws_error(429, "DWS.0001", "slow down"), ok({}))
    async with make_client(handler, []) as client:
        await client.call("restart_cluster", {"cluster_id": CID}, body={"restart": {}})
    assert len(handler.requests) == 2


async def test_get_retried_on_timeout_then_timeout_error() -> None:
    handler = Recorder(*[httpx.ReadTimeout("slow")] * 3)
    async with make_client(handler, []) as client:
        with pytest.raises(DwsTimeoutError) as info:
            await client.call("list_clusters")
    assert len(handler.requests) == 3
    assert "no answer" in str(info.value)


async def test_error_mapping_with_reference_explanation() -> None:
    handler = Recorder(
        dws_error(404, "DWS.0015", "The cluster does not exist.", **{"X-Request-Id": "req-42"})
    )
    async with make_client(handler) as client:
        with pytest.raises(DwsNotFoundError) as info:
            await client.call("list_cluster_details", {"cluster_id": CID})
    err = info.value
    assert (err.status, err.error_code, err.request_id) == (404, "DWS.0015", "req-42")
    assert err.error_msg == "The cluster does not exist."
    assert "list_cluster_details failed: HTTP 404 DWS.0015" in str(err)


async def test_error_explanation_comes_from_error_codes_table() -> None:
    handler = Recorder(httpx.Response(400, json={"error_code": "DWS.5001", "error_msg": None}))
    async with make_client(handler) as client:
        with pytest.raises(DwsApiError) as info:
            await client.call("list_clusters")
    assert info.value.explanation == "Invalid instance name."
    assert info.value.solution is not None and "valid instance name" in info.value.solution


async def test_non_json_error_body_still_maps() -> None:
    handler = Recorder(httpx.Response(400, text="<html>Bad Gateway</html>"))
    async with make_client(handler) as client:
        with pytest.raises(DwsApiError) as info:
            await client.call("list_clusters")
    assert info.value.error_code is None
    assert "Bad Gateway" in str(info.value)


async def test_malformed_success_body_is_a_response_error() -> None:
    handler = Recorder(httpx.Response(200, text="{not json"))
    async with make_client(handler) as client:
        with pytest.raises(DwsResponseError):
            await client.call("list_clusters")


async def test_empty_success_body_is_none() -> None:
    handler = Recorder(httpx.Response(200))
    async with make_client(handler) as client:
        assert (
            await client.call("restart_cluster", {"cluster_id": CID}, body={"restart": {}}) is None
        )


async def test_bad_input_sends_nothing() -> None:
    handler = Recorder()
    async with make_client(handler) as client:
        with pytest.raises(UnknownOperationError):
            await client.call("list_clusterz")
        with pytest.raises(DwsRequestError):
            await client.call("list_cluster_details")
    assert handler.requests == []


async def test_secrets_never_in_error_messages() -> None:
    handler = Recorder(*[httpx.ConnectError("refused")] * 3)
    async with make_client(handler, []) as client:
        with pytest.raises(DwsTransportError) as info:
            await client.call("list_clusters")
    assert "sk-test-secret" not in str(info.value)
    assert "could not reach https://dws.example.test" in str(info.value)


async def test_concurrency_bound() -> None:
    in_flight = 0
    peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return ok({"clusters": []})

    client = DwsClient(TARGET, transport=httpx.MockTransport(slow), max_concurrency=3)
    async with client:
        await asyncio.gather(*(client.call("list_clusters") for _ in range(20)))
    assert peak == 3


async def test_per_call_timeout_reaches_the_transport() -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok({})

    client = DwsClient(TARGET, transport=httpx.MockTransport(handler), timeout=30)
    async with client:
        await client.call("list_clusters", timeout=2.5)
        await client.call("list_clusters")
    assert seen[0]["read"] == 2.5
    assert seen[1]["read"] == 30


async def test_refused_connection_over_aiohttp_is_not_called_a_timeout() -> None:
    import socket

    from dws.client import default_transport

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    target = TARGET.model_copy(update={"endpoint": f"http://127.0.0.1:{port}"})
    async with DwsClient(target, transport=default_transport(), sleep=_no_sleep) as client:
        with pytest.raises(DwsTransportError) as info:
            await client.call("list_clusters")
    assert not isinstance(info.value, DwsTimeoutError)
    assert "could not reach" in str(info.value)


async def _no_sleep(_seconds: float) -> None:
    return None


async def test_iam_token_401_reauthenticates_once_through_the_client() -> None:
    iam_target = DwsTarget(
        name="iam",
        endpoint="https://dws.example.test",
        project_id=TARGET.project_id,
        iam_endpoint="https://iam.example.test",
        username="ops",
        password="iam-password-secret",
        domain="acme",
    )
    tokens = iter(["token-1", "token-2"])

    def token(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v3/auth/tokens"
        body = {"token": {"expires_at": "2099-01-01T00:00:00.000000Z"}}
        return httpx.Response(201, json=body, headers={"X-Subject-Token": next(tokens)})

    def dws(expected: str, status: int):
        def answer(request: httpx.Request) -> httpx.Response:
            assert request.headers["X-Auth-Token"] == expected
            return httpx.Response(status, json={"clusters": [], "count": 0})

        return answer

    handler = Recorder(token, dws("token-1", 401), token, dws("token-2", 200))
    async with DwsClient(iam_target, transport=httpx.MockTransport(handler)) as client:
        assert (await client.call("list_clusters"))["count"] == 0
    assert [r.url.host for r in handler.requests] == [
        "iam.example.test",
        "dws.example.test",
        "iam.example.test",
        "dws.example.test",
    ]


async def test_a_long_retry_after_is_not_waited_for_and_is_said() -> None:
    handler = Recorder(dws_error(429, "DWS.0001", "slow down", **{"Retry-After": "3600"}))
    sleeps: list[float] = []
    async with make_client(handler, sleeps) as client:
        with pytest.raises(DwsRateLimitedError) as info:
            await client.call("list_clusters")
    assert sleeps == [] and len(handler.requests) == 1
    assert info.value.retry_after == 3600
    assert "DWS asked to retry after 3600 s" in str(info.value)
    assert info.value.solution is not None and "retry after 3600 s" in info.value.solution

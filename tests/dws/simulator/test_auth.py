"""The simulator authenticates like the service: AK/SK signatures, IAM tokens, project scope."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dws.signing import sdk_date, sign
from dws.simulator import defaults
from dws.simulator.auth import AuthConfig, AuthMiddleware

PROJECT = defaults.PROJECT_ID
BASE = "http://sim.local:8089"


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path, "body": (await request.body()).decode()})


def _inner() -> Starlette:
    return Starlette(routes=[Route("/{path:path}", _echo, methods=["GET", "POST", "DELETE"])])


class Clock:
    """A settable wall clock for the middleware."""

    def __init__(self) -> None:
        self.value = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def middleware(clock: Clock) -> AuthMiddleware:
    return AuthMiddleware(_inner(), AuthConfig(), now=clock)


@pytest.fixture
async def client(middleware: AuthMiddleware) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        yield c


def signed(
    method: str,
    path: str,
    when: datetime,
    body: bytes = b"",
    *,
    ak: str = defaults.AK,
    sk: str = defaults.SK,
) -> httpx.Request:
    """A request signed the way the SDK signs (X-Sdk-Date, Host, X-Project-Id, Content-Type)."""
    url = BASE + path
    headers = {
        "X-Sdk-Date": sdk_date(when),
        "Host": "sim.local:8089",
        "X-Project-Id": PROJECT,
        "Content-Type": "application/json",
    }
    headers["Authorization"] = sign(method, url, headers, body, ak, sk)
    return httpx.Request(method, url, headers=headers, content=body)


async def test_signed_request_is_accepted_and_body_reaches_the_app(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    body = json.dumps({"restart": {}}).encode()
    path = f"/v1.0/{PROJECT}/clusters/c1/restart?limit=5&offset=0"
    resp = await client.send(signed("POST", path, clock.value, body))
    assert resp.status_code == 200
    assert resp.json() == {"path": f"/v1.0/{PROJECT}/clusters/c1/restart", "body": body.decode()}


async def test_bad_signature_is_401_in_dws_format(client: httpx.AsyncClient, clock: Clock) -> None:
    request = signed("GET", f"/v1.0/{PROJECT}/clusters", clock.value, sk="wrong-secret")
    resp = await client.send(request)
    assert resp.status_code == 401
    body = resp.json()
    assert body["error_code"] == "APIGW.0301"
    assert "signature mismatch" in body["error_msg"]
    assert defaults.SK not in resp.text


async def test_tampered_body_is_401(client: httpx.AsyncClient, clock: Clock) -> None:
    request = signed("POST", f"/v1.0/{PROJECT}/clusters", clock.value, b'{"a": 1}')
    tampered = httpx.Request("POST", request.url, headers=request.headers, content=b'{"a": 2}')
    assert (await client.send(tampered)).status_code == 401


async def test_stale_sdk_date_is_401(client: httpx.AsyncClient, clock: Clock) -> None:
    old = clock.value - timedelta(minutes=16)
    resp = await client.send(signed("GET", f"/v1.0/{PROJECT}/clusters", old))
    assert resp.status_code == 401
    assert resp.json()["error_code"] == "APIGW.0301"
    assert "stale X-Sdk-Date" in resp.json()["error_msg"]
    recent = clock.value - timedelta(minutes=14)
    assert (await client.send(signed("GET", f"/v1.0/{PROJECT}/clusters", recent))).is_success


async def test_unknown_access_key_and_missing_credentials_are_401(
    client: httpx.AsyncClient, clock: Clock
) -> None:
    resp = await client.send(signed("GET", f"/v1.0/{PROJECT}/clusters", clock.value, ak="OTHER"))
    assert resp.status_code == 401
    assert "unknown access key" in resp.json()["error_msg"]
    resp = await client.get(f"/v1.0/{PROJECT}/clusters")
    assert resp.status_code == 401
    assert resp.json()["error_code"] == "APIGW.0301"


async def test_wrong_project_in_path_is_403(client: httpx.AsyncClient, clock: Clock) -> None:
    resp = await client.send(
        signed("GET", "/v1.0/ffffffffffffffffffffffffffffffff/clusters", clock.value)
    )
    assert resp.status_code == 403
    assert resp.json()["error_code"] == "DWS.5045"


def _token_request(password: str = defaults.IAM_PASSWORD, project: str = PROJECT) -> Any:
    return {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": defaults.IAM_USER,
                        "password": password,
                        "domain": {"name": defaults.IAM_DOMAIN},
                    }
                },
            },
            "scope": {"project": {"id": project}},
        }
    }


async def test_token_flow(client: httpx.AsyncClient, clock: Clock) -> None:
    resp = await client.post("/v3/auth/tokens", json=_token_request())
    assert resp.status_code == 201
    token = resp.headers["X-Subject-Token"]
    body = resp.json()["token"]
    assert body["project"]["id"] == PROJECT
    assert body["user"]["name"] == defaults.IAM_USER
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert expires - clock.value == timedelta(hours=24)
    assert defaults.IAM_PASSWORD not in resp.text

    ok = await client.get(f"/v1.0/{PROJECT}/clusters", headers={"X-Auth-Token": token})
    assert ok.status_code == 200
    other = "/v1.0/ffffffffffffffffffffffffffffffff/clusters"
    assert (await client.get(other, headers={"X-Auth-Token": token})).status_code == 403
    bad = await client.get(f"/v1.0/{PROJECT}/clusters", headers={"X-Auth-Token": "MIIforged"})
    assert bad.status_code == 401
    assert bad.json()["error_code"] == "APIGW.0301"

    clock.value += timedelta(hours=24, seconds=1)
    expired = await client.get(f"/v1.0/{PROJECT}/clusters", headers={"X-Auth-Token": token})
    assert expired.status_code == 401
    assert "token expires" in expired.json()["error_msg"]


async def test_token_request_errors(client: httpx.AsyncClient) -> None:
    resp = await client.post("/v3/auth/tokens", json=_token_request(password="nope"))
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == 401
    assert "X-Subject-Token" not in resp.headers
    resp = await client.post("/v3/auth/tokens", json=_token_request(project="f" * 32))
    assert resp.status_code == 401
    resp = await client.post("/v3/auth/tokens", content=b"{not json")
    assert resp.status_code == 400
    assert (await client.get("/v3/auth/tokens")).status_code == 405


async def test_control_api_is_not_authenticated(client: httpx.AsyncClient) -> None:
    resp = await client.get("/_sim/clock")
    assert resp.status_code == 200
    assert resp.json()["path"] == "/_sim/clock"


async def test_configured_credentials_replace_the_defaults(clock: Clock) -> None:
    config = AuthConfig(project_id="p" * 32, ak="MYAK", sk="my-sk", iam_password="pw")
    app = AuthMiddleware(_inner(), config, now=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        path = f"/v1.0/{'p' * 32}/clusters"
        assert (await c.send(signed("GET", path, clock.value, ak="MYAK", sk="my-sk"))).is_success
        assert (await c.send(signed("GET", path, clock.value))).status_code == 401
        assert "my-sk" not in repr(config)


def _generic_app() -> AuthMiddleware:
    from dws.simulator.generic import generic_routes

    return AuthMiddleware(Starlette(routes=generic_routes(PROJECT)))


async def test_our_client_with_aksk_and_with_iam_token() -> None:
    from dws.client import DwsClient
    from dws.config import DwsTarget
    from dws.errors import DwsApiError

    transport = httpx.ASGITransport(app=_generic_app())
    aksk = DwsTarget(endpoint="http://sim", project_id=PROJECT, ak=defaults.AK, sk=defaults.SK)
    async with DwsClient(aksk, transport=transport) as client:
        data = await client.call("list_availability_zones")
        assert data["count"] >= 1
    iam = DwsTarget(
        endpoint="http://sim",
        project_id=PROJECT,
        iam_endpoint="http://sim",
        username=defaults.IAM_USER,
        password=defaults.IAM_PASSWORD,
        domain=defaults.IAM_DOMAIN,
    )
    async with DwsClient(iam, transport=transport) as client:
        data = await client.call("list_availability_zones")
        assert data["count"] >= 1
    wrong = DwsTarget(endpoint="http://sim", project_id=PROJECT, ak=defaults.AK, sk="wrong")
    async with DwsClient(wrong, transport=transport) as client:
        with pytest.raises(DwsApiError) as info:
            await client.call("list_availability_zones")
        assert info.value.status == 401
        assert info.value.error_code == "APIGW.0301"


async def test_expired_tokens_are_forgotten(
    client: httpx.AsyncClient, middleware: AuthMiddleware, clock: Clock, monkeypatch: Any
) -> None:
    import dws.simulator.auth as auth_module

    monkeypatch.setattr(auth_module, "MAX_TOKENS", 3)
    for _ in range(3):
        assert (await client.post("/v3/auth/tokens", json=_token_request())).status_code == 201
    clock.value += timedelta(days=2)
    assert (await client.post("/v3/auth/tokens", json=_token_request())).status_code == 201
    assert len(middleware.tokens) == 1


def test_official_sdk_signatures_are_accepted_and_refusals_parsed() -> None:
    """huaweicloudsdkdws (AK/SK) against the whole app served by uvicorn on 127.0.0.1."""
    import socket
    import threading
    import time
    import warnings

    import uvicorn

    from dws.simulator.clock import SimClock
    from dws.simulator.control import simulator_app
    from dws.simulator.state import SimState

    dws_v2 = pytest.importorskip("huaweicloudsdkdws.v2")
    credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
    exceptions = pytest.importorskip("huaweicloudsdkcore.exceptions.exceptions")
    http_config = pytest.importorskip("huaweicloudsdkcore.http.http_config")

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = simulator_app(SimState(seed=0, clock=SimClock(speed=0)))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, args=([sock],), daemon=True)
    thread.start()

    def sdk(sk: str) -> Any:
        config = http_config.HttpConfig.get_default_config()
        config.timeout = (5, 10)
        creds = credentials.BasicCredentials(defaults.AK, sk, PROJECT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return (
                dws_v2.DwsClient.new_builder()
                .with_http_config(config)
                .with_credentials(creds)
                .with_endpoint(f"http://127.0.0.1:{port}")
                .build()
            )

    try:
        while not server.started:
            time.sleep(0.01)
        good = sdk(defaults.SK)
        clusters = good.list_clusters(dws_v2.ListClustersRequest())
        assert clusters.count == len(clusters.clusters) >= 5
        quotas = good.list_quotas(dws_v2.ListQuotasRequest())
        assert quotas.quotas is not None
        with pytest.raises(exceptions.ClientRequestException) as info:
            sdk("wrong-secret").list_clusters(dws_v2.ListClustersRequest())
        assert info.value.status_code == 401
        assert info.value.error_code == "APIGW.0301"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

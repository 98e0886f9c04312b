"""AkSkAuth and IamTokenAuth through an httpx MockTransport that plays IAM and DWS."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from httpx_aiohttp import AiohttpTransport
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from pydantic import SecretStr

from dws.auth import AkSkAuth, IamTokenAuth, auth_for_target
from dws.config import DwsTarget
from dws.errors import DwsAuthError
from dws.signing import SignatureError, sdk_date, verify

AK = "TESTACCESSKEY0000001"
SK = "test-secret-key"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
ENDPOINT = "http://127.0.0.1:8080"
IAM = "http://iam.local:9000"
USER, PASSWORD, DOMAIN = "dwsbot", "s3cret-Passw0rd!", "dwsbot-demo"
START = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


# ---------------------------------------------------------------- AK/SK


class SigningServer:
    """A DWS endpoint that verifies every request with dws.signing.verify."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        try:
            ak = verify(
                request.method,
                str(request.url),
                request.headers,
                request.content,
                {AK: SK}.get,
                self.clock(),
            )
        except SignatureError as exc:
            return httpx.Response(401, json={"error_code": "APIGW.0301", "error_msg": exc.reason})
        return httpx.Response(200, json={"access": ak})


def aksk_client(server: SigningServer, clock: FakeClock) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=ENDPOINT,
        transport=httpx.MockTransport(server),
        auth=AkSkAuth(SecretStr(AK), SecretStr(SK), PROJECT, clock=clock),
        headers={"User-Agent": "dwsbot/test", "Accept": "application/json"},
    )


def sdk_signature(request: httpx.Request) -> str:
    """What huaweicloudsdkcore's Signer computes for the headers our auth signed."""
    signed = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    url = request.url
    sdk_request = SdkRequest(
        method=request.method,
        schema=url.scheme,
        host=url.netloc.decode(),
        resource_path=url.raw_path.decode().split("?")[0],
        query_params=list(url.params.multi_items()),
        header_params={name: request.headers[name] for name in signed},
        body=request.content,
    )
    Signer(BasicCredentials(AK, SK, PROJECT)).sign(sdk_request)
    return str(sdk_request.header_params["Authorization"])


async def test_aksk_sets_headers_and_server_verifies() -> None:
    clock = FakeClock()
    server = SigningServer(clock)
    async with aksk_client(server, clock) as client:
        response = await client.post(
            f"/v1.0/{PROJECT}/clusters/c%C3%A9 1/restart",
            params=[("b", "2"), ("a", "x y+z"), ("a", ""), ("中", "~")],
            content=b'{"restart":{}}',
        )
    assert response.status_code == 200, response.text
    assert response.json() == {"access": AK}
    sent = server.seen[0]
    assert sent.headers["X-Project-Id"] == PROJECT
    assert sent.headers["X-Sdk-Date"] == sdk_date(START) == "20261127T120000Z"
    assert sent.headers["Host"] == "127.0.0.1:8080"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.url.query == b"a=&a=x%20y%2Bz&b=2&%E4%B8%AD=~"
    assert sent.headers["Authorization"].startswith(f"SDK-HMAC-SHA256 Access={AK}, ")
    assert (
        "SignedHeaders=accept;content-type;host;user-agent;x-project-id;x-sdk-date,"
        in (sent.headers["Authorization"])
    )
    assert sent.headers["Authorization"] == sdk_signature(sent)


async def test_aksk_get_without_body_has_no_content_type() -> None:
    clock = FakeClock()
    server = SigningServer(clock)
    async with aksk_client(server, clock) as client:
        response = await client.get(f"/v1.0/{PROJECT}/clusters", params={"limit": 10})
    assert response.status_code == 200, response.text
    sent = server.seen[0]
    assert "content-type" not in sent.headers
    assert sent.headers["Authorization"] == sdk_signature(sent)


async def test_aksk_server_refuses_a_stale_clock() -> None:
    client_clock, server_clock = FakeClock(), FakeClock()
    server_clock.now = START + timedelta(minutes=20)
    server = SigningServer(server_clock)
    async with aksk_client(server, client_clock) as client:
        response = await client.get(f"/v1.0/{PROJECT}/clusters")
    assert response.status_code == 401
    assert response.json()["error_msg"] == "stale X-Sdk-Date"


async def test_aksk_over_a_real_socket_with_the_aiohttp_transport() -> None:
    """The client's default transport (aiohttp) re-quotes URLs; the signature must survive."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        try:
            ak = verify(
                request.method,
                request.raw_path,
                dict(request.headers),
                await request.read(),
                {AK: SK}.get,
                datetime.now(UTC),
            )
        except SignatureError as exc:
            return web.json_response({"error_msg": exc.reason}, status=401)
        return web.json_response({"access": ak})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            transport=AiohttpTransport(),
            auth=AkSkAuth(AK, SK, PROJECT),
        ) as client:
            response = await client.post(
                f"/v1.0/{PROJECT}/clusters/c%C3%A9%2F1/x~y",
                params=[("b", "2"), ("a", "x y+z/é"), ("a", ""), ("中", "~*'()!")],
                json={"name": "é"},
            )
    finally:
        await runner.cleanup()
    assert response.status_code == 200, response.text
    assert response.json() == {"access": AK}
    assert seen[0].startswith(f"/v1.0/{PROJECT}/clusters/c%C3%A9%2F1/x~y?a=&a=x%20y%2Bz")


def test_aksk_works_with_a_sync_client_too() -> None:
    clock = FakeClock()
    server = SigningServer(clock)
    auth = AkSkAuth(AK, SK, PROJECT, clock=clock)
    with httpx.Client(base_url=ENDPOINT, transport=httpx.MockTransport(server), auth=auth) as c:
        assert c.get("/v1.0/p/clusters").status_code == 200
    assert SK not in repr(auth) and AK not in repr(auth)


# ---------------------------------------------------------------- IAM token


class IamAndDws:
    """IAM's token API and a DWS endpoint that checks X-Auth-Token, with counters."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.token_posts = 0
        self.dws_calls = 0
        self.valid: dict[str, datetime] = {}
        self.token_status = 201
        self.token_body_override: dict[str, Any] | None = None
        self.always_401 = False
        self.token_bodies: list[dict[str, Any]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "iam.local":
            return await self._token(request)
        assert request.url.host == "127.0.0.1", f"unexpected request {request.url}"
        self.dws_calls += 1
        token = request.headers.get("X-Auth-Token", "")
        expires = self.valid.get(token)
        if self.always_401 or expires is None or self.clock() >= expires:
            return httpx.Response(401, json={"error_code": "APIGW.0301", "error_msg": "bad token"})
        return httpx.Response(200, json={"token": token})

    async def _token(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.url.path == "/v3/auth/tokens"
        assert request.headers["Content-Type"].startswith("application/json")
        self.token_posts += 1
        for _ in range(5):  # let concurrent callers pile up behind the refresh
            await asyncio.sleep(0)
        self.token_bodies.append(json.loads(request.content))
        if self.token_status != 201:
            return httpx.Response(
                self.token_status,
                json={
                    "error": {"code": self.token_status, "message": f"wrong password {PASSWORD}"}
                },
            )
        token = f"token-{self.token_posts}"
        expires = self.clock() + timedelta(hours=24)
        self.valid[token] = expires
        body = self.token_body_override or {
            "token": {
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "issued_at": self.clock().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
        }
        return httpx.Response(201, json=body, headers={"X-Subject-Token": token})


def iam_client(service: IamAndDws, clock: FakeClock) -> httpx.AsyncClient:
    auth = IamTokenAuth(IAM, USER, SecretStr(PASSWORD), DOMAIN, PROJECT, clock=clock)
    return httpx.AsyncClient(base_url=ENDPOINT, transport=httpx.MockTransport(service), auth=auth)


async def test_token_is_fetched_once_and_cached() -> None:
    clock = FakeClock()
    service = IamAndDws(clock)
    async with iam_client(service, clock) as client:
        answers = [await client.get(f"/v1.0/{PROJECT}/clusters") for _ in range(3)]
    assert [a.json() for a in answers] == [{"token": "token-1"}] * 3
    assert service.token_posts == 1 and service.dws_calls == 3
    assert service.token_bodies[0] == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": USER, "password": PASSWORD, "domain": {"name": DOMAIN}}
                },
            },
            "scope": {"project": {"id": PROJECT}},
        }
    }


async def test_token_is_refreshed_within_the_margin() -> None:
    clock = FakeClock()
    service = IamAndDws(clock)
    async with iam_client(service, clock) as client:
        await client.get("/v1.0/p/clusters")
        clock.now = START + timedelta(hours=22, minutes=59)
        assert (await client.get("/v1.0/p/clusters")).json() == {"token": "token-1"}
        clock.now = START + timedelta(hours=23)
        assert (await client.get("/v1.0/p/clusters")).json() == {"token": "token-2"}
    assert service.token_posts == 2
    assert service.dws_calls == 3  # refreshed before use, so no 401 round trip


@pytest.mark.parametrize("first_token", [True, False])
async def test_concurrent_requests_share_one_refresh(first_token: bool) -> None:
    clock = FakeClock()
    service = IamAndDws(clock)
    async with iam_client(service, clock) as client:
        if first_token:
            await client.get("/v1.0/p/clusters")
            clock.now = START + timedelta(hours=25)  # the cached token has expired
        answers = await asyncio.gather(*(client.get("/v1.0/p/clusters") for _ in range(20)))
    assert {a.status_code for a in answers} == {200}
    expected_token = "token-2" if first_token else "token-1"
    assert {a.json()["token"] for a in answers} == {expected_token}
    assert service.token_posts == (2 if first_token else 1)


async def test_a_401_triggers_one_reauthentication_and_one_retry() -> None:
    clock = FakeClock()
    service = IamAndDws(clock)
    async with iam_client(service, clock) as client:
        await client.get("/v1.0/p/clusters")
        service.valid.clear()  # the service revokes token-1
        response = await client.post("/v1.0/p/clusters/c1/restart", json={"restart": {}})
        assert response.status_code == 200
        assert response.json() == {"token": "token-2"}
        assert service.token_posts == 2 and service.dws_calls == 3
        # The new token is cached for the next request.
        await client.get("/v1.0/p/clusters")
    assert service.token_posts == 2 and service.dws_calls == 4


async def test_a_second_401_is_returned_not_looped() -> None:
    clock = FakeClock()
    service = IamAndDws(clock)
    service.always_401 = True
    async with iam_client(service, clock) as client:
        response = await client.get("/v1.0/p/clusters")
    assert response.status_code == 401
    assert service.token_posts == 2 and service.dws_calls == 2


@pytest.mark.parametrize("status", [401, 400, 500])
async def test_failed_token_request_raises_without_password(status: int) -> None:
    clock = FakeClock()
    service = IamAndDws(clock)
    service.token_status = status
    async with iam_client(service, clock) as client:
        with pytest.raises(DwsAuthError) as caught:
            await client.get("/v1.0/p/clusters")
    message = str(caught.value)
    assert f"HTTP {status}" in message and USER in message and DOMAIN in message
    assert PASSWORD not in message
    assert service.dws_calls == 0


@pytest.mark.parametrize(
    ("body", "needle"),
    [({"token": {}}, "expires_at"), ({"token": {"expires_at": "soon"}}, "expires_at")],
)
async def test_unusable_token_answer_raises(body: dict[str, Any], needle: str) -> None:
    clock = FakeClock()
    service = IamAndDws(clock)
    service.token_body_override = body
    async with iam_client(service, clock) as client:
        with pytest.raises(DwsAuthError, match=needle):
            await client.get("/v1.0/p/clusters")


def test_iam_auth_refuses_a_sync_client() -> None:
    service = IamAndDws(FakeClock())
    auth = IamTokenAuth(IAM, USER, PASSWORD, DOMAIN, PROJECT)
    with (
        httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)), auth=auth) as c,
        pytest.raises(RuntimeError, match="AsyncClient"),
    ):
        c.get(ENDPOINT)
    assert service.token_posts == 0
    assert PASSWORD not in repr(auth)


def test_auth_for_target_picks_the_scheme() -> None:
    aksk = DwsTarget(endpoint=ENDPOINT, project_id=PROJECT, ak=SecretStr(AK), sk=SecretStr(SK))
    iam = DwsTarget(
        endpoint=ENDPOINT,
        project_id=PROJECT,
        iam_endpoint=IAM,
        username=USER,
        password=SecretStr(PASSWORD),
        domain=DOMAIN,
    )
    assert isinstance(auth_for_target(aksk), AkSkAuth)
    assert isinstance(auth_for_target(iam), IamTokenAuth)

"""Our client against the whole simulator over real HTTP (uvicorn on 127.0.0.1, the default
aiohttp transport, AK/SK signatures verified by the simulator): restart and snapshot lifecycles,
pagination, errors, injected faults."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from dws.client import DwsClient, RetryPolicy
from dws.config import DwsTarget
from dws.errors import DwsApiError, DwsNotFoundError, DwsTransportError
from dws.models import ListClusterDetailsResponse, ListClustersResponse, SnapshotDetail
from dws.paging import paginate
from dws.simulator import defaults
from dws.waiters import wait_for_cluster, wait_for_job
from tests.dws.simulator.served import Served
from tests.dws.simulator.support import frozen_state


@pytest.fixture
def served() -> Iterator[Served]:
    with Served(frozen_state()) as s:
        yield s


def target_for(served: Served, sk: str = defaults.SK) -> DwsTarget:
    return DwsTarget(
        name="sim",
        endpoint=served.endpoint,
        project_id=defaults.PROJECT_ID,
        ak=defaults.AK,
        sk=sk,
    )


@pytest.fixture
async def client(served: Served) -> AsyncIterator[DwsClient]:
    policy = RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.05)
    async with DwsClient(target_for(served), retry=policy) as c:
        yield c


async def cluster_named(client: DwsClient, name: str) -> str:
    clusters = ListClustersResponse.model_validate(await client.call("list_clusters")).clusters
    return next(c.id for c in clusters if c.name == name)


async def idle_cluster(client: DwsClient, served: Served) -> str:
    """An AVAILABLE cluster with no task that is not in a DR pair."""
    in_dr = {cid for dr in served.state.dr_tasks.values() for cid in (dr.primary_id, dr.standby_id)}
    clusters = ListClustersResponse.model_validate(await client.call("list_clusters")).clusters
    return next(
        c.id
        for c in clusters
        if c.status == "AVAILABLE" and not c.task_status and c.id not in in_dr
    )


async def test_restart_lifecycle(client: DwsClient, served: Served) -> None:
    cid = await idle_cluster(client, served)
    await client.call("restart_cluster", {"cluster_id": cid}, body={"restart": {}})
    served.state.advance(served.state.start_delay)  # accepted operations start a little later
    detail = ListClusterDetailsResponse.model_validate(
        await client.call("list_cluster_details", {"cluster_id": cid})
    ).cluster
    assert detail is not None and detail.task_status == "REBOOTING"
    with pytest.raises(DwsApiError) as info:
        await client.call("restart_cluster", {"cluster_id": cid}, body={"restart": {}})
    assert info.value.status == 400 and info.value.error_code

    progress: list[object] = []

    async def tick(cluster: dict) -> None:
        progress.append((cluster.get("action_progress") or {}).get("REBOOTING"))
        served.state.advance(30)

    final = await wait_for_cluster(client, cid, interval=0, timeout=30, on_progress=tick)
    assert final["status"] == "AVAILABLE" and not final.get("task_status")
    shown = [p for p in progress if p]
    assert len(shown) >= 2 and shown == sorted(shown, key=lambda p: int(str(p).rstrip("%")))
    events = [e async for e in paginate(client.call, "list_events", "events", page_size=50)]
    assert any(e.get("source_id") == cid and e["name"] == "rebootClusterSuccess" for e in events)


async def test_snapshot_lifecycle(client: DwsClient, served: Served) -> None:
    cid = await idle_cluster(client, served)
    body = {"snapshot": {"name": "it-snap-1", "cluster_id": cid, "description": "it"}}
    created = await client.call("create_snapshot", body=body)
    sid = created["snapshot"]["id"]

    async def details() -> SnapshotDetail:
        answer = await client.call("list_snapshot_details", {"snapshot_id": sid})
        return SnapshotDetail.model_validate(answer["snapshot"])

    assert (await details()).status == "CREATING"
    for _ in range(60):
        served.state.advance(60)
        if (await details()).status == "AVAILABLE":
            break
    assert (await details()).status == "AVAILABLE"
    await client.call("delete_snapshot", {"snapshot_id": sid})
    with pytest.raises(DwsNotFoundError):
        await details()


async def test_stop_job_is_waited_for(client: DwsClient, served: Served) -> None:
    cid = await idle_cluster(client, served)
    job_id = (await client.call("stop_cluster", {"cluster_id": cid}))["job_id"]

    def tick(_job: dict) -> None:
        served.state.advance(60)

    job = await wait_for_job(client, job_id, interval=0, timeout=30, on_progress=tick)
    assert job["status"] == "SUCCESS"


async def test_bad_signature_is_an_auth_error(served: Served) -> None:
    async with DwsClient(target_for(served, sk="wrong-secret")) as bad:
        with pytest.raises(DwsApiError) as info:
            await bad.call("list_clusters")
    assert info.value.status == 401


async def test_injected_429_is_retried_with_retry_after(client: DwsClient, served: Served) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=served.endpoint) as control:
        fault = {"pattern": "*/clusters", "kind": "throttle", "retry_after": 0, "count": 1}
        response = await control.post("/_sim/faults", json=fault)
        assert response.status_code in (200, 201), response.text
    answer = await client.call("list_clusters")
    assert answer["count"] >= 1
    statuses = [r.status for r in served.state.request_log if r.path.endswith("/clusters")]
    assert statuses[-2:] == [429, 200]


async def test_dropped_connection_is_a_transport_error(served: Served) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=served.endpoint) as control:
        fault = {"pattern": "*/restart", "kind": "drop", "count": 1}
        response = await control.post("/_sim/faults", json=fault)
        assert response.status_code in (200, 201), response.text
    async with DwsClient(target_for(served)) as client:
        with pytest.raises(DwsTransportError):
            await client.call("restart_cluster", {"cluster_id": "anything"}, body={"restart": {}})


async def test_iam_token_authentication(served: Served) -> None:
    target = DwsTarget(
        name="sim-iam",
        endpoint=served.endpoint,
        project_id=defaults.PROJECT_ID,
        iam_endpoint=served.endpoint,
        username=defaults.IAM_USER,
        password=defaults.IAM_PASSWORD,
        domain=defaults.IAM_DOMAIN,
    )
    async with DwsClient(target) as client:
        first = await client.call("list_clusters")
        second = await client.call("list_availability_zones")
    assert first["count"] >= 1 and second["availability_zones"]
    token_posts = [r for r in served.state.request_log if r.path == "/v3/auth/tokens"]
    assert [r.status for r in token_posts] == [201]


async def test_a_long_retry_after_fails_at_once_saying_so(served: Served) -> None:
    import httpx

    from commands.services import dws_error_text
    from dws.errors import DwsRateLimitedError

    async with httpx.AsyncClient(base_url=served.endpoint) as control:
        fault = {"pattern": "*/clusters", "kind": "throttle", "retry_after": 3600, "count": 5}
        response = await control.post("/_sim/faults", json=fault)
        assert response.status_code in (200, 201), response.text
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async with DwsClient(target_for(served), sleep=record) as client:
        with pytest.raises(DwsRateLimitedError) as info:
            await client.call("list_clusters")
    assert sleeps == []  # not blocked for the cap, not silently
    assert [r.status for r in served.state.request_log if r.path.endswith("/clusters")] == [429]
    assert "DWS asked to retry after 3600 s" in dws_error_text(info.value)

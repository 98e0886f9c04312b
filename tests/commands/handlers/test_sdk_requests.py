"""Every changing command sends the request the official SDK (huaweicloudsdkdws) builds.

For each changing command of the registry, the command is planned and executed against the
simulator, whose HTTP boundary records what arrives (method, path, query, JSON body); the same
inputs (the resolved ids and the command's arguments) go into the SDK's request classes, and
the SDK prepares its request (`_call_api` → `build_future_request`: path and query encoding,
body serialisation, signing) without sending it. The two requests must be equal field by field.

The commands compared are read from the registry: a new changing command without a case here
fails `test_every_changing_command_has_a_case` and its own parametrised case.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import huaweicloudsdkdws.v2 as sdk
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest

from commands.registry import registry
from dws.client import DwsClient
from dws.simulator import SimClock, SimState, defaults
from dws.simulator.app import create_app
from dws.simulator.state.params import parameter_group_id
from tests.commands.handlers.conftest import TARGET, Sim

PASSWORD = "Zq7!tRuv-93xKp"
CHANGING = sorted(spec.name for spec in registry if spec.change is not None)


# -- the DWS side: what the simulator receives --------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One request as it arrived: method, raw path, query pairs and the parsed JSON body."""

    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any


@dataclass
class Recording:
    """ASGI middleware around the simulator that records every HTTP request it receives."""

    app: Any
    sent: list[Sent] = field(default_factory=list)

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        self.sent.append(
            Sent(
                scope["method"],
                scope["raw_path"].decode("ascii"),
                parse_qsl(scope["query_string"].decode("ascii"), keep_blank_values=True),
                json.loads(raw) if raw else None,
            )
        )
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)

    def changes(self) -> list[Sent]:
        """The requests that are not reads."""
        return [s for s in self.sent if s.method != "GET"]


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[Sim, Recording]]:
    state = SimState(clock=SimClock(speed=0.0))
    recording = Recording(create_app(state))
    async with DwsClient(TARGET, transport=httpx.ASGITransport(app=recording)) as client:
        yield Sim(state, client), recording


# -- the SDK side: the request it prepares, not sent --------------------------------------------


class PreparingClient(sdk.DwsClient):
    """The SDK's client whose HTTP step returns the prepared (signed) request instead."""

    def do_http_request(
        self,
        method,
        resource_path,
        path_params=None,
        query_params=None,
        header_params=None,
        body=None,
        post_params=None,
        cname=None,
        response_type=None,
        response_headers=None,
        collection_formats=None,
        request_type=None,
        async_request=False,
        progress_callback=None,
    ) -> SdkRequest:
        future = self.build_future_request(
            method,
            resource_path,
            path_params,
            query_params,
            header_params,
            body,
            post_params,
            cname,
            response_type,
            collection_formats,
            progress_callback,
        )
        return future.result()


@pytest.fixture(scope="module")
def sdk_client() -> Any:
    credentials = BasicCredentials(defaults.AK, defaults.SK, defaults.PROJECT_ID)
    return (
        PreparingClient.new_builder()
        .with_credentials(credentials)
        .with_endpoint(TARGET.endpoint)
        .build()
    )


def sdk_sent(client: Any, operation: str, request: Any) -> Sent:
    """What the SDK would send for ``request`` (``operation`` = its method name)."""
    prepared: SdkRequest = getattr(client, operation)(request)
    body = prepared.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return Sent(
        prepared.method,
        prepared.resource_path,
        [(k, str(v)) for k, v in prepared.query_params],
        json.loads(body) if body else None,
    )


def fields(value: Any, path: str = "") -> dict[str, Any]:
    """A JSON value flattened to ``{"a.b[0].c": leaf}`` (empty objects and lists kept)."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(fields(item, f"{path}.{key}" if path else key))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(fields(item, f"{path}[{index}]"))
        return out
    return {path: value}


# -- one case per changing command --------------------------------------------------------------


def _cluster(sim: Sim, name: str) -> str:
    return str(sim.cluster(name).id)


def _dr(sim: Sim) -> str:
    return str(next(iter(sim.state.dr_tasks.values())).id)


def _manual_snapshot(sim: Sim) -> Any:
    return next(s for s in sim.state.snapshots.values() if s.type == "MANUAL")


def _snapshot_of(sim: Sim, cluster: str) -> Any:
    return next(s for s in sim.state.snapshots.values() if s.cluster_name == cluster)


def _redistributing(sim: Sim) -> None:
    c = sim.cluster("reporting")
    sim.state.resize_cluster(c.id, 1, False)
    for _ in range(100):  # the scale-out, then the redistribution that follows it
        if c.task is not None and c.task.kind == "REDISTRIBUTING":
            return
        sim.advance(60)
    raise AssertionError("the simulator never started the redistribution")


def _paused(sim: Sim) -> None:
    _redistributing(sim)
    sim.state.pause_redistribution(sim.cluster("reporting").id)


def _failed_over(sim: Sim) -> None:
    sim.state.dr_action(_dr(sim), "failover")
    sim.advance(4 * 3600)


def _config_id(sim: Sim) -> str:
    return parameter_group_id(sim.cluster("reporting"))


@dataclass(frozen=True)
class Case:
    """A changing command as typed, how to reach its preconditions, and its SDK request."""

    text: str
    operation: str
    request: Callable[[Sim], Any]
    prepare: Callable[[Sim], None] = lambda sim: None
    secrets: dict[str, str] = field(default_factory=dict)


CASES: dict[str, Case] = {
    "restart": Case(
        "/dws restart reporting",
        "restart_cluster",
        lambda sim: sdk.RestartClusterRequest(
            cluster_id=_cluster(sim, "reporting"),
            body=sdk.RestartClusterRequestBody(restart={}),
        ),
    ),
    "start": Case(
        "/dws start dev-sandbox",
        "start_cluster",
        lambda sim: sdk.StartClusterRequest(cluster_id=_cluster(sim, "dev-sandbox")),
    ),
    "stop": Case(
        "/dws stop reporting",
        "stop_cluster",
        lambda sim: sdk.StopClusterRequest(cluster_id=_cluster(sim, "reporting")),
    ),
    "switchback": Case(
        "/dws switchback etl-batch",
        "switch_over_cluster",
        lambda sim: sdk.SwitchOverClusterRequest(cluster_id=_cluster(sim, "etl-batch")),
    ),
    "cancel-readonly": Case(
        "/dws cancel-readonly analytics",
        "cancel_readonly_cluster",
        lambda sim: sdk.CancelReadonlyClusterRequest(cluster_id=_cluster(sim, "analytics")),
    ),
    "add-nodes": Case(
        "/dws add-nodes reporting 2 --subnet-id {subnet}",
        "resize_cluster",
        lambda sim: sdk.ResizeClusterRequest(
            cluster_id=_cluster(sim, "reporting"),
            body=sdk.ResizeClusterRequestBody(
                scale_out=sdk.ScaleOut(count=2, subnet_id=sim.cluster("reporting").subnet_id)
            ),
        ),
    ),
    "redistribution pause": Case(
        "/dws redistribution pause reporting",
        "stop_redistribution",
        lambda sim: sdk.StopRedistributionRequest(cluster_id=_cluster(sim, "reporting")),
        prepare=_redistributing,
    ),
    "redistribution resume": Case(
        "/dws redistribution resume reporting",
        "restore_redistribution",
        lambda sim: sdk.RestoreRedistributionRequest(cluster_id=_cluster(sim, "reporting")),
        prepare=_paused,
    ),
    "params set": Case(
        "/dws params set reporting max_connections 600",
        "update_configuration",
        lambda sim: sdk.UpdateConfigurationRequest(
            cluster_id=_cluster(sim, "reporting"),
            configuration_id=_config_id(sim),
            body=sdk.ConfigurationParameterValues(
                configurations=[
                    sdk.ConfigurationParameterValue(type=kind, name="max_connections", value="600")
                    for kind in ("CN", "DN")
                ]
            ),
        ),
    ),
    "reset-password": Case(
        "/dws reset-password reporting",
        "reset_password",
        lambda sim: sdk.ResetPasswordRequest(
            cluster_id=_cluster(sim, "reporting"),
            body=sdk.ResetPasswordRequestBody(new_password=PASSWORD),
        ),
        secrets={"password": PASSWORD},
    ),
    "snapshot create": Case(
        '/dws snapshot create reporting --name before-upgrade --description "pre 9.1"',
        "create_snapshot",
        lambda sim: sdk.CreateSnapshotRequest(
            body=sdk.CreateSnapshotRequestBody(
                snapshot=sdk.Snapshot(
                    name="before-upgrade",
                    cluster_id=_cluster(sim, "reporting"),
                    description="pre 9.1",
                )
            )
        ),
    ),
    "snapshot delete": Case(
        "/dws snapshot delete {manual}",
        "delete_snapshot",
        lambda sim: sdk.DeleteSnapshotRequest(snapshot_id=_manual_snapshot(sim).id),
    ),
    "snapshot restore": Case(
        "/dws snapshot restore {reporting_snapshot} --name reporting-copy",
        "restore_cluster",
        lambda sim: sdk.RestoreClusterRequest(
            snapshot_id=_snapshot_of(sim, "reporting").id,
            body=sdk.RestoreClusterRequestBody(restore=sdk.Restore(name="reporting-copy")),
        ),
    ),
    "dr switchover": Case(
        "/dws dr switchover prod-dw-dr",
        "switchover_disaster_recovery",
        lambda sim: sdk.SwitchoverDisasterRecoveryRequest(disaster_recovery_id=_dr(sim)),
    ),
    "dr failover": Case(
        "/dws dr failover prod-dw-dr",
        "switch_failover_disaster",
        lambda sim: sdk.SwitchFailoverDisasterRequest(disaster_recovery_id=_dr(sim)),
    ),
    "dr recovery": Case(
        "/dws dr recovery prod-dw-dr",
        "restore_disaster",
        lambda sim: sdk.RestoreDisasterRequest(disaster_recovery_id=_dr(sim)),
        prepare=_failed_over,
    ),
}


def _text(case: Case, sim: Sim) -> str:
    return case.text.format(
        subnet=sim.cluster("reporting").subnet_id,
        manual=_manual_snapshot(sim).name,
        reporting_snapshot=_snapshot_of(sim, "reporting").id,
    )


# -- the comparison -----------------------------------------------------------------------------


def test_every_changing_command_has_a_case() -> None:
    assert len(CHANGING) >= 16
    assert sorted(CASES) == CHANGING


@pytest.mark.parametrize("name", CHANGING)
async def test_handler_request_matches_the_sdk(
    name: str, recorded: tuple[Sim, Recording], sdk_client: Any
) -> None:
    case = CASES.get(name)
    assert case is not None, f"the changing command {name!r} has no SDK case here"
    sim, recording = recorded
    case.prepare(sim)
    request = case.request(sim)  # the inputs, read before the command changes anything
    text = _text(case, sim)
    recording.sent.clear()
    await sim.change(text, case.secrets)
    (ours,) = recording.changes()
    theirs = sdk_sent(sdk_client, case.operation, request)
    assert (ours.method, ours.path) == (theirs.method, theirs.path)
    assert sorted(ours.query) == sorted(theirs.query)
    assert (ours.body is None) == (theirs.body is None), (ours.body, theirs.body)
    assert fields(ours.body) == fields(theirs.body)


def test_the_recorder_and_the_sdk_see_paths_encoded_alike(sdk_client: Any) -> None:
    request = sdk.RestartClusterRequest(cluster_id="a b/é", body=sdk.RestartClusterRequestBody())
    theirs = sdk_sent(sdk_client, "restart_cluster", request)
    assert theirs.path == f"/v1.0/{defaults.PROJECT_ID}/clusters/a%20b%2F%C3%A9/restart"
    assert theirs.body == {}

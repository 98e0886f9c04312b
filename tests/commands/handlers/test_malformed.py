"""A malformed DWS answer is a one-line error naming the operation, never a traceback.

The simulator runs behind a transport that replaces the body of one operation's answer (the
wire format of a broken or changed service); every other call gets the simulator's real answer.
Read commands go through the real dispatcher, so the test sees the Reply a user would see.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from commands.dispatch import Dispatcher, InvocationRequest
from commands.policy import bundled_policy
from commands.registry import CommandFailure, UserRef, registry
from commands.replies import Severity
from dws.client import DwsClient
from dws.operations import get_operation
from dws.simulator import SimClock, SimState
from dws.simulator.app import create_app
from tests.commands.handlers.conftest import TARGET, Sim

ALICE = UserRef("alice", "Alice")


@dataclass
class Tampering(httpx.AsyncBaseTransport):
    """Passes requests to the simulator; the chosen operations answer 200 with another body."""

    inner: httpx.AsyncBaseTransport
    bodies: dict[str, bytes] = field(default_factory=dict)

    def corrupt(self, operation: str, body: bytes) -> None:
        self.bodies[operation] = body

    def _operation(self, request: httpx.Request) -> str | None:
        for name in self.bodies:
            op = get_operation(name)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path))
            if request.method == op.method and re.fullmatch(pattern, request.url.path):
                return name
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        name = self._operation(request)
        if name is None:
            return response
        await response.aread()
        return httpx.Response(
            200,
            headers={"content-type": "application/json"},
            content=self.bodies[name],
            request=request,
        )


@dataclass
class Broken:
    """The simulator behind a tampering transport, the real client and a dispatcher."""

    sim: Sim
    transport: Tampering
    dispatcher: Dispatcher

    async def say(self, text: str) -> tuple[Severity, str]:
        reply = await self.dispatcher.handle(InvocationRequest(ALICE, "C-ops", text))
        return reply.severity, reply.text


@pytest.fixture
async def broken() -> AsyncIterator[Broken]:
    state = SimState(clock=SimClock(speed=0.0))
    transport = Tampering(httpx.ASGITransport(app=create_app(state)))
    async with DwsClient(TARGET, transport=transport) as client:
        dispatcher = Dispatcher(
            registry,
            bundled_policy("demo", registry),
            None,
            {"sim": client}.__getitem__,
            default_target="sim",
        )
        try:
            yield Broken(Sim(state, client), transport, dispatcher)
        finally:
            await dispatcher.aclose()


def a_cluster(broken: Broken) -> str:
    return str(next(iter(broken.sim.state.clusters.values())).name)


async def test_clusters_that_are_not_a_list(broken: Broken) -> None:
    broken.transport.corrupt("list_clusters", b'{"clusters": "oops"}')
    severity, text = await broken.say("/dws clusters")
    assert severity is Severity.ERROR
    assert text.startswith("list_clusters: unexpected answer from the service (clusters")
    assert "\n" not in text and "Traceback" not in text and "error id" not in text.lower()


@pytest.mark.parametrize(
    ("command", "operation", "body"),
    [
        ("/dws cluster {c}", "list_cluster_details", b'{"cluster": ["not", "an", "object"]}'),
        ("/dws nodes {c}", "list_cluster_nodes", b'{"node_list": [{"name": "no id"}]}'),
        ("/dws events", "list_events", b'{"events": {"event_id": "e-1"}}'),
        ("/dws alarms", "list_alarm_detail", b'{"alarm_details": 42}'),
        ("/dws dr", "list_disaster_recover", b'{"disaster_recovery": [{"name": "x"}]}'),
        ("/dws snapshots", "list_snapshots", b'{"snapshots": [[]]}'),
        ("/dws quotas", "list_quotas", b'{"quotas": "none"}'),
        ("/dws job 1234", "list_job_details", b"[]"),
        ("/dws queries {c}", "list_queries", b'{"data": "oops"}'),
        ("/dws azs", "list_availability_zones", b"<html>busy</html>"),
    ],
)
async def test_malformed_answers_name_the_operation(
    broken: Broken, command: str, operation: str, body: bytes
) -> None:
    broken.transport.corrupt(operation, body)
    severity, text = await broken.say(command.format(c=a_cluster(broken)))
    assert severity is Severity.ERROR
    assert text.startswith(f"{operation}: unexpected answer from the service (")
    assert "\n" not in text and "error id" not in text.lower()


async def test_a_change_with_a_malformed_answer_fails_in_one_line(broken: Broken) -> None:
    broken.transport.corrupt("restart_cluster", b'{"job_id": {"not": "text"}}')
    with pytest.raises(CommandFailure) as caught:
        await broken.sim.change("/dws restart reporting")
    assert caught.value.message.startswith("restart_cluster: unexpected answer from the service")
    assert "job_id" in caught.value.message


async def test_an_empty_change_answer_is_no_error(broken: Broken) -> None:
    broken.transport.corrupt("restart_cluster", b"")
    execution = await broken.sim.change("/dws restart reporting")
    assert execution.reply.title == "Restart cluster reporting: submitted"
    assert execution.job_id is None and execution.track


async def test_an_empty_read_answer_is_an_error(broken: Broken) -> None:
    broken.transport.corrupt("list_disaster_recover", b"")
    severity, text = await broken.say("/dws dr")
    assert severity is Severity.ERROR
    assert text.startswith("list_disaster_recover: unexpected answer from the service")


async def test_an_odd_value_in_a_lenient_field_is_no_error(broken: Broken) -> None:
    body = (
        b'{"clusters": [{"id": "c-1", "name": "odd", "status": "AVAILABLE",'
        b' "number_of_node": "N/A", "version": null}], "count": "1"}'
    )
    broken.transport.corrupt("list_clusters", body)
    reply = await broken.dispatcher.handle(InvocationRequest(ALICE, "C-ops", "/dws clusters"))
    assert reply.severity is Severity.INFO
    assert reply.rows == (("odd", "AVAILABLE", "", "", "c-1"),)

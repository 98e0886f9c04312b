"""The Socket Mode side of the fake Slack: the WebSocket endpoint apps.connections.open points to.

As Slack does (docs.slack.dev/apis/events-api/using-socket-mode): a URL from
apps.connections.open opens one connection, once; the server greets it with `hello`; each
envelope goes to one open connection chosen at random (an injectable `random.Random`); the
client acks with `{"envelope_id": ..., "payload": ...}`; `disconnect` messages ask it to move
to a new connection. Pings are answered with pongs by hand (aiohttp's autoping is off) so a
connection can be made half-open: it stays up but stops answering (`socket_stop_pongs`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web


@dataclass
class SocketConnection:
    """One client connection, what it was sent, and how many pings it sent."""

    id: int
    ws: web.WebSocketResponse
    answers_pings: bool = True
    pings: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)


async def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `condition` until it returns something truthy (returned), or TimeoutError."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := condition()):
        if loop.time() >= deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        await asyncio.sleep(0.005)
    return value


class FakeSocketMode:
    """Socket Mode state and controls; `FakeSlack` mixes it in and routes `/link/` here."""

    app_id: str

    def __init__(self, rng: random.Random | None = None) -> None:
        self.socket_connections: list[SocketConnection] = []  # every one, open or closed
        self.socket_acks: dict[str, dict[str, Any]] = {}  # envelope_id -> the client's ack
        self._rng = rng or random.Random()
        self._tickets: set[str] = set()
        self._connection_ids = itertools.count(1)

    def socket_ticket(self) -> str:
        """A one-use ticket for the URL apps.connections.open answers."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return ticket

    @property
    def socket_open(self) -> list[SocketConnection]:
        return [c for c in self.socket_connections if not c.ws.closed]

    async def _socket_endpoint(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid_ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        connection = SocketConnection(next(self._connection_ids), ws)
        self.socket_connections.append(connection)
        await self._socket_write(connection, self._hello())
        async for message in ws:
            if message.type == WSMsgType.PING:
                connection.pings += 1
                if connection.answers_pings:
                    await ws.pong(message.data)
            elif message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                if "envelope_id" in ack:
                    self.socket_acks[ack["envelope_id"]] = ack
        return ws

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self.socket_open),
            "debug_info": {
                "host": "applink-fake",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }

    @staticmethod
    async def _socket_write(connection: SocketConnection, message: dict[str, Any]) -> None:
        connection.sent.append(message)
        await connection.ws.send_str(json.dumps(message, separators=(",", ":")))

    async def socket_send(
        self, envelope: dict[str, Any], *, connection: int | None = None, timeout: float = 10.0
    ) -> int:
        """Deliver `envelope` to the open connection `connection`, or to one chosen at random
        as Slack does (waiting up to `timeout` for one to open); returns the connection id."""
        target: SocketConnection
        if connection is None:
            target = self._rng.choice(await wait_for(lambda: self.socket_open, timeout))
        else:
            target = next(c for c in self.socket_open if c.id == connection)
        await self._socket_write(target, envelope)
        return target.id

    async def socket_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any] | None:
        """The payload the client acked `envelope_id` with (None for a bare ack), waiting up to
        `timeout` for the ack."""
        ack = await wait_for(lambda: self.socket_acks.get(envelope_id), timeout)
        payload: dict[str, Any] | None = ack.get("payload")
        return payload

    def _chosen(self, connection: int | None) -> list[SocketConnection]:
        return [c for c in self.socket_open if connection in (None, c.id)]

    async def socket_disconnect(
        self, reason: str = "refresh_requested", connection: int | None = None
    ) -> None:
        """Send Slack's `disconnect` message (to one connection, or all open ones)."""
        for target in self._chosen(connection):
            message = {"type": "disconnect", "reason": reason}
            await self._socket_write(target, message | {"debug_info": {"host": "applink-fake"}})

    def socket_stop_pongs(self, connection: int | None = None) -> None:
        """Make connections half-open: still up, but pings get no pong."""
        for target in self._chosen(connection):
            target.answers_pings = False

    async def socket_close(self, connection: int | None = None) -> None:
        """Drop connections from Slack's side (all open ones by default)."""
        for target in self._chosen(connection):
            await target.ws.close(code=WSCloseCode.GOING_AWAY)

"""A stateful fake of Slack on 127.0.0.1 for tests: the Web API, response_urls and Socket Mode.

```python
async with FakeSlack() as slack:                      # an aiohttp server on an ephemeral port
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    slack.set_channel("C1", "ops")                     # channels, users, user groups: seeded
    url = slack.response_url("C1", user="U1")          # a response_url that records its posts
    slack.fail_next("chat.postMessage", error="not_in_channel")
    slack.rate_limit("chat.update", retry_after=1)     # HTTP 429 with Retry-After
    held = slack.hold("users.info")                    # answers wait until held.release()
    await slack.wait_for(lambda: slack.calls_to("chat.update"))
```
Requests are read as Slack reads them: query arguments, then the body by its Content-Type
(form fields, or a JSON object whose token must come in `Authorization: Bearer`). Every call
is recorded in `calls` (refused ones too) before its answer is sent. The answers come from
fake_web_api.WebApi (state and rules); Socket Mode lives in fake_socket.FakeSocketMode.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiohttp import web

from bot.slack.manifest import bot_scopes
from tests.bot.slack.fake_rules import SlackFailure
from tests.bot.slack.fake_socket import FakeSocketMode, wait_for
from tests.bot.slack.fake_web_api import Channel, ResponseUrl, WebApi
from tests.bot.slack.payloads import WORKSPACE, Workspace

# Slack: "up to 5 times within 30 minutes". What a spent URL answers is not documented; the
# fake answers HTTP 404 with the body `expired_url`, as Slack's hooks answer errors (plain text).
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = 30 * 60
CONNECTIONS_OPEN = "apps.connections.open"  # answered here: it needs the Socket Mode endpoint


@dataclass
class Call:
    """One request to the Web API or a response_url, and what the fake answered."""

    method: str  # "chat.postMessage", or "response_url"
    args: dict[str, Any]
    headers: dict[str, str]
    time: float
    status: int = 200
    response: Any = None
    peer: str = ""
    """The caller's address and port: calls sharing it came over one kept-alive connection."""


class _Answer(NamedTuple):
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class _Fault:
    times: int
    status: int
    error: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hold:
    """Calls of one method kept waiting for their answer until `release()`."""

    waiting: int = 0
    """How many calls have arrived (and waited) so far."""
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.released.set()


def _peer(request: web.Request) -> str:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return f"{peer[0]}:{peer[1]}" if peer else ""


class FakeSlack(FakeSocketMode):
    """The fake workspace and its server; use as `async with FakeSlack(...) as slack`."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test",
        app_token: str = "xapp-1-test",
        team_id: str = WORKSPACE.team_id,
        team_domain: str = WORKSPACE.team_domain,
        bot_user_id: str = WORKSPACE.bot_user_id,
        bot_id: str = "B0BOT",
        app_id: str = WORKSPACE.api_app_id,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(rng)
        self.bot_token = bot_token
        self.app_token = app_token
        self.app_id = app_id
        self.clock = clock
        self.workspace = Workspace(team_id, team_domain, app_id, bot_user_id)
        self.api = WebApi(self.workspace, bot_id, clock)
        self.calls: list[Call] = []
        self.scopes: list[str] = bot_scopes()
        """What the installed app was granted (Slack's ``x-oauth-scopes`` answer header)."""
        self._hooks: dict[str, ResponseUrl] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._holds: dict[str, Hold] = {}
        self._hook_ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._web_api)
        app.router.add_post("/{kind:commands|actions}/{team}/{n}/{key}", self._response_url)
        app.router.add_get("/link/", self._socket_endpoint)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for hold in self._holds.values():  # a test that failed holding calls ends all the same
            hold.release()
        await self.socket_close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests read -----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The base_url for `AsyncWebClient`."""
        return f"{self.base_url}/api/"

    @property
    def messages(self) -> dict[str, dict[str, dict[str, Any]]]:
        """channel -> ts -> the bot's message as Slack stores it (thread replies included)."""
        return self.api.messages

    @property
    def ephemeral(self) -> list[dict[str, Any]]:
        """Messages only one user sees (chat.postEphemeral and response_url), in order."""
        return self.api.ephemeral

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        return self.api.users

    @property
    def usergroups(self) -> dict[str, dict[str, Any]]:
        return self.api.usergroups

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """view id -> the view as last opened, updated or published."""
        return self.api.views.views

    @property
    def home(self) -> dict[str, dict[str, Any]]:
        """user id -> the Home view published for them."""
        return self.api.views.home

    def history(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """Every version of a message, first the one posted (a deletion ends it)."""
        return self.api.versions[(channel, ts)]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    wait_for = staticmethod(wait_for)

    # --- what tests set up ---------------------------------------------------------------------

    def set_channel(
        self,
        channel_id: str,
        name: str = "",
        *,
        private: bool = False,
        member: bool = True,
        members: set[str] | None = None,
        archived: bool = False,
    ) -> None:
        """Add or replace a channel; `member` is whether the bot is in it."""
        channel = Channel(
            channel_id, name or channel_id.lower(), private, member, members, archived
        )
        self.api.channels[channel_id] = channel

    def add_user(self, user_id: str, name: str, **details: Any) -> dict[str, Any]:
        """Seed a user (real_name, display_name, team, is_bot)."""
        return self.api.add_user(user_id, name, **details)

    def add_usergroup(
        self, group_id: str, handle: str, users: list[str], name: str = ""
    ) -> dict[str, Any]:
        """Seed a user group (`users`: member ids)."""
        return self.api.add_usergroup(group_id, handle, users, name)

    def trigger_id(self) -> str:
        """A trigger_id views.open accepts once, within 3 s (put it in a payload)."""
        return self.api.views.issue_trigger()

    def response_url(
        self, channel: str, *, user: str | None = None, message_ts: str | None = None
    ) -> str:
        """A response_url for `channel`: of a slash command, or of a click on `message_ts`
        (a channel or ephemeral message), which replace_original / delete_original act on."""
        n = next(self._hook_ids)
        kind = "actions" if message_ts else "commands"
        key = f"{kind}/{self.workspace.team_id}/{n}/{n:024x}"
        self._hooks[key] = ResponseUrl(channel, user, message_ts, self.clock())
        return f"{self.base_url}/{key}"

    def fail_next(self, method: str, *, error: str, times: int = 1, status: int = 200) -> None:
        """Answer the next `times` calls of `method` with `{"ok": false, "error": error}`."""
        self._faults.setdefault(method, []).append(_Fault(times, status, error))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and Retry-After."""
        headers = {"Retry-After": str(retry_after)}
        self._faults.setdefault(method, []).append(_Fault(times, 429, "ratelimited", headers))

    def hold(self, method: str) -> Hold:
        """Keep the calls of `method` waiting until the hold is released (work caught in
        flight); then they are answered as usual."""
        self._holds[method] = hold = Hold()
        return hold

    # --- the Web API ---------------------------------------------------------------------------

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        hold = self._holds.get(method)
        if hold is not None:
            hold.waiting += 1
            await hold.released.wait()
        args: dict[str, Any] = dict(request.query)
        is_json = request.content_type == "application/json"
        try:
            args |= await self._body(request, is_json)
            token = self._token(request, args, is_json)
            answer = self._answer(method, args, token)
        except SlackFailure as failure:  # an unreadable body
            answer = _Answer(200, {}, {"ok": False, "error": failure.error})
        call = Call(
            method,
            args,
            dict(request.headers),
            self.clock(),
            answer.status,
            answer.body,
            _peer(request),
        )
        self.calls.append(call)
        headers = {**(answer.headers or {}), "x-oauth-scopes": ",".join(self.scopes)}
        return web.json_response(answer.body, status=answer.status, headers=headers)

    @staticmethod
    async def _body(request: web.Request, is_json: bool) -> dict[str, Any]:
        if not is_json:
            return {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise SlackFailure("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackFailure("json_not_object")
        return body

    @staticmethod
    def _token(request: web.Request, args: dict[str, Any], is_json: bool) -> str | None:
        form_token = args.pop("token", None)  # Slack ignores a token inside a JSON body
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme == "Bearer" and token:
            return token
        return None if is_json else form_token

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> _Answer:
        if method not in self.api.methods and method != CONNECTIONS_OPEN:
            return _Answer(200, {}, {"ok": False, "error": "unknown_method"})
        refused = self._auth_error(method, token)
        if refused:
            return _Answer(200, {}, {"ok": False, "error": refused})
        fault = self._take_fault(method)
        if fault is not None:
            return _Answer(fault.status, fault.headers, {"ok": False, "error": fault.error})
        if method == CONNECTIONS_OPEN:
            ws_url = self.base_url.replace("http://", "ws://")
            url = f"{ws_url}/link/?ticket={self.socket_ticket()}&app_id={self.app_id}"
            return _Answer(200, {}, {"ok": True, "url": url})
        try:
            return _Answer(200, {}, {"ok": True, **self.api.call(method, args)})
        except SlackFailure as failure:
            return _Answer(200, {}, {"ok": False, "error": failure.error, **failure.extra})

    def _auth_error(self, method: str, token: str | None) -> str | None:
        """Slack's answer to a missing, unknown or wrong kind of token (app vs bot)."""
        if not token:
            return "not_authed"
        if token not in (self.bot_token, self.app_token):
            return "invalid_auth"
        wanted = self.app_token if method == CONNECTIONS_OPEN else self.bot_token
        return None if token == wanted else "not_allowed_token_type"

    def _take_fault(self, method: str) -> _Fault | None:
        faults = self._faults.get(method)
        if not faults:
            return None
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        return fault

    # --- response_url --------------------------------------------------------------------------

    async def _response_url(self, request: web.Request) -> web.Response:
        key = request.path.lstrip("/")
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        status, text = self._respond(self._hooks.get(key), body)
        call = Call(
            "response_url",
            {"url": key, **(body if isinstance(body, dict) else {})},
            dict(request.headers),
            self.clock(),
            status,
            text,
            _peer(request),
        )
        self.calls.append(call)
        return web.Response(status=status, text=text)

    def _respond(self, hook: ResponseUrl | None, body: Any) -> tuple[int, str]:
        if hook is None:
            return 404, "no_service"
        if not isinstance(body, dict):
            return 400, "invalid_payload"
        hook.posts += 1
        spent = hook.posts > RESPONSE_URL_USES
        if spent or self.clock() - hook.issued > RESPONSE_URL_LIFETIME:
            return 404, "expired_url"
        try:
            self.api.respond(hook, body)
        except SlackFailure as failure:
            return (404 if failure.error == "message_not_found" else 400), failure.error
        return 200, "ok"

"""What Slack sends to the bot, built exactly as Slack sends it: signed HTTP requests and Socket
Mode envelopes for slash commands, interactions (block_actions, view_submission) and events.

Payloads are plain data (the fields and their order as Slack's payload reference shows them);
`signed_command` / `signed_interactive` / `signed_event` encode them (form fields,
`payload=<urlencoded JSON>`, JSON) and sign them as Slack does: `v0=` + HMAC-SHA256 of
`v0:{timestamp}:{body}` under the signing secret (`slack_sdk.signature.SignatureVerifier`). The
signing options forge what an attacker or a slow network sends: another secret, an old
timestamp (`age`), missing headers (`omit`), Events API redelivery headers (`retry_num`).
A `SignedRequest` unpacks as `(body, headers)` for httpx.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SIGNATURE = "X-Slack-Signature"
TIMESTAMP = "X-Slack-Request-Timestamp"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Workspace:
    """The workspace and app a payload comes from (the fake Slack's defaults)."""

    team_id: str = "T0TEST"
    team_domain: str = "dwsbot-test"
    api_app_id: str = "A0TEST"
    bot_user_id: str = "U0BOT"
    verification_token: str = "fake-verification-token"  # the deprecated `token` field


WORKSPACE = Workspace()


class SignedRequest(NamedTuple):
    """An HTTP request body and the headers Slack sends with it."""

    body: bytes
    headers: dict[str, str]


def _action_ts() -> str:
    return f"{time.time():.6f}"


def slash_command(
    *,
    command: str = "/dws",
    text: str = "",
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
    workspace: Workspace = WORKSPACE,
) -> dict[str, str]:
    """The form fields of a slash command, in Slack's order."""
    return {
        "token": workspace.verification_token,
        "team_id": workspace.team_id,
        "team_domain": workspace.team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": workspace.api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def _user(user_id: str, user_name: str, workspace: Workspace) -> dict[str, str]:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": workspace.team_id}


def _button(message: Mapping[str, Any] | None, action_id: str) -> tuple[str | None, Any]:
    """The block_id and the element of the button `action_id` in a message's blocks, which
    Slack reads from the message that was clicked."""
    for block in (message or {}).get("blocks", []):
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, {}


def block_actions(
    *,
    action_id: str,
    value: str,
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
    message: Mapping[str, Any] | None = None,
    message_ts: str | None = None,
    block_id: str | None = None,
    workspace: Workspace = WORKSPACE,
) -> dict[str, Any]:
    """A click on a button: of `message` (a channel message, as stored by the fake), or of the
    ephemeral message `message_ts` (Slack sends no `message` for an ephemeral one)."""
    if message is None and message_ts is None:
        raise TypeError("block_actions needs the message clicked, or an ephemeral message_ts")
    found_block, button = _button(message, action_id)
    action = {
        "action_id": action_id,
        "block_id": block_id or found_block or "actions",
        "text": button.get("text") or {"type": "plain_text", "text": action_id, "emoji": True},
        "value": value,
        "type": "button",
        "action_ts": _action_ts(),
    }
    if "style" in button:
        action["style"] = button["style"]
    container = {
        "type": "message",
        "message_ts": message["ts"] if message else message_ts,
        "channel_id": channel_id,
        "is_ephemeral": message is None,
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name, workspace),
        "api_app_id": workspace.api_app_id,
        "token": workspace.verification_token,
        "container": container,
        "trigger_id": trigger_id,
        "team": {"id": workspace.team_id, "domain": workspace.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": channel_name},
    }
    if message is not None:
        payload["message"] = dict(message)
    return payload | {"state": {"values": {}}, "response_url": response_url, "actions": [action]}


def text_input(value: str) -> dict[str, Any]:
    """The state value of a plain_text_input."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str, text: str) -> dict[str, Any]:
    """The state value of a static_select with an option chosen."""
    option = {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}
    return {"type": "static_select", "selected_option": option}


def view_submission(
    *,
    view: Mapping[str, Any],
    values: Mapping[str, Mapping[str, Any]],
    user_id: str,
    user_name: str,
    trigger_id: str,
    response_urls: Iterable[Mapping[str, str]] = (),
    workspace: Workspace = WORKSPACE,
) -> dict[str, Any]:
    """The submission of `view` (as views.open answered it) with `values`
    (block_id -> action_id -> `text_input(...)` / `static_select(...)`)."""
    return {
        "type": "view_submission",
        "team": {"id": workspace.team_id, "domain": workspace.team_domain},
        "user": _user(user_id, user_name, workspace),
        "api_app_id": workspace.api_app_id,
        "token": workspace.verification_token,
        "trigger_id": trigger_id,
        "view": {**view, "state": {"values": {k: dict(v) for k, v in values.items()}}},
        "response_urls": [dict(url) for url in response_urls],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def event_callback(
    event: Mapping[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    workspace: Workspace = WORKSPACE,
) -> dict[str, Any]:
    """An Events API delivery of `event`."""
    authorization = {
        "enterprise_id": None,
        "team_id": workspace.team_id,
        "user_id": workspace.bot_user_id,
        "is_bot": True,
        "is_enterprise_install": False,
    }
    return {
        "token": workspace.verification_token,
        "team_id": workspace.team_id,
        "api_app_id": workspace.api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):010d}",
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [authorization],
        "is_ext_shared_channel": False,
    }


def app_home_opened(
    user_id: str, channel_id: str, *, tab: str = "home", view: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The app_home_opened event (with the published Home view, once there is one)."""
    event: dict[str, Any] = {"type": "app_home_opened", "user": user_id, "channel": channel_id}
    event |= {"tab": tab, "event_ts": _action_ts()}
    return event | ({"view": dict(view)} if view is not None else {})


def url_verification(challenge: str, workspace: Workspace = WORKSPACE) -> dict[str, str]:
    """The challenge Slack sends when the Events API request URL is saved."""
    return {
        "token": workspace.verification_token,
        "challenge": challenge,
        "type": "url_verification",
    }


def sign(
    body: bytes,
    content_type: str,
    *,
    secret: str,
    age: int = 0,
    omit: Iterable[str] = (),
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> SignedRequest:
    """Sign `body` as Slack does, `age` seconds ago; `omit` drops headers by name; `retry_num`
    adds the Events API redelivery headers."""
    timestamp = str(int(time.time()) - age)
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "Content-Type": content_type,
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    headers |= {TIMESTAMP: timestamp, SIGNATURE: signature or ""}
    if retry_num is not None:
        headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
    dropped = {name.lower() for name in omit}
    return SignedRequest(body, {k: v for k, v in headers.items() if k.lower() not in dropped})


def signed_command(fields: Mapping[str, str], *, secret: str, **options: Any) -> SignedRequest:
    """A slash command as Slack posts it (form-encoded)."""
    return sign(urlencode(fields).encode(), FORM, secret=secret, **options)


def signed_interactive(payload: Mapping[str, Any], *, secret: str, **options: Any) -> SignedRequest:
    """An interaction as Slack posts it (`payload=<urlencoded JSON>`)."""
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    return sign(body, FORM, secret=secret, **options)


def signed_event(payload: Mapping[str, Any], *, secret: str, **options: Any) -> SignedRequest:
    """An Events API delivery as Slack posts it (JSON)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return sign(body, JSON, secret=secret, **options)


def envelope(
    kind: str,
    payload: Mapping[str, Any],
    *,
    accepts_response_payload: bool,
    envelope_id: str | None = None,
    retry: tuple[int, str] | None = None,
) -> dict[str, Any]:
    """A Socket Mode envelope of `kind` (slash_commands, interactive, events_api); `retry` is
    (retry_attempt, retry_reason), which Slack sends with events only."""
    message: dict[str, Any] = {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "payload": dict(payload),
        "type": kind,
        "accepts_response_payload": accepts_response_payload,
    }
    if retry is not None:
        message["retry_attempt"], message["retry_reason"] = retry
    return message


def command_envelope(fields: Mapping[str, str], envelope_id: str | None = None) -> dict[str, Any]:
    """A slash command over Socket Mode (the same fields, as JSON strings)."""
    return envelope(
        "slash_commands", fields, accepts_response_payload=True, envelope_id=envelope_id
    )


def interactive_envelope(
    payload: Mapping[str, Any], envelope_id: str | None = None
) -> dict[str, Any]:
    """An interaction over Socket Mode; a view_submission's ack may carry a response."""
    accepts = payload.get("type") == "view_submission"
    return envelope(
        "interactive", payload, accepts_response_payload=accepts, envelope_id=envelope_id
    )


def event_envelope(
    payload: Mapping[str, Any],
    *,
    retry_attempt: int = 0,
    retry_reason: str = "",
    envelope_id: str | None = None,
) -> dict[str, Any]:
    """An Events API delivery over Socket Mode, with its redelivery count and reason."""
    retry = (retry_attempt, retry_reason)
    return envelope(
        "events_api", payload, accepts_response_payload=False, envelope_id=envelope_id, retry=retry
    )

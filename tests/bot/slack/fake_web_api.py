"""The state and rules of the fake Slack Web API, without HTTP (moto's split).

`WebApi.call(method, args)` answers one Web API call from its merged arguments (query, form or
JSON) with Slack's answer body, or raises `SlackFailure(error)`, which the server turns into
`{"ok": false, "error": ...}`. Answer shapes and error names follow Slack's method reference
(docs.slack.dev/reference/methods/...). Authentication, fault injection and recording belong to
the server (fake_slack.py), and so does apps.connections.open; response_url posts land in
`respond`. Every version of a message is kept (`versions`), so tests can read its edits.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.bot.slack.fake_rules import (
    MAX_MESSAGE_BLOCKS,
    SlackFailure,
    block_errors,
    json_arg,
    truthy,
)
from tests.bot.slack.fake_views import Views
from tests.bot.slack.payloads import Workspace

Record = dict[str, Any]


@dataclass
class Channel:
    """A conversation: `member` is whether the bot is in it; `members` None means everyone."""

    id: str
    name: str
    private: bool = False
    member: bool = True
    members: set[str] | None = None
    archived: bool = False

    def info(self) -> Record:
        is_im = self.id.startswith("D")
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not is_im and not self.private,
            "is_group": False,
            "is_im": is_im,
            "is_private": self.private or is_im,
            "is_archived": self.archived,
            "is_member": self.member,
        }


@dataclass
class ResponseUrl:
    """One response_url: where it posts, and the message a replace_original edits."""

    channel: str
    user: str | None
    message_ts: str | None
    issued: float
    posts: int = 0


class Timestamps:
    """Slack message timestamps ("1733212345.000100"): from the clock, strictly increasing."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._last = 0

    def next(self) -> str:
        micros = max(int(self._clock() * 1_000_000), self._last + 1)
        self._last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _user(user_id: str, team_id: str, name: str, real_name: str, display_name: str) -> Record:
    profile = {
        "real_name": real_name,
        "display_name": display_name,
        "real_name_normalized": real_name,
        "display_name_normalized": display_name,
        "team": team_id,
    }
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": "UTC",
        "is_admin": False,
        "is_owner": False,
        "is_bot": False,
        "is_app_user": False,
        "profile": profile,
    }


class WebApi:
    """Workspace state (channels, users, groups, messages, views) and the methods over it."""

    def __init__(self, workspace: Workspace, bot_id: str, clock: Callable[[], float]) -> None:
        self.workspace = workspace
        self.bot_id = bot_id
        self.clock = clock
        self.ts = Timestamps(clock)
        self.channels: dict[str, Channel] = {}
        self.users: dict[str, Record] = {}
        self.usergroups: dict[str, Record] = {}
        self.messages: dict[str, dict[str, Record]] = {}
        self.versions: dict[tuple[str, str], list[Record]] = {}
        self.ephemeral: list[Record] = []
        self._block_ids = itertools.count(0x1000)
        self.views = Views(workspace, bot_id, clock, self.users)
        self.add_user(workspace.bot_user_id, "dwsbot", is_bot=True)
        self.methods: dict[str, Callable[[Record], Record]] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "conversations.info": self.conversations_info,
            "views.open": self.views.open,
            "views.update": self.views.update,
            "views.publish": self.views.publish,
            "users.info": self.users_info,
            "usergroups.list": self.usergroups_list,
            "usergroups.users.list": self.usergroups_users_list,
        }

    def add_user(
        self,
        user_id: str,
        name: str,
        real_name: str = "",
        display_name: str = "",
        team: str | None = None,
        is_bot: bool = False,
    ) -> Record:
        """Seed a user (users.info's shape); returns the stored record."""
        team_id = team or self.workspace.team_id
        user = _user(user_id, team_id, name, real_name or name, display_name)
        user |= {"is_bot": is_bot, "updated": int(self.clock())}
        self.users[user_id] = user
        return user

    def add_usergroup(self, group_id: str, handle: str, users: list[str], name: str = "") -> Record:
        """Seed a user group (usergroups.list's shape); returns the stored record."""
        now = int(self.clock())
        self.usergroups[group_id] = {
            "id": group_id,
            "team_id": self.workspace.team_id,
            "is_usergroup": True,
            "name": name or handle,
            "description": "",
            "handle": handle,
            "is_external": False,
            "date_create": now,
            "date_update": now,
            "date_delete": 0,
            "auto_type": None,
            "created_by": self.workspace.bot_user_id,
            "prefs": {"channels": [], "groups": []},
            "users": list(users),
            "user_count": len(users),
        }
        return self.usergroups[group_id]

    def call(self, method: str, args: Record) -> Record:
        """The answer (without "ok") of one of `methods`."""
        return self.methods[method](args)

    # --- messages ------------------------------------------------------------------------------

    def _conversation(self, channel_id: Any) -> Channel:
        if isinstance(channel_id, str) and channel_id in self.users:
            dm = "D" + channel_id[1:]  # posting to a user id writes into the app's DM with them
            self.channels.setdefault(dm, Channel(dm, channel_id, members={channel_id}))
            channel_id = dm
        channel = self.channels.get(channel_id) if isinstance(channel_id, str) else None
        if channel is None or (channel.private and not channel.member):
            raise SlackFailure("channel_not_found")
        return channel

    def _writable(self, channel_id: Any) -> Channel:
        channel = self._conversation(channel_id)
        if not channel.member:
            raise SlackFailure("not_in_channel")
        if channel.archived:
            raise SlackFailure("is_archived")
        return channel

    def content(self, args: Record) -> Record:
        """The text / blocks / attachments a call gives, blocks checked and, as Slack does,
        given a block_id where they have none."""
        content = {key: args[key] for key in ("text",) if key in args}
        for key in ("blocks", "attachments"):
            if key in args:  # a copy: `calls` keeps what was sent
                content[key] = copy.deepcopy(json_arg(args, key))
        errors = block_errors(content.get("blocks", []), max_blocks=MAX_MESSAGE_BLOCKS)
        if errors:
            array = "must be an array" in errors[0]
            raise SlackFailure("invalid_blocks_format" if array else "invalid_blocks", errors)
        for block in content.get("blocks", []):
            block.setdefault("block_id", f"{next(self._block_ids):x}B")
        return content

    @staticmethod
    def _has_content(message: Record) -> bool:
        return any(message.get(key) for key in ("text", "blocks", "attachments"))

    def post(self, channel: str, content: Record, thread_ts: Any = None) -> Record:
        """Store a new message of the bot in `channel` (a thread reply when thread_ts is set)."""
        if not self._has_content(content):
            raise SlackFailure("no_text")
        parent = self.messages.get(channel, {}).get(thread_ts) if thread_ts else None
        if thread_ts and parent is None:  # stricter than Slack, which posts it unthreaded
            raise SlackFailure("thread_not_found")
        ts = self.ts.next()
        ws = self.workspace
        message = {
            "type": "message",
            "user": ws.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": ws.api_app_id,
            "team": ws.team_id,
            "text": "",
            "ts": ts,
        }
        message.update({key: value for key, value in content.items() if value})
        if parent is not None:
            parent = self.messages[channel][parent.get("thread_ts") or parent["ts"]]
            message["thread_ts"] = parent["thread_ts"] = parent["ts"]
            parent.setdefault("replies", []).append({"user": ws.bot_user_id, "ts": ts})
            parent["reply_count"] = len(parent["replies"])
        self.messages.setdefault(channel, {})[ts] = message
        self.versions[(channel, ts)] = [copy.deepcopy(message)]
        return message

    def edit(self, channel: str, message: Record, content: Record) -> None:
        """Replace what `content` gives (an empty list removes); keep the rest, as Slack does."""
        edited = {key: value for key, value in (message | content).items() if value != []}
        if not self._has_content(edited):
            raise SlackFailure("no_text")
        message.clear()
        message.update(edited, edited={"user": self.workspace.bot_user_id, "ts": self.ts.next()})
        self.versions[(channel, message["ts"])].append(copy.deepcopy(message))

    def add_ephemeral(
        self, channel: str, user: Any, content: Record, via: str, thread_ts: Any = None
    ) -> Record:
        """Store a message only `user` sees (`via` chat.postEphemeral or response_url)."""
        if not self._has_content(content):
            raise SlackFailure("no_text")
        entry = {"channel": channel, "user": user, "ts": self.ts.next(), "via": via, **content}
        if thread_ts:
            entry["thread_ts"] = thread_ts
        self.ephemeral.append(entry)
        self.versions[(channel, entry["ts"])] = [copy.deepcopy(entry)]
        return entry

    def chat_post_message(self, args: Record) -> Record:
        channel = self._writable(args.get("channel"))
        message = self.post(channel.id, self.content(args), args.get("thread_ts"))
        return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}

    def chat_update(self, args: Record) -> Record:
        channel = self._conversation(args.get("channel"))
        message = self.messages.get(channel.id, {}).get(args.get("ts") or "")
        if message is None:
            raise SlackFailure("message_not_found")
        if message.get("bot_id") != self.bot_id:
            raise SlackFailure("cant_update_message")
        self.edit(channel.id, message, self.content(args))
        answer = {"channel": channel.id, "ts": message["ts"], "text": message["text"]}
        return answer | {"message": copy.deepcopy(message)}

    def chat_post_ephemeral(self, args: Record) -> Record:
        channel = self._writable(args.get("channel"))
        user = args.get("user")
        if user not in self.users or (channel.members is not None and user not in channel.members):
            raise SlackFailure("user_not_in_channel")
        content = self.content(args)
        entry = self.add_ephemeral(
            channel.id, user, content, "chat.postEphemeral", args.get("thread_ts")
        )
        return {"message_ts": entry["ts"]}

    def conversations_info(self, args: Record) -> Record:
        return {"channel": self._conversation(args.get("channel")).info()}

    # --- response_url --------------------------------------------------------------------------

    def _original(self, hook: ResponseUrl) -> Record | None:
        found = self.messages.get(hook.channel, {}).get(hook.message_ts or "")
        ephemeral = (
            e for e in self.ephemeral if (e["channel"], e["ts"]) == (hook.channel, hook.message_ts)
        )
        return found or next(ephemeral, None)

    def respond(self, hook: ResponseUrl, body: Record) -> None:
        """A post to a response_url: a new (ephemeral by default) message, or an edit or a
        deletion of the message the URL belongs to (after its first post: the one it made)."""
        content, original = self.content(body), self._original(hook)
        if truthy(body.get("delete_original")) or truthy(body.get("replace_original")):
            if original is None:
                raise SlackFailure("message_not_found")
            if truthy(body.get("delete_original")):
                self._delete(hook.channel, original)
            else:
                self.edit(hook.channel, original, content)
            return
        if body.get("response_type") == "in_channel":
            made = self.post(hook.channel, content, body.get("thread_ts"))
        else:
            thread_ts = body.get("thread_ts")
            made = self.add_ephemeral(hook.channel, hook.user, content, "response_url", thread_ts)
        hook.message_ts = hook.message_ts or made["ts"]

    def _delete(self, channel: str, message: Record) -> None:
        if message in self.ephemeral:
            self.ephemeral.remove(message)
        else:
            del self.messages[channel][message["ts"]]
        self.versions[(channel, message["ts"])].append({"ts": message["ts"], "deleted": True})

    # --- users and groups ----------------------------------------------------------------------

    def users_info(self, args: Record) -> Record:
        user = self.users.get(args.get("user") or "")
        if user is None:
            raise SlackFailure("user_not_found")
        return {"user": copy.deepcopy(user)}

    def usergroups_list(self, args: Record) -> Record:
        groups = copy.deepcopy(list(self.usergroups.values()))
        if not truthy(args.get("include_users")):
            for group in groups:
                del group["users"]
        return {"usergroups": groups}

    def usergroups_users_list(self, args: Record) -> Record:
        group = self.usergroups.get(args.get("usergroup") or "")
        if group is None:
            raise SlackFailure("no_such_subteam")
        return {"users": list(group["users"])}

    def auth_test(self, args: Record) -> Record:
        ws = self.workspace
        return {
            "url": f"https://{ws.team_domain}.slack.com/",
            "team": ws.team_domain,
            "user": self.users[ws.bot_user_id]["name"],
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

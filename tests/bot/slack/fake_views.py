"""Modals and Home tabs of the fake Slack: views.open / views.update / views.publish.

A modal opens only with a trigger_id the fake issued (`issue_trigger`, what a payload carries),
once, within 3 seconds (`invalid_trigger_id`, `exchanged_trigger_id`, `expired_trigger_id`).
Stored views have Slack's view object shape; `hash` changes with every version, and an update
or publish that names a stale hash answers `hash_conflict`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.bot.slack.fake_rules import SlackFailure, json_arg, view_errors
from tests.bot.slack.payloads import Workspace

TRIGGER_LIFETIME = 3.0  # seconds a trigger_id can open a modal
_GIVEN = (
    "blocks",
    "private_metadata",
    "callback_id",
    "title",
    "close",
    "submit",
    "clear_on_close",
    "notify_on_close",
    "external_id",
)


class Views:
    """Views by id, the Home view of each user, and the trigger_ids issued."""

    def __init__(
        self,
        workspace: Workspace,
        bot_id: str,
        clock: Callable[[], float],
        users: dict[str, dict[str, Any]],
    ) -> None:
        self.workspace = workspace
        self.bot_id = bot_id
        self.clock = clock
        self.users = users
        self.views: dict[str, dict[str, Any]] = {}
        self.home: dict[str, dict[str, Any]] = {}
        self.triggers: dict[str, float | None] = {}  # trigger -> issued at, None once used
        self._ids = itertools.count(1)

    def issue_trigger(self) -> str:
        """A fresh trigger_id, as Slack puts in a slash command or interaction payload."""
        n = next(self._ids)
        trigger = f"{n}{int(self.clock())}.{n}.{n:032x}"
        self.triggers[trigger] = self.clock()
        return trigger

    def _given(self, args: dict[str, Any], kind: str) -> dict[str, Any]:
        view = json_arg(args, "view")
        errors = view_errors(view, kind=kind)
        if errors:
            raise SlackFailure("invalid_arguments", errors)
        return {key: view[key] for key in _GIVEN if key in view} | {"type": kind}

    def _store(self, view: dict[str, Any], old: dict[str, Any] | None = None) -> dict[str, Any]:
        view_id = old["id"] if old else f"V{next(self._ids):010d}"
        ws = self.workspace
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": ws.team_id,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": f"{int(self.clock())}.{next(self._ids):08x}",
            "title": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": old["previous_view_id"] if old else None,
            "root_view_id": old["root_view_id"] if old else view_id,
            "app_id": ws.api_app_id,
            "external_id": "",
            "app_installed_team_id": ws.team_id,
            "bot_id": self.bot_id,
        }
        stored.update(view)
        self.views[view_id] = stored
        return stored

    def open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = args.get("trigger_id")
        if not trigger:
            raise SlackFailure("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if trigger not in self.triggers:
            raise SlackFailure("invalid_trigger_id")
        issued = self.triggers[trigger]
        if issued is None:
            raise SlackFailure("exchanged_trigger_id")
        if self.clock() - issued > TRIGGER_LIFETIME:
            raise SlackFailure("expired_trigger_id")
        view = self._given(args, "modal")
        self.triggers[trigger] = None
        return {"view": self._store(view)}

    def update(self, args: dict[str, Any]) -> dict[str, Any]:
        external_id = args.get("external_id")
        if args.get("view_id"):
            old = self.views.get(args["view_id"])
        elif external_id:
            old = next((v for v in self.views.values() if v["external_id"] == external_id), None)
        else:
            raise SlackFailure("invalid_arguments", ["[ERROR] view_id or external_id required"])
        if old is None:
            raise SlackFailure("not_found")
        if args.get("hash") and args["hash"] != old["hash"]:
            raise SlackFailure("hash_conflict")
        return {"view": self._store(self._given(args, old["type"]), old)}

    def publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user_id") or ""
        if user_id not in self.users:
            raise SlackFailure("invalid_arguments", ["[ERROR] invalid user_id"])
        old = self.home.get(user_id)
        if old is not None and args.get("hash") and args["hash"] != old["hash"]:
            raise SlackFailure("hash_conflict")
        self.home[user_id] = self._store(self._given(args, "home"), old)
        return {"view": self.home[user_id]}

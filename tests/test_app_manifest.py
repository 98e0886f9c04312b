"""app_manifest.yml is a valid Slack app manifest (Slack's own JSON schema, draft-07) and declares
the /dws command the bot answers."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(__file__).parent / "data" / "slack-manifest.schema.1.0.0.json"


def load_manifest() -> dict:
    return yaml.safe_load((ROOT / "app_manifest.yml").read_text("utf-8"))


def test_manifest_matches_slacks_schema() -> None:
    import json

    schema = json.loads(SCHEMA.read_text("utf-8"))
    errors = sorted(
        jsonschema.Draft7Validator(schema).iter_errors(load_manifest()), key=lambda e: e.path
    )
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_schema_check_catches_a_broken_manifest() -> None:
    import json

    schema = json.loads(SCHEMA.read_text("utf-8"))
    manifest = load_manifest()
    manifest["features"]["slash_commands"][0]["command"] = "dws"  # must start with a slash
    del manifest["display_information"]["name"]
    assert list(jsonschema.Draft7Validator(schema).iter_errors(manifest))


def test_manifest_declares_the_dws_command_and_interactivity() -> None:
    manifest = load_manifest()
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == ["/dws"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert "commands" in manifest["oauth_config"]["scopes"]["bot"]


# The scopes each Web API method the code calls needs (https://api.slack.com/methods).
# A method missing here fails the test below: add it with its scopes, and to the manifest.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth_test": set(),
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "users_info": {"users:read"},
    "usergroups_list": {"usergroups:read"},
    "usergroups_users_list": {"usergroups:read"},
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
}
DECLARED_FOR_FEATURES = {
    "commands",  # the /dws slash command
    "chat:write.public",  # approval messages in public channels the bot was not invited to
}
CALL = re.compile(r"\.(auth_test|chat_\w+|users_\w+|usergroups_\w+|views_\w+|conversations_\w+)\(")


def called_methods() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        found |= set(CALL.findall(path.read_text("utf-8")))
    return found


def test_scopes_are_exactly_those_the_code_uses() -> None:
    methods = called_methods()
    assert {"chat_postMessage", "chat_update", "users_info"} <= methods  # the scan works
    unknown = methods - set(METHOD_SCOPES)
    assert unknown == set(), f"add these methods' scopes to METHOD_SCOPES: {unknown}"
    needed = set().union(*(METHOD_SCOPES[m] for m in methods)) | DECLARED_FOR_FEATURES
    assert set(load_manifest()["oauth_config"]["scopes"]["bot"]) == needed


def test_http_manifest_sets_the_request_urls() -> None:
    import json

    from bot.slack.manifest import for_http, render

    data = for_http("https://dwsbot.example.com/")
    url = "https://dwsbot.example.com/slack/events"
    assert data["features"]["slash_commands"][0]["url"] == url
    assert data["settings"]["interactivity"]["request_url"] == url
    assert data["settings"]["event_subscriptions"]["request_url"] == url
    assert data["settings"]["socket_mode_enabled"] is False
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []
    assert yaml.safe_load(render("https://dwsbot.example.com")) == data
    with pytest.raises(ValueError, match="https://"):
        for_http("http://dwsbot.example.com")

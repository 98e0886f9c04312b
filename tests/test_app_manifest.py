"""app_manifest.yml is a valid Slack app manifest (Slack's own JSON schema, draft-07) and declares
the /dws command the bot answers."""

from __future__ import annotations

from pathlib import Path

import jsonschema
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

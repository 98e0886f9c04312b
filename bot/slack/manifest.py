"""The Slack app manifest (`app_manifest.yml`, shipped in the package) and its HTTP-mode form.

Socket Mode needs no request URL; HTTP mode points the slash command, interactivity and event
subscriptions at ``<base>/slack/events`` and turns Socket Mode off.
"""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml

EVENTS_PATH = "/slack/events"


def manifest_text() -> str:
    """The manifest as shipped (Socket Mode), with its comments."""
    return resources.files("bot.slack").joinpath("app_manifest.yml").read_text("utf-8")


def manifest() -> dict[str, Any]:
    """The manifest as data."""
    data: dict[str, Any] = yaml.safe_load(manifest_text())
    return data


def bot_scopes() -> list[str]:
    """The bot scopes the manifest requests (exactly those the code uses)."""
    return list(manifest()["oauth_config"]["scopes"]["bot"])


def missing_scopes(granted: str) -> list[str]:
    """The manifest's bot scopes absent from ``granted`` (Slack's ``x-oauth-scopes`` header)."""
    have = {s.strip() for s in granted.split(",") if s.strip()}
    return [scope for scope in bot_scopes() if scope not in have]


def for_http(base_url: str) -> dict[str, Any]:
    """The manifest for HTTP mode at ``base_url`` (ValueError unless an https:// URL)."""
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"--http needs the public https:// address of dwsbot, not {base_url!r}")
    url = f"https://{parts.netloc}{parts.path.rstrip('/')}{EVENTS_PATH}"
    data = manifest()
    for command in data["features"]["slash_commands"]:
        command["url"] = url
    settings = data["settings"]
    settings["interactivity"]["request_url"] = url
    settings["interactivity"]["message_menu_options_url"] = url  # the forms' parameter search
    settings["event_subscriptions"]["request_url"] = url
    settings["socket_mode_enabled"] = False
    return data


def render(base_url: str | None) -> str:
    """What `dwsbot manifest` prints."""
    if base_url is None:
        return manifest_text()
    return yaml.safe_dump(for_http(base_url), sort_keys=False, allow_unicode=True)

"""`dwsbot doctor`: check the configuration, the database and every DWS target, one line each.

Exit status 0 when everything is usable, 1 otherwise. Secrets are never printed: the database
URL is masked, credentials are only said to be present. Nothing is created: a missing SQLite
file is reported ("no database yet"), not made by connecting to it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import typer
from rich.console import Console

from bot.audit_key import choose_audit_key
from bot.settings import Settings, SettingsError, load_settings
from bot.targets import TargetChoice
from bot.wiring import WiringError, choose_policy
from commands.policy import PolicyError
from commands.registry import registry
from commands.services import dws_error_text
from commands.store import Database, StoreError
from commands.store.urls import sqlite_file
from dws.errors import DwsError

DWS_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str
    warning: bool = False

    def line(self) -> str:
        """`✔ name: detail` / `⚠ ...` / `✖ ...`."""
        mark = "✖" if not self.ok else ("⚠" if self.warning else "✔")
        return f"{mark} {self.name}: {self.detail}"


async def run_checks(settings: Settings | None = None) -> list[Check]:
    """Every check, in order; a failure early on does not stop the later ones."""
    checks: list[Check] = []
    if settings is None:
        try:
            settings = load_settings()
        except SettingsError as exc:
            return [Check("configuration", False, str(exc))]
    checks.extend(_configuration(settings))
    checks.append(_audit_key(settings))
    checks.append(await _database(settings))
    checks.extend(await _dws(settings))
    checks.extend(await _slack(settings))
    return checks


def _configuration(settings: Settings) -> list[Check]:
    import commands.handlers  # noqa: F401  (the policy is validated against every command)

    out: list[Check] = []
    try:
        targets = settings.dws_targets()
        default = settings.default_dws_target()
    except SettingsError as exc:
        return [Check("configuration", False, str(exc))]
    if default is None:
        out.append(
            Check("configuration", True, "no DWS target set: the built-in simulator is used")
        )
    else:
        names = ", ".join(t.name for t in targets)
        out.append(Check("configuration", True, f"DWS targets {names} (default {default.name})"))
    out.extend(Check("configuration", True, w, warning=True) for w in settings.warnings())
    try:
        policy, source = choose_policy(settings, default is None, registry)
    except (PolicyError, WiringError) as exc:
        out.append(Check("policy", False, str(exc)))
    else:
        out.append(Check("policy", True, f"{source} ({len(policy.roles)} roles)"))
    return out


def _audit_key(settings: Settings) -> Check:
    try:
        choice = choose_audit_key(settings, simulated=not settings.dws_targets(), create=False)
    except SettingsError as exc:
        return Check("audit key", False, str(exc))
    return Check("audit key", True, choice.warning or choice.source, warning=bool(choice.warning))


async def _database(settings: Settings) -> Check:
    url = settings.database_url.get_secret_value() if settings.database_url else None
    try:
        db = Database(url)
    except StoreError as exc:
        return Check("database", False, str(exc))
    try:
        where = db.display_url
        path = sqlite_file(db.url)
        if path is not None:
            where = f"SQLite file {path}"
            if not path.exists():  # connecting would create it (and its directory)
                return Check(
                    "database",
                    True,
                    f"no database yet at {path}: run `dwsbot db upgrade` (the bot also creates "
                    "it on start)",
                    warning=True,
                )
        await db.ping()
        revision = await db.current_revision()
        from commands.store.migrate import head_revision

        head = head_revision()
        if revision != head:
            return Check(
                "database",
                True,
                f"{where}: reachable, schema at {revision or 'nothing'} (head {head}); "
                "run `dwsbot db upgrade` (the bot also upgrades on start)",
                warning=True,
            )
        return Check("database", True, f"{where}: reachable, schema up to date ({revision})")
    except StoreError as exc:
        return Check("database", False, str(exc))
    finally:
        await db.dispose()


async def _dws(settings: Settings) -> list[Check]:
    try:
        targets = settings.dws_targets()
    except SettingsError:
        return []
    if not targets:
        return [await _reach(TargetChoice.simulator(), "simulator (in-process)")]
    return [await _reach(TargetChoice(t, timeout=DWS_TIMEOUT_S), t.endpoint) for t in targets]


async def _reach(choice: TargetChoice, where: str) -> Check:
    name = f"DWS {choice.target.name}"
    try:
        async with choice.client() as client:
            data = await asyncio.wait_for(client.call("list_clusters"), DWS_TIMEOUT_S * 2)
    except DwsError as exc:
        return Check(name, False, f"{where}: {dws_error_text(exc)}")
    except TimeoutError:
        return Check(name, False, f"{where}: timed out")
    count = data.get("count", len(data.get("clusters") or [])) if isinstance(data, dict) else "?"
    return Check(name, True, f"{where}: reachable, {count} clusters")


async def _slack(settings: Settings) -> list[Check]:
    """The Slack tokens: auth.test with the bot token, and the scopes the app was granted."""
    from slack_sdk.errors import SlackApiError

    from bot.slack.manifest import missing_scopes
    from bot.slack.web import make_web_client

    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if not token:
        return [
            Check(
                "Slack",
                True,
                "SLACK_BOT_TOKEN not set: only the console works (see README, Run it in Slack)",
                warning=True,
            )
        ]
    client = make_web_client(token, settings.slack_api_url, None)
    try:
        answer = await asyncio.wait_for(client.auth_test(), DWS_TIMEOUT_S)
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown")
        return [Check("Slack", False, f"SLACK_BOT_TOKEN refused by auth.test ({error})")]
    except (TimeoutError, OSError) as exc:
        return [Check("Slack", False, f"{settings.slack_api_url} unreachable ({exc!r:.80})")]
    checks = [Check("Slack", True, f"workspace {answer.get('team')}, bot {answer.get('user')}")]
    granted = answer.headers.get("x-oauth-scopes", answer.headers.get("X-OAuth-Scopes", ""))
    missing = missing_scopes(granted)
    checks.append(
        Check(
            "Slack scopes",
            not missing,
            f"missing {', '.join(missing)}: reinstall the app from app_manifest.yml"
            if missing
            else "every scope app_manifest.yml requests is granted",
        )
    )
    for name, value in (
        ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        ("SLACK_APP_TOKEN", settings.slack_app_token),
    ):
        mode = "HTTP mode" if name == "SLACK_SIGNING_SECRET" else "Socket Mode"
        detail = f"set ({mode})" if value is not None else f"not set: needed for {mode}"
        checks.append(Check(name, True, detail, warning=value is None))
    return checks


def doctor_command() -> None:
    """Check configuration, database (shows the SQLite path) and DWS reachability."""
    out = Console(highlight=False)
    checks = asyncio.run(run_checks())
    for check in checks:
        style = "red" if not check.ok else ("yellow" if check.warning else "green")
        out.print(check.line(), style=style, markup=False, soft_wrap=True)
    raise typer.Exit(0 if all(c.ok for c in checks) else 1)

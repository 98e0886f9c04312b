"""Settings: one pydantic-settings object, built once in the entry point and passed down.

Environment variables carry the prefix ``DWSBOT_`` (a ``.env`` file is read too). The default
DWS target can be given by environment alone (``DWSBOT_DWS_ENDPOINT``, ``DWSBOT_DWS_REGION``,
``DWSBOT_DWS_PROJECT_ID`` and AK/SK or an IAM user); more named targets go in
``DWSBOT_TARGETS`` as a JSON list. ``DWSBOT_AUDIT_KEY`` keys the audit chain (a secret
kept outside the database; `bot.audit_key` says what happens without one).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pydantic_settings
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from commands.store.chain import AuditKey
from dws.config import DwsTarget

_DEFAULT_KEYS = {
    "endpoint": "DWSBOT_DWS_ENDPOINT",
    "region": "DWSBOT_DWS_REGION",
    "project_id": "DWSBOT_DWS_PROJECT_ID",
    "ak": "DWSBOT_DWS_AK",
    "sk": "DWSBOT_DWS_SK",
    "iam_endpoint": "DWSBOT_DWS_IAM_ENDPOINT",
    "username": "DWSBOT_DWS_USERNAME",
    "password": "DWSBOT_DWS_PASSWORD",
    "domain": "DWSBOT_DWS_DOMAIN",
}

MAX_DWS_TIMEOUT = 600.0
"""The longest ``DWSBOT_DWS_TIMEOUT`` accepted, in seconds."""


class SettingsError(Exception):
    """A bad or missing setting; the message is one line naming it."""


class Settings(BaseSettings):
    """Everything dwsbot reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="DWSBOT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    dws_endpoint: str | None = None
    dws_region: str = ""
    dws_project_id: str | None = None
    dws_ak: SecretStr | None = None
    dws_sk: SecretStr | None = None
    dws_iam_endpoint: str | None = None
    dws_username: str | None = None
    dws_password: SecretStr | None = None
    dws_domain: str | None = None
    targets: list[DwsTarget] = Field(default_factory=list)
    default_target: str | None = None
    dws_timeout: float = Field(default=30.0, gt=0, le=MAX_DWS_TIMEOUT, allow_inf_nan=False)
    """Seconds one DWS request may take (at most `MAX_DWS_TIMEOUT`)."""
    dws_max_concurrency: int | None = Field(default=None, gt=0)

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    """The bot token (``xoxb-``), Slack's own variable name."""
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias="SLACK_SIGNING_SECRET"
    )
    """Verifies HTTP-mode requests (Basic Information → Signing Secret)."""
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    """The app-level token (``xapp-``, scope ``connections:write``) for Socket Mode."""
    slack_api_url: str = "https://slack.com/api/"
    """Where the Slack Web API is (``DWSBOT_SLACK_API_URL``: a proxy, or a fake in tests)."""

    audit_channel: str | None = None
    """A Slack channel id that receives signed audit checkpoints (``DWSBOT_AUDIT_CHANNEL``)."""
    audit_checkpoint_interval: float = Field(default=3600.0, ge=60, allow_inf_nan=False)
    """Seconds between two checkpoints posted to the audit channel."""
    track_interval: float = Field(default=5.0, gt=0, le=3600, allow_inf_nan=False)
    """Seconds between two polls of an operation being tracked (``DWSBOT_TRACK_INTERVAL``)."""

    database_url: SecretStr | None = None
    policy_file: Path | None = None
    audit_key: SecretStr | None = None
    """HMAC-SHA256 key of the audit chain (at least 32 characters); never printed or logged."""

    @field_validator("audit_key")
    @classmethod
    def _usable_audit_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            AuditKey(value.get_secret_value())  # ValueError (never showing the key) if too short
        return value

    def dws_targets(self) -> list[DwsTarget]:
        """Every configured target, the environment-only default first. Empty: use the simulator."""
        found: list[DwsTarget] = []
        env_target = self._env_target()
        if env_target is not None:
            found.append(env_target)
        found.extend(self.targets)
        names = [t.name for t in found]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise SettingsError(f"DWSBOT_TARGETS: target name {dupes[0]!r} is used twice")
        return found

    def default_dws_target(self) -> DwsTarget | None:
        """The default target, or None when nothing is configured (the simulator is used)."""
        targets = self.dws_targets()
        if not targets:
            if self.default_target:
                raise SettingsError(
                    f"DWSBOT_DEFAULT_TARGET: no target named {self.default_target!r} is configured"
                )
            return None
        if self.default_target is None:
            return targets[0]
        for target in targets:
            if target.name == self.default_target:
                return target
        known = ", ".join(t.name for t in targets)
        raise SettingsError(
            f"DWSBOT_DEFAULT_TARGET: no target named {self.default_target!r} (known: {known})"
        )

    def warnings(self) -> list[str]:
        """Non-fatal remarks to show at start (for example a plain http:// endpoint)."""
        return [
            f"DWS target {t.name!r} uses plain http:// ({t.endpoint}); use https:// outside the "
            "simulator"
            for t in self.dws_targets()
            if t.insecure
        ]

    def _env_target(self) -> DwsTarget | None:
        values: dict[str, Any] = {
            "endpoint": self.dws_endpoint,
            "project_id": self.dws_project_id,
            "ak": self.dws_ak,
            "sk": self.dws_sk,
            "iam_endpoint": self.dws_iam_endpoint,
            "username": self.dws_username,
            "password": self.dws_password,
            "domain": self.dws_domain,
        }
        if all(v is None for v in values.values()):
            return None
        for key in ("endpoint", "project_id"):
            if not values[key]:
                raise SettingsError(f"{_DEFAULT_KEYS[key]} is required when a DWS target is set")
        has_aksk = self.dws_ak is not None or self.dws_sk is not None
        if has_aksk:
            for key in ("ak", "sk"):
                if values[key] is None:
                    raise SettingsError(f"{_DEFAULT_KEYS[key]} is required with the other key")
        else:
            for key in ("iam_endpoint", "username", "password", "domain"):
                if values[key] is None:
                    raise SettingsError(
                        f"{_DEFAULT_KEYS[key]} is required (or set DWSBOT_DWS_AK and DWSBOT_DWS_SK)"
                    )
        values = {k: v for k, v in values.items() if v is not None}
        try:
            return DwsTarget(name="default", region=self.dws_region, **values)
        except ValidationError as exc:
            raise SettingsError(_first_error("DWSBOT_DWS_", exc)) from None


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning any validation problem into one SettingsError line."""
    try:
        settings = Settings(**overrides)
        settings.default_dws_target()
    except ValidationError as exc:
        raise SettingsError(_first_error("DWSBOT_", exc)) from None
    except UnicodeDecodeError as exc:  # python-dotenv reads the file as UTF-8
        where = Settings.model_config.get("env_file")
        raise SettingsError(
            f"{where}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "a .env file holds NAME=value lines"
        ) from None
    except pydantic_settings.SettingsError as exc:
        match = re.search(r'field "(\w+)"', str(exc))
        name = f"DWSBOT_{match.group(1).upper()}" if match else "settings"
        raise SettingsError(f"{name}: not valid JSON") from None
    return settings


def _first_error(prefix: str, exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = "_".join(str(p) for p in err["loc"] if not isinstance(p, int)).upper()
    name = f"{prefix}{loc}" if loc else prefix.rstrip("_")
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{name}: {msg}"

"""The audit key: where it comes from, and what is said when there is none.

- ``DWSBOT_AUDIT_KEY`` when set (a secret kept outside the database: an environment variable,
  a secret store; never printed or logged);
- else, on the built-in simulator (no DWS target configured), a key generated once and kept in
  ``audit.key`` in the data directory (``DWSBOT_DATA_DIR``), file mode 0600;
- else none: against a real DWS target without a key the audit chain is written unkeyed
  (sha256) — the bot still starts, but the console's start banner and ``dwsbot doctor`` warn
  that anyone who can write the database can rewrite the audit unnoticed.

    choice = choose_audit_key(settings, simulated=True)   # AuditKeyChoice(key, source, warning)
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings, SettingsError
from commands.store.chain import AuditKey
from commands.store.urls import default_data_dir

KEY_FILE = "audit.key"
UNKEYED_WARNING = (
    "DWSBOT_AUDIT_KEY is not set: audit records are written unkeyed (sha256), so anyone who can "
    "write the database can rewrite them unnoticed; set a secret key (see docs/audit.md)"
)


@dataclass(frozen=True, slots=True)
class AuditKeyChoice:
    """The key to use (None: unkeyed), where it came from, and a warning if there is none."""

    key: AuditKey | None
    source: str
    """One line for banners and ``doctor`` (names the source and the key id, never the key)."""
    warning: str | None = None


def key_file() -> Path:
    """The simulator's key file: ``audit.key`` in the data directory."""
    return default_data_dir() / KEY_FILE


def choose_audit_key(settings: Settings, *, simulated: bool, create: bool = True) -> AuditKeyChoice:
    """The audit key for this process (see the module docstring); SettingsError if unusable.

    ``create=False`` (the ``dwsbot audit`` commands, ``doctor``) reads the simulator's key file
    but never writes one.
    """
    if settings.audit_key is not None:
        key = AuditKey(settings.audit_key.get_secret_value())
        return AuditKeyChoice(key, f"keyed by DWSBOT_AUDIT_KEY (key id {key.id})")
    if not simulated:
        return AuditKeyChoice(None, "unkeyed (no DWSBOT_AUDIT_KEY)", UNKEYED_WARNING)
    path = key_file()
    if not path.exists() and not create:
        return AuditKeyChoice(None, f"unkeyed (no DWSBOT_AUDIT_KEY, no simulator key {path})")
    key = _simulator_key(path)
    return AuditKeyChoice(key, f"keyed by the simulator's key {path} (key id {key.id})")


def _simulator_key(path: Path) -> AuditKey:
    try:
        if not path.exists():
            _create(path)
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)  # only the owner may read the key
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
        raise SettingsError(f"audit key file {path}: {reason}") from None
    try:
        return AuditKey(text)
    except ValueError as exc:
        raise SettingsError(f"audit key file {path}: {exc}") from None


def _create(path: Path) -> None:
    """Write a new random key, readable by the owner only (mode 0600 from the first byte).

    Written to a temporary file and linked into place, so a concurrent start reads either no
    file or a whole key; if another process linked first, its key is kept.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

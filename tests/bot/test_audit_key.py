"""bot.audit_key: DWSBOT_AUDIT_KEY, the simulator's generated key file, and no key at all."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.audit_key import UNKEYED_WARNING, choose_audit_key, key_file
from bot.doctor import run_checks
from bot.settings import SettingsError, load_settings
from bot.wiring import open_runtime
from commands.audit import verify
from commands.store import AuditEntry, AuditEvent

REAL_TARGET = {
    "DWSBOT_DWS_ENDPOINT": "https://127.0.0.1:9",  # refused at once: doctor connects
    "DWSBOT_DWS_PROJECT_ID": "p1",
    "DWSBOT_DWS_AK": "AK",
    "DWSBOT_DWS_SK": "SK",
}


async def test_the_simulator_generates_a_private_key_and_keeps_it() -> None:
    assert not key_file().exists()
    async with open_runtime(load_settings()) as rt:
        assert rt.simulated and rt.audit is not None and rt.audit.warning is None
        key = rt.db.audit_key
        assert key is not None and f"key id {key.id}" in rt.audit.source
        async with rt.db.unit_of_work() as uow:
            await uow.audit.append(AuditEntry(event=AuditEvent.REQUESTED, user_name="alice"))
    assert stat.S_IMODE(key_file().stat().st_mode) == 0o600
    secret = key_file().read_text().strip()
    assert secret not in rt.audit.source and secret not in repr(key)
    async with open_runtime(load_settings()) as again:  # the next start uses the same key
        assert again.db.audit_key is not None and again.db.audit_key.id == key.id
        report = await verify(again.db)
    assert report.ok and report.keyed == 1


def test_the_key_setting_wins_and_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DWSBOT_AUDIT_KEY", "an-operator-chosen-key-0123456789abc")
    choice = choose_audit_key(load_settings(), simulated=True)
    assert choice.key is not None and choice.source.startswith("keyed by DWSBOT_AUDIT_KEY")
    assert "an-operator-chosen-key" not in choice.source + repr(load_settings())
    assert not key_file().exists()


def test_a_real_target_without_a_key_writes_unkeyed_and_warns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in REAL_TARGET.items():
        monkeypatch.setenv(name, value)
    choice = choose_audit_key(load_settings(), simulated=False)
    assert (choice.key, choice.warning) == (None, UNKEYED_WARNING)
    assert not key_file().exists()


async def test_doctor_reports_the_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REAL_TARGET.items():
        monkeypatch.setenv(name, value)
    checks = {c.name: c for c in await run_checks()}
    assert checks["audit key"].warning and checks["audit key"].detail == UNKEYED_WARNING


def test_the_cli_never_creates_the_key_file() -> None:
    choice = choose_audit_key(load_settings(), simulated=True, create=False)
    assert choice.key is None and not key_file().exists()


@pytest.mark.parametrize(("content", "reason"), [("short\n", "too short"), (b"\xff" * 40, "")])
def test_a_bad_key_file_is_one_line(content: str | bytes, reason: str) -> None:
    path: Path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_bytes(content)
    with pytest.raises(SettingsError, match=f"audit key file {path}: .*{reason}") as info:
        choose_audit_key(load_settings(), simulated=True)
    assert "\n" not in str(info.value)

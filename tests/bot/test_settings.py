"""Settings from the environment: the default target, named targets, one-line errors."""

from __future__ import annotations

import json

import pytest

from bot.settings import SettingsError, load_settings

P = "0123456789abcdef0123456789abcdef"


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for key, value in values.items():
        monkeypatch.setenv(f"DWSBOT_{key.upper()}", value)


def test_nothing_configured_means_simulator() -> None:
    settings = load_settings()
    assert settings.dws_targets() == []
    assert settings.default_dws_target() is None


def test_default_target_from_environment_with_aksk(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(
        monkeypatch,
        dws_endpoint="https://dws.example.test/",
        dws_region="ap-southeast-1",
        dws_project_id=P,
        dws_ak="AK1",
        dws_sk="very-secret",
    )
    target = load_settings().default_dws_target()
    assert target is not None
    assert (target.endpoint, target.region, target.project_id) == (
        "https://dws.example.test",
        "ap-southeast-1",
        P,
    )
    assert target.uses_aksk
    assert "very-secret" not in repr(target) and "very-secret" not in str(target.model_dump())


def test_default_target_with_iam_user(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(
        monkeypatch,
        dws_endpoint="https://dws.example.test",
        dws_project_id=P,
        dws_iam_endpoint="https://iam.example.test",
        dws_username="ops",
        dws_password="pw-secret",
        dws_domain="acme",
    )
    target = load_settings().default_dws_target()
    assert target is not None and not target.uses_aksk


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"dws_endpoint": "https://x.test"}, "DWSBOT_DWS_PROJECT_ID"),
        ({"dws_project_id": P, "dws_ak": "a", "dws_sk": "b"}, "DWSBOT_DWS_ENDPOINT"),
        ({"dws_endpoint": "https://x.test", "dws_project_id": P, "dws_ak": "a"}, "DWSBOT_DWS_SK"),
        (
            {"dws_endpoint": "https://x.test", "dws_project_id": P, "dws_username": "u"},
            "DWSBOT_DWS_IAM_ENDPOINT",
        ),
        (
            {"dws_endpoint": "ftp://x", "dws_project_id": P, "dws_ak": "a", "dws_sk": "b"},
            "DWSBOT_DWS_ENDPOINT",
        ),
        ({"dws_timeout": "-1"}, "DWSBOT_DWS_TIMEOUT"),
        ({"dws_timeout": "0"}, "DWSBOT_DWS_TIMEOUT"),
        ({"dws_timeout": "inf"}, "DWSBOT_DWS_TIMEOUT"),
        ({"dws_timeout": "nan"}, "DWSBOT_DWS_TIMEOUT"),
        ({"dws_timeout": "1e400"}, "DWSBOT_DWS_TIMEOUT"),
        ({"dws_timeout": "86400"}, "DWSBOT_DWS_TIMEOUT"),
        ({"targets": "not json"}, "DWSBOT_TARGETS"),
        ({"default_target": "prod"}, "DWSBOT_DEFAULT_TARGET"),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    set_env(monkeypatch, **env)
    with pytest.raises(SettingsError) as info:
        load_settings().default_dws_target()
    message = str(info.value)
    assert named in message
    assert "\n" not in message


def test_named_targets_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    targets = [
        {"name": "prod", "endpoint": "https://a.test", "project_id": P, "ak": "a", "sk": "s"},
        {"name": "dr", "endpoint": "https://b.test", "project_id": P, "ak": "a", "sk": "s"},
    ]
    set_env(monkeypatch, targets=json.dumps(targets), default_target="dr")
    settings = load_settings()
    assert [t.name for t in settings.dws_targets()] == ["prod", "dr"]
    target = settings.default_dws_target()
    assert target is not None and target.endpoint == "https://b.test"


def test_plain_http_is_allowed_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(
        monkeypatch,
        dws_endpoint="http://127.0.0.1:8089",
        dws_project_id=P,
        dws_ak="a",
        dws_sk="b",
    )
    settings = load_settings()
    assert settings.default_dws_target() is not None
    assert any("plain http://" in w for w in settings.warnings())


def test_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        f"DWSBOT_DWS_ENDPOINT=https://env.test\nDWSBOT_DWS_PROJECT_ID={P}\n"
        "DWSBOT_DWS_AK=a\nDWSBOT_DWS_SK=b\n"
    )
    target = load_settings().default_dws_target()
    assert target is not None and target.endpoint == "https://env.test"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://alice:pw-never-shown@dws.example.test",
        "https://:pw-never-shown@dws.example.test",
        "https://pw-never-shown@dws.example.test",
    ],
)
def test_credentials_in_the_endpoint_are_refused_without_echo(
    monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    set_env(monkeypatch, dws_endpoint=endpoint, dws_project_id=P, dws_ak="a", dws_sk="b")
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith("DWSBOT_DWS_ENDPOINT: must not hold credentials")
    assert "pw-never-shown" not in message and "\n" not in message


def test_credentials_in_a_named_target_or_iam_endpoint_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = {
        "name": "prod",
        "endpoint": "https://dws.example.test",
        "project_id": P,
        "iam_endpoint": "https://u:pw-never-shown@iam.example.test",
        "username": "u",
        "password": "p",
        "domain": "d",
    }
    set_env(monkeypatch, targets=json.dumps([target]))
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "must not hold credentials" in str(info.value)
    assert "pw-never-shown" not in str(info.value)


@pytest.mark.parametrize(
    ("endpoint", "needle"),
    [("https://dws.example.test:99999", "not a valid URL"), ("https://", "needs a host")],
)
def test_endpoint_port_and_host_are_checked(
    monkeypatch: pytest.MonkeyPatch, endpoint: str, needle: str
) -> None:
    set_env(monkeypatch, dws_endpoint=endpoint, dws_project_id=P, dws_ak="a", dws_sk="b")
    with pytest.raises(SettingsError, match=needle):
        load_settings()


def test_binary_dotenv_file_is_one_line(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes(b"DWSBOT_DWS_REGION=\xff\xfe\x00\x01\n")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(".env: not UTF-8 text (byte 0xff at offset 18)")

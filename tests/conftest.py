"""Shared fixtures: every test starts from a clean environment (no DWSBOT_/SLACK_ variables)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# A loaded CI machine must not turn a slow example into a failure: no per-example deadline.
settings.register_profile("dwsbot", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dwsbot")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Remove dwsbot and Slack settings from the environment; run away from any .env file."""
    for key in list(os.environ):
        if key.startswith(("DWSBOT_", "SLACK_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.setenv("DWSBOT_DATA_DIR", str(tmp_path_factory.mktemp("data")))

"""Every declared command has help, a usage line and examples that parse to itself."""

from __future__ import annotations

import pytest

import commands.handlers  # noqa: F401
from commands.parsing import Invocation, parse
from commands.registry import CommandSpec, Risk, registry

SPECS = list(registry)
DWS_COMMANDS = [s for s in SPECS if s.name not in ("help", "whoami", "policy explain", "audit")]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_help_usage_and_examples(spec: CommandSpec) -> None:
    assert spec.summary and spec.summary[0].isupper()
    assert spec.usage.startswith(f"/dws {spec.name}")
    assert spec.examples
    for example in spec.examples:
        parsed = parse(example, registry)
        assert isinstance(parsed, Invocation), (example, parsed)
        assert parsed.spec.name == spec.name


@pytest.mark.parametrize("spec", DWS_COMMANDS, ids=lambda s: s.name)
def test_every_command_takes_target(spec: CommandSpec) -> None:
    parsed = parse(f"{spec.examples[0]} --target eu-west", registry)
    assert isinstance(parsed, Invocation) and parsed.target == "eu-west"


def test_changing_commands_need_an_operator() -> None:
    changing = [s for s in DWS_COMMANDS if s.risk is not Risk.READ]
    assert len(changing) == 16
    assert all(s.min_role == "operator" and s.change is not None for s in changing)
    assert {s.name for s in changing if s.risk is Risk.DESTRUCTIVE} == {
        "stop",
        "snapshot delete",
        "dr switchover",
        "dr failover",
        "dr recovery",
    }


def test_the_command_set_is_complete() -> None:
    names = {s.name for s in SPECS}
    wanted = [
        "clusters",
        "cluster",
        "nodes",
        "cns",
        "params",
        "snapshots",
        "snapshot",
        "snapshot-policy",
        "events",
        "alarms",
        "dr",
        "job",
        "quotas",
        "flavors",
        "azs",
        "metrics",
        "queries",
        "restart",
        "start",
        "stop",
        "switchback",
        "cancel-readonly",
        "add-nodes",
        "reset-password",
    ]
    wanted += ["dr show", "dr progress", "snapshot create", "snapshot delete", "snapshot restore"]
    wanted += ["redistribution pause", "redistribution resume", "params set"]
    wanted += ["dr switchover", "dr failover", "dr recovery"]
    assert set(wanted) <= names
    assert registry.get("scale-out") is registry.get("add-nodes")

"""Imports point down only: bot → commands → dws. The simulator is written from the reference,
not from the client (it may share the signing code), and the official SDK is a test oracle only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDK = ("huaweicloudsdkcore", "huaweicloudsdkdws")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert len(files) > 10, f"{package}: too few modules found"
    found = {}
    for file in files:
        bad = sorted(
            name
            for name in imports_of(file)
            if any(name == f or name.startswith(f + ".") for f in forbidden)
        )
        if bad:
            found[str(file.relative_to(ROOT))] = bad
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("dws", ("bot", "commands", "slack_bolt", "slack_sdk", *SDK)),
        ("commands", ("bot", "slack_bolt", "slack_sdk", *SDK)),
        ("bot", SDK),
        ("dws/simulator", ("dws.client", "dws.models", "dws.operations", "dws.auth")),
    ],
)
def test_imports_point_down(package: str, forbidden: tuple[str, ...]) -> None:
    assert offenders(package, forbidden) == {}

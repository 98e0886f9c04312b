"""Imports point down only: nothing in commands/ imports the adapters (bot) or Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import commands

FORBIDDEN = ("bot", "slack_bolt", "slack_sdk")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_commands_do_not_import_adapters_or_slack() -> None:
    root = Path(commands.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 20
    offenders = {
        str(f.relative_to(root)): sorted(n for n in _imports(f) if n.split(".")[0] in FORBIDDEN)
        for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}

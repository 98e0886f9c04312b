"""The policy: who may run and approve what, from which channel, and when changes are frozen.

Load it with `load_policy(path, registry)` (or `bundled_policy("default" | "demo", registry)`);
decide with `Policy.can_run`, `Policy.can_approve`, `Policy.visible_commands` and `explain`.
"""

from __future__ import annotations

from commands.policy.explain import explain
from commands.policy.loader import (
    PolicyError,
    bundled_policy,
    bundled_policy_text,
    load_policy,
    load_policy_text,
)
from commands.policy.rules import ActionRule, ClusterRef, Decision, FreezeWindow, Policy

__all__ = [
    "ActionRule",
    "ClusterRef",
    "Decision",
    "FreezeWindow",
    "Policy",
    "PolicyError",
    "bundled_policy",
    "bundled_policy_text",
    "explain",
    "load_policy",
    "load_policy_text",
]

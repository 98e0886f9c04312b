"""Policy: loading, validation with line numbers, the shipped files, and the pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands.policy import (
    ClusterRef,
    PolicyError,
    bundled_policy,
    explain,
    load_policy,
    load_policy_text,
)
from commands.policy.windows import Cron, CronError
from commands.registry import Registry, UserRef

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday
ALICE = UserRef("alice")
BOB = UserRef("bob")
CAROL = UserRef("carol")
VICTOR = UserRef("victor")
NOBODY = UserRef("mallory")
PROD = ClusterRef(name="prod-dw", id="c-1")

POLICY = """\
version: 1
roles: {viewer: 10, operator: 20, dba: 25, admin: 30}
default_role: null
users: {alice: operator, bob: operator, carol: admin, victor: viewer}
groups: {dbas: dba}
channels:
  C-PROD: ["prod-*"]
  "C-DEV*": ["dev-*"]
defaults:
  change: {min_role: operator, approvals: 1, approver_role: operator, ttl: 45m}
  destructive: {min_role: operator, approvals: 2, approver_role: operator}
actions:
  stop: {approvals: 2, distinct_roles: true}
  "dr failover": {approvals: 2, approver_role: admin, ttl: 1h}
  "params set": {min_role: dba}
freezes:
  - name: year-end
    from: 2026-12-20 00:00
    until: 2027-01-04 08:00
    timezone: Europe/Berlin
    clusters: ["prod-*"]
  - name: friday-evening
    cron: "* 18-23 * * fri"
    except_roles: [admin]
"""


def _policy(registry: Registry, text: str = POLICY):  # type: ignore[no-untyped-def]
    return load_policy_text(text, registry, where="p.yaml")


def _error(registry: Registry, text: str) -> str:
    with pytest.raises(PolicyError) as info:
        _policy(registry, text)
    return str(info.value)


def test_roles_users_groups(registry: Registry) -> None:
    p = _policy(registry)
    assert p.role_of(ALICE) == "operator"
    assert p.role_of(NOBODY) is None
    assert p.role_of(UserRef("eve", groups=("dbas", "other"))) == "dba"
    assert p.role_of(UserRef("alice", groups=("dbas",))) == "dba"  # highest wins
    assert p.at_least("admin", "dba") and not p.at_least("operator", "dba")
    assert not p.at_least(None, "viewer") and not p.at_least("ghost", "viewer")


def test_unknown_action_names_the_line(registry: Registry) -> None:
    text = POLICY.replace('  "params set"', '  restrat: {}\n  "params set"')
    msg = _error(registry, text)
    assert msg == "p.yaml line 15: unknown action 'restrat' (did you mean 'restart'?)"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "approvals: 2, distinct",
            "approvals: lots, distinct",
            "p.yaml line 13: actions.stop.approvals: Input should be a valid integer",
        ),
        ("approver_role: admin", "approver_role: boss", "p.yaml line 14: unknown role 'boss'"),
        ("ttl: 1h", "ttl: soon", "p.yaml line 14: 'soon' is not a duration"),
        ("Europe/Berlin", "Mars/Olympus", "p.yaml line 20: unknown timezone 'Mars/Olympus'"),
        (
            '"* 18-23 * * fri"',
            '"* 25 * * fri"',
            "p.yaml line 23: bad cron expression: 25 is outside 0-23",
        ),
        ("default_role: null", "default_role: null\nbogus: 1", "p.yaml line 4: bogus: Extra"),
        ("users: {", "users: {alice: operator, alice: admin, ", "p.yaml line 4: 'alice' given"),
        ("channels:", "channels: [", "p.yaml line 8: expected ',' or ']'"),
        (
            "    except_roles: [admin]\n",
            "    except_roles: [admin]\n  - name: never\n    timezone: UTC\n",
            "p.yaml line 25: freeze 'never' needs cron, or from and/or until",
        ),
        (
            "until: 2027-01-04 08:00",
            "until: 2026-12-19 08:00",
            "p.yaml line 19: freeze 'year-end' ends before it starts",
        ),
        ("version: 1", "version: 2", "p.yaml line 1: version: Input should be 1"),
        (
            "stop: {approvals: 2, distinct_roles: true}",
            "stop: {approvals: 2, approver_role: admin, distinct_roles: true}",
            "p.yaml line 13: 2 approvals from distinct roles can never be met: only 1 role",
        ),
    ],
)
def test_errors_name_the_line(registry: Registry, old: str, new: str, expected: str) -> None:
    assert old in POLICY
    assert _error(registry, POLICY.replace(old, new, 1)).startswith(expected)


def test_empty_and_non_mapping_and_missing_file(registry: Registry, tmp_path: Path) -> None:
    assert "the policy is empty" in _error(registry, "")
    assert "must be a mapping" in _error(registry, "- a\n- b\n")
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "nope.yaml", registry)
    (tmp_path / "ok.yaml").write_text(POLICY)
    assert load_policy(tmp_path / "ok.yaml", registry).source == "ok.yaml"


def test_read_and_role_decisions(registry: Registry) -> None:
    p = _policy(registry)
    assert p.can_run(VICTOR, "clusters", "C-PROD", None, NOW).allowed
    d = p.can_run(VICTOR, "restart", "C-PROD", None, NOW)
    assert not d.allowed and d.reason == "restart needs the operator role; you are viewer"
    assert (
        p.can_run(NOBODY, "clusters", "C", None, NOW).reason == "mallory has no role in the policy"
    )
    assert not p.can_run(ALICE, "params set", "C-PROD", PROD, NOW).allowed  # needs dba
    assert not p.can_run(ALICE, "no such", "C-PROD", PROD, NOW).allowed


def test_change_decision_carries_the_approval_rule(registry: Registry) -> None:
    p = _policy(registry)
    d = p.can_run(ALICE, "restart", "C-PROD", PROD, NOW)
    assert d.allowed and d.approvals_needed == 1 and d.approver_role == "operator"
    assert d.ttl == timedelta(minutes=45)
    d = p.can_run(ALICE, "stop", "C-PROD", PROD, NOW)
    assert (d.approvals_needed, d.distinct_roles) == (2, True)
    d = p.can_run(ALICE, "dr failover", "C-PROD", PROD, NOW)
    assert (d.approvals_needed, d.approver_role, d.ttl) == (2, "admin", timedelta(hours=1))


def test_channel_guardrails(registry: Registry) -> None:
    p = _policy(registry)
    assert not p.can_run(ALICE, "restart", "C-DEV-1", PROD, NOW).allowed
    d = p.can_run(ALICE, "restart", "C-OTHER", PROD, NOW)
    assert not d.allowed and d.reason == "Channel C-OTHER may not act on any cluster"
    assert p.can_run(ALICE, "restart", "C-DEV-1", ClusterRef(name="dev-1"), NOW).allowed
    # the id matches a glob too
    assert p.can_run(ALICE, "restart", "C-PROD", ClusterRef(name="x", id="prod-9"), NOW).allowed
    # a cluster known by neither name nor id (a deleted cluster's snapshot): only "*" covers it
    assert not p.can_run(ALICE, "restart", "C-PROD", ClusterRef(), NOW).allowed
    everywhere = _policy(registry, POLICY.replace('  C-PROD: ["prod-*"]', '  C-PROD: ["*"]'))
    assert everywhere.can_run(ALICE, "restart", "C-PROD", ClusterRef(), NOW).allowed


def test_freeze_windows(registry: Registry) -> None:
    p = _policy(registry)
    christmas = datetime(2026, 12, 24, 12, tzinfo=UTC)
    d = p.can_run(CAROL, "restart", "C-PROD", PROD, christmas)
    assert not d.allowed and "year-end" in d.reason
    assert p.can_run(ALICE, "restart", "C-DEV-1", ClusterRef(name="dev-1"), christmas).allowed
    friday_evening = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)
    assert "friday-evening" in p.can_run(ALICE, "restart", "C-PROD", PROD, friday_evening).reason
    assert p.can_run(CAROL, "restart", "C-PROD", PROD, friday_evening).allowed  # exempt
    # until is exclusive, in the window's timezone (08:00 Berlin = 07:00 UTC)
    assert not p.can_run(
        ALICE, "restart", "C-PROD", PROD, datetime(2027, 1, 4, 6, 59, tzinfo=UTC)
    ).allowed
    assert p.can_run(
        ALICE, "restart", "C-PROD", PROD, datetime(2027, 1, 4, 7, 0, tzinfo=UTC)
    ).allowed


def test_freeze_of_some_clusters_waits_for_the_cluster(registry: Registry) -> None:
    p = _policy(registry)
    christmas = datetime(2026, 12, 24, 12, tzinfo=UTC)
    # the role-only check (cluster not known yet) is not refused by a prod-only window
    assert p.can_run(ALICE, "restart", "C-DEV-1", None, christmas).allowed
    assert not p.can_run(ALICE, "restart", "C-PROD", PROD, christmas).allowed
    # a window over every cluster refuses at once
    friday_evening = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)
    assert "friday-evening" in p.can_run(ALICE, "restart", "C-PROD", None, friday_evening).reason
    # an action whose cluster has neither name nor id is covered by every window (fail closed)
    assert p.active_freeze("restart", ClusterRef(), "operator", christmas) is not None


def test_can_approve(registry: Registry) -> None:
    p = _policy(registry)
    assert (
        p.can_approve(ALICE, "restart", "alice", None).reason
        == "You cannot approve your own request"
    )
    assert p.can_approve(BOB, "restart", "alice", None).allowed
    assert not p.can_approve(VICTOR, "restart", "alice", None).allowed
    assert not p.can_approve(BOB, "dr failover", "alice", None).allowed  # admin needed
    assert p.can_approve(CAROL, "dr failover", "alice", None).allowed
    assert not p.can_approve(BOB, "restart", "alice", "admin").allowed  # recorded role wins


def test_visible_commands_marks_approvals(registry: Registry) -> None:
    p = _policy(registry)
    seen = {spec.name: d.approvals_needed for spec, d in p.visible_commands(ALICE)}
    assert seen["clusters"] == 0 and seen["restart"] == 1 and seen["stop"] == 2
    assert "params set" not in seen
    assert set({s.name for s, _ in p.visible_commands(VICTOR)}) == {"clusters", "cluster"}
    assert p.visible_commands(NOBODY) == []


def test_explain(registry: Registry) -> None:
    p = _policy(registry)
    text = "\n".join(explain(p, "dr failover", PROD, NOW, channel="C-PROD"))
    assert (
        "may be run by the operator role or higher: user alice, user bob, user carol, group dbas"
        in text
    )
    assert "2 approvals by the admin role or higher (user carol), never the requester" in text
    assert "expires after 1h" in text and "Allowed: channel C-PROD may act on prod-dw" in text
    assert "Change freeze 'year-end' covers it (not in effect now)" in text
    anywhere = "\n".join(explain(p, "restart", None, NOW))
    assert "Change freeze 'year-end' covers it on clusters prod-* (not in effect now)" in anywhere
    assert "only reads" in "\n".join(explain(p, "clusters", None, NOW))
    assert explain(p, "nope", None, NOW) == ["'nope' is not a known command."]


def test_shipped_policies_are_valid_and_safe(registry: Registry) -> None:
    default = bundled_policy("default", registry)
    anyone = UserRef("U999")
    assert default.can_run(anyone, "clusters", "C", None, NOW).allowed
    assert not default.can_run(anyone, "restart", "C", PROD, NOW).allowed
    for policy in (default, bundled_policy("demo", registry)):
        for spec in registry:
            if spec.changes:
                rule = policy.rule(spec.name)
                assert rule is not None and rule.approvals >= 1 and rule.approver_role == "operator"
        assert policy.rule("stop").approvals == 2  # type: ignore[union-attr]
        assert policy.rule("dr failover").approvals == 2  # type: ignore[union-attr]
    demo = bundled_policy("demo", registry)
    assert [demo.role_of(UserRef(u)) for u in ("alice", "bob", "carol", "victor", "x")] == [
        "operator",
        "operator",
        "admin",
        "viewer",
        None,
    ]


def test_cron() -> None:
    weekend = Cron.parse("* * * * sat,sun")
    assert weekend.matches(datetime(2026, 11, 28, 3, 0)) and not weekend.matches(NOW)
    assert Cron.parse("*/15 9-17 * jan-mar 7").matches(datetime(2026, 2, 1, 9, 45))
    for bad in ("* * * *", "61 * * * *", "* * * * funday", "* 5-1 * * *", "*/0 * * * *"):
        with pytest.raises(CronError):
            Cron.parse(bad)


def test_an_alias_bomb_is_refused_without_expanding(registry: Registry) -> None:
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 8)]
    text = POLICY + "\n".join(levels) + "\n"
    message = _error(registry, text)
    assert "aliases" in message and "line" in message


def test_a_binary_policy_file_is_one_line(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"\xff\xfe\x00roles")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(path, registry)

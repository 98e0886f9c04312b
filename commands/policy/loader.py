"""Read a policy YAML file: raw structure first (pydantic), then validated against the registry.

Every error names the file and the line (from the YAML node marks), e.g.
``policy.yaml line 14: unknown action 'restrat' (did you mean 'restart'?)``.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from commands.durations import parse_duration
from commands.policy.rules import ActionRule, FreezeWindow, Policy
from commands.policy.windows import Cron, CronError
from commands.registry import Registry, Risk


class PolicyError(ValueError):
    """The policy file is invalid; the message names the file and the line."""


# -- raw structure ---------------------------------------------------------------------------
class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RawRule(_Raw):
    min_role: str | None = None
    approvals: int | None = Field(default=None, ge=0, le=10)
    approver_role: str | None = None
    distinct_roles: bool | None = None
    ttl: Any = None
    """A duration (`commands.durations`): 30m, 2h, 1d, or a whole number of seconds."""


class RawFreeze(_Raw):
    name: str
    timezone: str = "UTC"
    from_: datetime | None = Field(default=None, alias="from")
    until: datetime | None = None
    cron: str | None = None
    actions: list[str] = ["*"]
    clusters: list[str] = ["*"]
    except_roles: list[str] = []


class RawPolicy(_Raw):
    version: Literal[1] = 1
    roles: list[str] | dict[str, int]
    default_role: str | None = None
    users: dict[str, str] = {}
    groups: dict[str, str] = {}
    channels: dict[str, list[str]] | None = None
    defaults: dict[str, RawRule] = {}
    actions: dict[str, RawRule] = {}
    freezes: list[RawFreeze] = []


# -- YAML with line numbers -----------------------------------------------------------------
Path_ = tuple[str | int, ...]


def _lines(node: yaml.Node, path: Path_, out: dict[Path_, int], where: str) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                raise PolicyError(f"{where} line {key.start_mark.line + 1}: {name!r} given twice")
            seen.add(name)
            out[(*path, name)] = key.start_mark.line + 1
            _lines(value, (*path, name), out, where)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out, where)


def _line(lines: dict[Path_, int], path: Path_) -> int:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return 1


class _Checker:
    """Turns the raw policy into a `Policy`, raising `PolicyError` with lines."""

    def __init__(self, raw: RawPolicy, registry: Registry, lines: dict[Path_, int], where: str):
        self.raw, self.registry, self.lines, self.where = raw, registry, lines, where
        self.roles: dict[str, int] = {}

    def fail(self, path: Path_, message: str) -> PolicyError:
        return PolicyError(f"{self.where} line {_line(self.lines, path)}: {message}")

    def role(self, path: Path_, name: str | None) -> str | None:
        if name is not None and name not in self.roles:
            hint = difflib.get_close_matches(name, list(self.roles), n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise self.fail(path, f"unknown role {name!r}{extra}")
        return name

    def build(self) -> Policy:
        raw = self.raw
        if isinstance(raw.roles, list):
            self.roles = {name: i * 10 for i, name in enumerate(raw.roles)}
        else:
            self.roles = dict(raw.roles)
        if not self.roles:
            raise self.fail(("roles",), "at least one role is needed")
        self.role(("default_role",), raw.default_role)
        for section in ("users", "groups"):
            for who, role in getattr(raw, section).items():
                self.role((section, who), role)
        for key in raw.defaults:
            if key not in {r.value for r in Risk}:
                raise self.fail(
                    ("defaults", key), f"defaults are read, change, destructive: {key!r}"
                )
        lowest = min(self.roles, key=lambda r: self.roles[r])
        top = max(self.roles, key=lambda r: self.roles[r])
        safe = {
            Risk.READ: ActionRule(min_role=lowest),
            Risk.CHANGE: ActionRule(min_role=top, approvals=1, approver_role=top),
            Risk.DESTRUCTIVE: ActionRule(min_role=top, approvals=2, approver_role=top),
        }
        defaults = {
            risk: self.merge(("defaults", risk.value), raw.defaults.get(risk.value), safe[risk])
            for risk in Risk
        }
        actions = {}
        for name, rule in raw.actions.items():
            spec = self.registry.get(name)
            if spec is None:
                hint = difflib.get_close_matches(name, self.registry.all_names(), n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.fail(("actions", name), f"unknown action {name!r}{extra}")
            actions[spec.name] = self.merge(("actions", name), rule, defaults[spec.risk])
        return Policy(
            registry=self.registry,
            roles=self.roles,
            default_role=raw.default_role,
            users=dict(raw.users),
            groups=dict(raw.groups),
            channels=None
            if raw.channels is None
            else {k: tuple(v) for k, v in raw.channels.items()},
            defaults=defaults,
            actions=actions,
            freezes=tuple(self.freeze(i, f) for i, f in enumerate(raw.freezes)),
            source=self.where,
        )

    def merge(self, path: Path_, raw: RawRule | None, base: ActionRule) -> ActionRule:
        if raw is None:
            return base
        ttl = base.ttl
        if raw.ttl is not None:
            try:
                ttl = parse_duration(raw.ttl)
            except ValueError as exc:
                raise self.fail((*path, "ttl"), str(exc)) from None
        rule = ActionRule(
            min_role=self.role((*path, "min_role"), raw.min_role) or base.min_role,
            approvals=base.approvals if raw.approvals is None else raw.approvals,
            approver_role=self.role((*path, "approver_role"), raw.approver_role)
            or base.approver_role,
            distinct_roles=base.distinct_roles
            if raw.distinct_roles is None
            else raw.distinct_roles,
            ttl=ttl,
        )
        if rule.approvals and rule.approver_role is None:
            rule = ActionRule(
                rule.min_role, rule.approvals, rule.min_role, rule.distinct_roles, ttl
            )
        if rule.distinct_roles and rule.approvals:
            floor = self.roles.get(rule.approver_role or rule.min_role, 0)
            eligible = sum(1 for rank in self.roles.values() if rank >= floor)
            if rule.approvals > eligible:
                raise self.fail(
                    path,
                    f"{rule.approvals} approvals from distinct roles can never be met: only "
                    f"{eligible} role{'s' if eligible != 1 else ''} may approve",
                )
        return rule

    def freeze(self, index: int, raw: RawFreeze) -> FreezeWindow:
        path: Path_ = ("freezes", index)
        try:
            tz = ZoneInfo(raw.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail((*path, "timezone"), f"unknown timezone {raw.timezone!r}") from None
        cron = None
        if raw.cron is not None:
            try:
                cron = Cron.parse(raw.cron)
            except CronError as exc:
                raise self.fail((*path, "cron"), f"bad cron expression: {exc}") from None
        elif raw.from_ is None and raw.until is None:
            raise self.fail(path, f"freeze {raw.name!r} needs cron, or from and/or until")
        for role in raw.except_roles:
            self.role((*path, "except_roles"), role)

        def local(t: datetime | None) -> datetime | None:
            return None if t is None else (t.replace(tzinfo=tz) if t.tzinfo is None else t)

        start, until = local(raw.from_), local(raw.until)
        if start is not None and until is not None and start >= until:
            raise self.fail((*path, "until"), f"freeze {raw.name!r} ends before it starts")
        return FreezeWindow(
            name=raw.name,
            tz=tz,
            start=start,
            until=until,
            cron=cron,
            actions=tuple(raw.actions),
            clusters=tuple(raw.clusters),
            except_roles=tuple(raw.except_roles),
        )


class _PolicyLoader(yaml.SafeLoader):
    """YAML without aliases: a policy never needs ``*name``, and nested aliases expand
    exponentially (a "billion laughs" of 7 levels took 12 s and 1.2 GB)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a policy; write the value out", mark
            )
        return super().compose_node(parent, index)


def load_policy_text(text: str, registry: Registry, where: str = "policy") -> Policy:
    """Parse and validate policy YAML; raises `PolicyError` naming the line."""
    try:
        node = yaml.compose(text, Loader=_PolicyLoader)
        if node is None:
            raise PolicyError(f"{where} line 1: the policy is empty")
        lines: dict[Path_, int] = {}
        _lines(node, (), lines, where)
        data: Any = _PolicyLoader(text).construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise PolicyError(f"{where} line {line}: {exc.problem or 'invalid YAML'}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{where}: invalid YAML ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{where} line 1: the policy must be a mapping")
    try:
        raw = RawPolicy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple("from" if p == "from_" else p for p in err["loc"])
        shown = ".".join(str(p) for p in loc) or "policy"
        raise PolicyError(f"{where} line {_line(lines, loc)}: {shown}: {err['msg']}") from None
    return _Checker(raw, registry, lines, where).build()


def load_policy(path: str | Path, registry: Registry) -> Policy:
    """Read a policy file; a missing or unreadable file is a `PolicyError` too."""
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"cannot read policy file {p}: it is not UTF-8 text") from None
    return load_policy_text(text, registry, where=p.name)


def bundled_policy_text(name: str) -> str:
    """The text of a policy shipped in the package: ``default`` or ``demo``."""
    return resources.files("commands.policy").joinpath(f"{name}.yaml").read_text("utf-8")


def bundled_policy(name: str, registry: Registry) -> Policy:
    """Load ``commands/policy/<name>.yaml`` (``default`` or ``demo``)."""
    return load_policy_text(bundled_policy_text(name), registry, where=f"{name}.yaml")

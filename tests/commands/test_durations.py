"""One duration grammar with bounds, through every place a person types one: `/dws audit`,
`/dws events` and `/dws metrics` `--since`, a policy's `ttl`, and `dwsbot audit export --since`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import commands.handlers  # noqa: F401  (fills the registry)
from commands.durations import MAX_DURATION, parse_duration, parse_since
from commands.policy import PolicyError, load_policy_text
from commands.registry import registry
from commands.replies import Severity
from tests.commands.test_e2e_simulator import ALICE, Env, env
from tests.db_fixtures import database, db_kind

__all__ = ["database", "db_kind", "env"]

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
OUT_OF_BOUNDS = ("0", "0s", "-5", "-5m", "inf", "nan", "-inf", "999999d", "99999999999d", "1.5h")


def test_the_grammar() -> None:
    assert parse_duration("90") == parse_duration(90) == parse_duration("90s")
    assert parse_duration(" 30m ") == timedelta(minutes=30)
    assert parse_duration("2h") == timedelta(hours=2)
    assert parse_duration("7D") == timedelta(days=7)
    assert parse_duration("1w") == timedelta(weeks=1)
    assert parse_duration(f"{MAX_DURATION.days}d") == MAX_DURATION


@pytest.mark.parametrize(
    "value",
    [*OUT_OF_BOUNDS, 0, -5, True, False, 1.5, float("inf"), None, "2 weeks", "١٢h", "x" * 99],
)
def test_out_of_bounds_is_one_line(value: object) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    message = str(info.value)
    assert "\n" not in message and len(message) < 120


def test_a_maximum_per_use() -> None:
    assert parse_duration("1d", maximum=timedelta(days=1)) == timedelta(days=1)
    with pytest.raises(ValueError, match="longer than the maximum, 1d"):
        parse_duration("25h", maximum=timedelta(days=1))


def test_since_is_a_duration_ago_or_a_time_naive_meaning_utc() -> None:
    assert parse_since("1w", now=NOW) == NOW - timedelta(weeks=1)
    assert parse_since("2026-01-30T10:00", now=NOW) == datetime(2026, 1, 30, 10, tzinfo=UTC)
    assert parse_since("2026-01-30 10:00", now=NOW) == datetime(2026, 1, 30, 10, tzinfo=UTC)
    assert parse_since("2026-01-30T12:00+02:00") == datetime(2026, 1, 30, 10, tzinfo=UTC)
    assert parse_since("2026-01-30T10:00Z").tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [*OUT_OF_BOUNDS, "yesterday", "", "2x", "-2h", "0001-01-01T00:00+05:00", "1700000000000"],
)
def test_since_out_of_bounds_is_one_line(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_since(text, now=NOW)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "ttl", ["0", "-5", "true", "false", ".inf", ".nan", "1.5", "99999999999d", "999999999d", "[1]"]
)
def test_policy_ttl_out_of_bounds_names_the_line(ttl: str) -> None:
    text = f"roles: [viewer, operator]\ndefaults:\n  change:\n    ttl: {ttl}\n"
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, registry, where="p.yaml")
    assert str(info.value).startswith("p.yaml line 4: ") and "\n" not in str(info.value)


def test_policy_ttl_in_bounds() -> None:
    text = "roles: [viewer, operator]\ndefaults:\n  change:\n    ttl: 1w\n"
    rule = load_policy_text(text, registry).rule("restart")
    assert rule is not None and rule.ttl == timedelta(weeks=1)


async def test_audit_since_a_week_works(env: Env) -> None:
    await env.say(ALICE, "/dws clusters")
    reply = await env.say(ALICE, "/dws audit --since 1w")
    assert reply.severity is not Severity.ERROR, reply
    assert reply.text == "No audit records match." or reply.rows


@pytest.mark.parametrize(
    "command",
    ["/dws audit", "/dws events", "/dws events reporting", "/dws metrics reporting cpu"],
)
@pytest.mark.parametrize("since", ["999999d", "99999999999d", "0", "-5", "inf", "nan"])
async def test_since_out_of_bounds_is_an_error_reply(env: Env, command: str, since: str) -> None:
    reply = await env.say(ALICE, f"{command} --since {since}")
    assert reply.severity is Severity.ERROR, reply
    assert "error id" not in reply.text and "--since" in reply.text, reply.text


async def test_audit_since_before_year_one_is_an_error_reply(env: Env) -> None:
    reply = await env.say(ALICE, "/dws audit --since 0001-01-01T00:00+05:00")
    assert reply.severity is Severity.ERROR and "error id" not in reply.text, reply.text
    assert "before year 1" in reply.text


async def test_help_says_naive_times_are_utc(env: Env) -> None:
    reply = await env.say(ALICE, "/dws help audit")
    assert "UTC unless it names a zone" in reply.text

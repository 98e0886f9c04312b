"""The parser: flags, key=value, positionals, usage errors, did-you-mean, never raising."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.parsing import Invocation, _parse, parse
from commands.registry import Registry
from commands.replies import Reply, Severity
from tests.commands.conftest import build_registry


def _inv(text: str, registry: Registry) -> Invocation:
    result = parse(text, registry)
    assert isinstance(result, Invocation), result
    return result


def test_prefix_is_optional_and_aliases_resolve(registry: Registry) -> None:
    a = _inv("/dws clusters", registry)
    b = _inv("ls", registry)
    assert a.spec.name == b.spec.name == "clusters"
    assert a.text == "/dws clusters"


def test_flags_in_every_form(registry: Registry) -> None:
    inv = _inv('/dws clusters --status "AVAILABLE" --verbose limit=5', registry)
    assert inv.args.model_dump() == {"status": "AVAILABLE", "verbose": True, "limit": 5}
    inv = _inv("clusters --status=FAILED --no-verbose", registry)
    assert inv.args.model_dump() == {"status": "FAILED", "verbose": False, "limit": 10}


def test_positionals_and_list_tail(registry: Registry) -> None:
    inv = _inv("params set prod-dw a=1 'b=two words' --force", registry)
    assert inv.spec.name == "params set"
    assert inv.args.model_dump() == {
        "cluster": "prod-dw",
        "pairs": ["a=1", "b=two words"],
        "force": True,
    }


def test_target_is_global(registry: Registry) -> None:
    assert _inv("cluster x --target eu-west", registry).target == "eu-west"
    assert _inv("clusters --target=cn", registry).target == "cn"
    assert _inv("clusters", registry).target is None


def test_multiword_longest_match(registry: Registry) -> None:
    assert _inv("dr failover prod", registry).spec.name == "dr failover"
    assert _inv("SNAPSHOT create prod", registry).spec.name == "snapshot create"


def _error(text: str, registry: Registry) -> Reply:
    result = parse(text, registry)
    assert isinstance(result, Reply) and result.severity is Severity.ERROR, result
    return result


def test_unbalanced_quotes(registry: Registry) -> None:
    assert "Unbalanced quotes" in _error('/dws cluster "prod', registry).text


def test_unknown_command_did_you_mean(registry: Registry) -> None:
    reply = _error("/dws restrat prod", registry)
    assert "Unknown command `restrat`" in reply.text and "`restart`" in reply.text
    assert reply.follow_ups == ("/dws help restart",)
    assert "Did you mean" not in _error("zzzzqqq", registry).text


def test_missing_argument_gives_usage(registry: Registry) -> None:
    reply = _error("/dws cluster", registry)
    assert "`cluster` is required" in reply.text
    assert "Usage: /dws cluster <name|id>" in reply.text
    assert "Example: /dws cluster prod-dw" in reply.text


def test_bad_value_unknown_option_and_extra_word(registry: Registry) -> None:
    assert "`limit`" in _error("clusters --limit many", registry).text
    reply = _error("clusters --statsu x", registry)
    assert "`--statsu` is not an option" in reply.text and "`--status`" in reply.text
    assert "Unexpected argument `two`" in _error("cluster one two", registry).text
    assert "needs a value" in _error("clusters --status", registry).text
    assert "needs a target" in _error("clusters --target", registry).text
    assert "given twice" in _error("clusters --status a --status b", registry).text


def test_help_flag_and_empty_text(registry: Registry) -> None:
    reply = parse("cluster --help", registry)
    assert isinstance(reply, Reply) and reply.title == "/dws cluster"
    assert "Usage:" in reply.text
    # empty text means help; this registry has no help command, so it is an unknown command
    assert isinstance(parse("/dws", registry), Reply)


def test_error_never_echoes_secret_like_values(registry: Registry) -> None:
    reply = _error("clusters --password hunter2", registry)
    assert "hunter2" not in reply.text


_REG = build_registry()
_words = st.sampled_from(
    [
        "/dws",
        "cluster",
        "clusters",
        "params",
        "set",
        "--status",
        "--target",
        "--verbose",
        "--no-verbose",
        "limit=",
        "=",
        "'",
        '"',
        "\\",
        "-h",
        "dr",
        "failover",
        "x=y",
        "--",
        "--=",
        "\x00",
        "é",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert isinstance(_parse(text, _REG), Invocation | Reply)  # without the last guard


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_words, st.text(max_size=8)), max_size=12))
def test_token_soup_never_raises(words: list[str]) -> None:
    assert isinstance(_parse(" ".join(words), _REG), Invocation | Reply)

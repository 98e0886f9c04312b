"""Turn `/dws ...` text into an `Invocation`, or a usage `Reply` that says what is wrong.

`parse` never raises: every problem (unbalanced quotes, unknown command, unknown option, bad
value) becomes an error reply with the usage line and, where it helps, a did-you-mean.

Grammar: an optional ``/dws`` prefix, the command name (one or more words, the longest declared
name wins), then in any order: ``--flag value``, ``--flag=value``, ``--flag`` / ``--no-flag``
for booleans, ``key=value`` for a field name, and positional words mapped in order to the
spec's ``positionals`` (a list-typed last positional takes the rest). ``--target NAME`` works on
every command. ``-h`` / ``--help`` answers with the command's help.
"""

from __future__ import annotations

import difflib
import shlex
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from commands.registry import CommandSpec, Registry
from commands.replies import Reply, Severity

PREFIX = "/dws"
MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class Invocation:
    """A parsed command: its spec, validated arguments, the DWS target asked for, and the text."""

    spec: CommandSpec
    args: BaseModel
    target: str | None
    text: str


class _Usage(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse(text: str, registry: Registry) -> Invocation | Reply:
    """Parse ``text``; the answer is an `Invocation` or an error `Reply`. Never raises."""
    try:
        return _parse(text, registry)
    except Exception:  # pragma: no cover - a last guard: the parser must never raise
        return Reply.error("That command could not be understood.", follow_ups=("/dws help",))


@dataclass(frozen=True, slots=True)
class Draft:
    """The command a text names and the values its words bind, not yet validated."""

    spec: CommandSpec
    values: dict[str, Any]
    target: str | None


def draft(text: str, registry: Registry) -> Draft | None:
    """What ``text`` binds before validation (a form prefills its inputs from it), or None
    when it names no command, asks for help or cannot be bound (`parse` says why)."""
    found = _split(text, registry)
    if isinstance(found, Reply) or _asks_help(found[1]):
        return None
    spec, rest = found
    try:
        values, target = _bind(spec, rest)
    except _Usage:
        return None
    return Draft(spec, values, target)


def _split(text: str, registry: Registry) -> tuple[CommandSpec, list[str]] | Reply:
    """The command named and the words after its name, or the error reply."""
    if len(text) > MAX_TEXT:
        return Reply.error(f"That command is too long (over {MAX_TEXT} characters).")
    try:
        tokens = shlex.split(text)
    except ValueError:
        return Reply.error("Unbalanced quotes: close every quote you open.")
    if tokens and tokens[0].lower() == PREFIX:
        tokens = tokens[1:]
    if not tokens:
        tokens = ["help"]
    found = registry.match(tokens)
    if found is None:
        return unknown_command(tokens, registry)
    spec, used = found
    return spec, tokens[used:]


def _asks_help(words: list[str]) -> bool:
    return any(t in ("-h", "--help") for t in words)


def _parse(text: str, registry: Registry) -> Invocation | Reply:
    found = _split(text, registry)
    if isinstance(found, Reply):
        return found
    spec, rest = found
    if _asks_help(rest):
        return help_reply(spec)
    try:
        values, target = _bind(spec, rest)
    except _Usage as exc:
        return usage_reply(spec, exc.message)
    try:
        args = spec.args.model_validate(values)
    except ValidationError as exc:
        return usage_reply(spec, _validation_message(exc))
    canonical = " ".join([PREFIX, spec.name, *(shlex.quote(t) for t in rest)])
    return Invocation(spec=spec, args=args, target=target, text=canonical)


def unknown_command(tokens: list[str], registry: Registry) -> Reply:
    """The reply to words that name no command: a did-you-mean over names and aliases."""
    names = registry.all_names()
    guesses: list[str] = []
    for n in (2, 1):
        phrase = " ".join(tokens[:n]).lower()
        guesses += [g for g in difflib.get_close_matches(phrase, names, n=3) if g not in guesses]
    word = _clip(tokens[0])
    if guesses:
        hint = " or ".join(f"`{g}`" for g in guesses[:3])
        text = f"Unknown command `{word}`. Did you mean {hint}?"
    else:
        text = f"Unknown command `{word}`."
    return Reply.error(
        text, follow_ups=tuple(f"/dws help {g}" for g in guesses[:1]) or ("/dws help",)
    )


def _clip(word: str, limit: int = 40) -> str:
    word = "".join(c if c.isprintable() else "?" for c in word)
    return word if len(word) <= limit else word[: limit - 1] + "…"


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_is_list(a) for a in typing.get_args(annotation) if a is not type(None))


def _is_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    args = typing.get_args(annotation)
    return bool(args) and all(a is bool or a is type(None) for a in args)


def _bind(spec: CommandSpec, tokens: list[str]) -> tuple[dict[str, Any], str | None]:
    fields = spec.args.model_fields
    values: dict[str, Any] = {}
    positional: list[str] = []
    target: str | None = None
    i = 0

    def put(name: str, value: Any) -> None:
        if _is_list(fields[name].annotation):
            values.setdefault(name, []).append(value)
        elif name in values:
            raise _Usage(f"`{name}` is given twice.")
        else:
            values[name] = value

    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.startswith("--") and len(tok) > 2:
            key, eq, inline = tok[2:].partition("=")
            name = key.replace("-", "_").lower()
            if name == "target":
                if not eq and i >= len(tokens):
                    raise _Usage("`--target` needs a target name.")
                target = inline if eq else tokens[i]
                i += 0 if eq else 1
                continue
            if name.startswith("no_") and not eq and name[3:] in fields:
                if not _is_bool(fields[name[3:]].annotation):
                    raise _Usage(f"`--{key}` is not an option of `{spec.name}`.")
                put(name[3:], False)
                continue
            if name not in fields:
                raise _Usage(_unknown_option(key, spec))
            if eq:
                put(name, inline)
            elif _is_bool(fields[name].annotation):
                put(name, True)
            elif i < len(tokens):
                put(name, tokens[i])
                i += 1
            else:
                raise _Usage(f"`--{key}` needs a value.")
            continue
        key, eq, val = tok.partition("=")
        if eq and key.replace("-", "_").lower() in fields:
            put(key.replace("-", "_").lower(), val)
            continue
        positional.append(tok)
    _bind_positionals(spec, positional, values)
    return values, target


def _bind_positionals(spec: CommandSpec, words: list[str], values: dict[str, Any]) -> None:
    names = [p for p in spec.positionals if p not in values]
    for idx, word in enumerate(words):
        if idx < len(names) - 1 or (idx == len(names) - 1 and not _is_list_field(spec, names[idx])):
            values[names[idx]] = word
        elif names and _is_list_field(spec, names[-1]):
            values.setdefault(names[-1], []).append(word)
        else:
            raise _Usage(f"Unexpected argument `{_clip(word)}`.")


def _is_list_field(spec: CommandSpec, name: str) -> bool:
    return _is_list(spec.args.model_fields[name].annotation)


def _unknown_option(key: str, spec: CommandSpec) -> str:
    options = [f.replace("_", "-") for f in spec.args.model_fields] + ["target"]
    close = difflib.get_close_matches(key.lower(), options, n=1)
    hint = f" Did you mean `--{close[0]}`?" if close else ""
    return f"`--{_clip(key)}` is not an option of `{spec.name}`.{hint}"


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        if err.get("type") == "missing":
            parts.append(f"`{loc}` is required")
        else:
            parts.append(f"`{loc}`: {err.get('msg', 'invalid value')}")
    return "; ".join(parts).capitalize() + "."


def usage_reply(spec: CommandSpec, problem: str) -> Reply:
    """An error reply: the problem, then the usage line and the first example."""
    lines = [problem, f"Usage: {spec.usage}"]
    if spec.examples:
        lines.append(f"Example: {spec.examples[0]}")
    return Reply(
        text="\n".join(lines),
        severity=Severity.ERROR,
        follow_ups=(f"/dws help {spec.name}",),
    )


def help_reply(spec: CommandSpec) -> Reply:
    """The help of one command: summary, usage, aliases and examples."""
    lines = [spec.summary, f"Usage: {spec.usage}"]
    if spec.aliases:
        lines.append("Aliases: " + ", ".join(spec.aliases))
    lines += [f"Example: {e}" for e in spec.examples]
    return Reply(title=f"/dws {spec.name}", text="\n".join(lines))

"""A submitted form read back: the values checked as the command checks them, and the text to
dispatch.

`check(view)` validates the inputs with the command's own args model and the handlers' pure
checks (the DR name typed twice; `password_problem` for a password typed, or one generated
with `secrets`), and writes the exact ``/dws ...`` text to dispatch, proven to parse back to
the same arguments (so no value can turn into an option or another command). Problems come
back by block_id, for Slack's ``response_action: errors``. Pure: `bot.slack.on_view` talks.
"""

from __future__ import annotations

import json
import secrets
import shlex
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from bot.slack.modals import CALLBACK, CONFIRM, FORMS, GENERATE, SECRET, TARGET
from commands.handlers.reset_password import password_problem
from commands.parsing import PREFIX, Invocation, parse
from commands.registry import CommandSpec, Registry

PASSWORD_SPECIALS = "~!@#%^*-_=+?."


@dataclass(frozen=True, slots=True)
class Submission:
    """A checked submission: what to dispatch, where, and the secret collected (if any)."""

    spec: CommandSpec
    channel: str
    args: BaseModel
    target: str | None
    text: str
    """``/dws <command> <quoted args>``: what the dispatcher gets (never holds a secret)."""
    secret: SecretStr | None = None
    generated: bool = False
    """True when dwsbot made the password (it is shown once, in the result view)."""


Errors = dict[str, str]
"""A submission's problems: block_id → one sentence (Slack's ``response_action: errors``)."""


def read_metadata(view: Mapping[str, Any], registry: Registry) -> tuple[CommandSpec, str] | None:
    """The command and channel a submitted form is for (None: not one of dwsbot's forms)."""
    try:
        data = json.loads(str(view.get("private_metadata") or ""))
        command, channel = str(data["command"]), str(data["channel"])
    except (ValueError, KeyError, TypeError):
        return None
    spec = registry.get(command)
    if spec is None or spec.name not in FORMS or view.get("callback_id") != CALLBACK + spec.name:
        return None
    return spec, channel


def state_values(view: Mapping[str, Any]) -> dict[str, Any]:
    """The view's inputs by block_id: text (or None), the chosen option's value, or a bool
    for checkboxes."""
    values: dict[str, Any] = {}
    state = (view.get("state") or {}).get("values") or {}
    for block_id, actions in state.items():
        for item in (actions or {}).values():
            kind = item.get("type")
            if kind in ("static_select", "external_select"):
                values[block_id] = (item.get("selected_option") or {}).get("value")
            elif kind == "checkboxes":
                values[block_id] = bool(item.get("selected_options"))
            else:
                value = item.get("value")
                values[block_id] = value.strip() if isinstance(value, str) else value
    return values


def check(
    view: Mapping[str, Any], spec: CommandSpec, channel: str, registry: Registry
) -> Submission | Errors:
    """The submission of ``spec``'s form, checked, or its problems by block_id."""
    state = state_values(view)
    fields = spec.args.model_fields
    values = {n: state[n] for n in fields if state.get(n) not in (None, "")}
    try:
        args = spec.args.model_validate(values)
    except ValidationError as exc:
        return {str(e["loc"][0]): _sentence(e) for e in exc.errors() if e.get("loc")}
    errors: Errors = {}
    if spec.name == "dr failover" and state.get(CONFIRM) != getattr(args, "dr", None):
        errors[CONFIRM] = "Type the DR name exactly as above to confirm the failover."
    secret, generated = _secret(spec, state, errors)
    target = state.get(TARGET) or None
    text = command_text(spec, args, target)
    parsed = parse(text, registry)
    if not isinstance(parsed, Invocation) or parsed.args != args or parsed.target != target:
        errors.setdefault(next(iter(fields)), "dwsbot cannot pass these values on as typed.")
    if errors:
        return errors
    return Submission(spec, channel, args, target, text, secret, generated)


def _sentence(error: Any) -> str:
    if error.get("type") == "missing":
        return "This is required."
    message = str(error.get("msg") or "not a valid value")
    return message[:1].upper() + message[1:] + "."


def _secret(
    spec: CommandSpec, state: Mapping[str, Any], errors: Errors
) -> tuple[SecretStr | None, bool]:
    """The secret typed or generated (only ``password`` is ever asked for)."""
    for name in spec.secrets:
        typed = state.get(SECRET + name) or ""
        if state.get(GENERATE):
            if typed:
                errors[SECRET + name] = "Leave this empty when dwsbot generates the password."
                return None, False
            return SecretStr(generate_password()), True
        if not typed:
            errors[SECRET + name] = "Type a password, or tick the box to generate one."
            return None, False
        problem = password_problem(typed, "")
        if problem:
            errors[SECRET + name] = problem[:1].upper() + problem[1:] + "."
            return None, False
        return SecretStr(typed), False
    return None, False


def command_text(spec: CommandSpec, args: BaseModel, target: str | None) -> str:
    """``/dws <command> <args>``: positionals as words where they read as words, the rest as
    ``--name=value``; a default left as it is is not written."""
    words = [PREFIX, spec.name]
    fields = spec.args.model_fields
    order = [*spec.positionals, *(n for n in fields if n not in spec.positionals)]
    for name in order:
        info, value = fields[name], getattr(args, name)
        if value is None or (not info.is_required() and value == info.default):
            continue
        flag = name.replace("_", "-")
        if isinstance(value, bool):
            words.append(f"--{flag}" if value else f"--no-{flag}")
        elif name in spec.positionals and _word(str(value)):
            words.append(shlex.quote(str(value)))
        else:
            words.append(shlex.quote(f"--{flag}={value}"))
    if target:
        words.append(shlex.quote(f"--target={target}"))
    return " ".join(words)


def _word(text: str) -> bool:
    return bool(text) and not text.startswith("-") and "=" not in text


def generate_password(length: int = 20) -> str:
    """A strong password (`secrets`): every character class, within password_problem's rules."""
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, PASSWORD_SPECIALS)
    alphabet = "".join(classes)
    while True:
        made = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in cls for c in made) for cls in classes) and not password_problem(made, ""):
            return made

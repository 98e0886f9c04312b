"""Forms for the changing commands typed without their arguments: which text opens one, and
the modal.

`form_for(text)` says whether a slash command should open a form instead of being dispatched:
it names one of `FORMS` and the words leave a required argument out (or the command asks for a
secret, which Slack can only collect in a modal). `form_view` builds the modal from the
command's own pydantic args model (a label from each field name, the hint from the field's
attribute docstring, required or optional, an input that fits the type), prefilled with what
was typed, plus three special cases: the parameter of ``params set`` is an external select
(answered from the cluster's parameters, `parameter_options`), ``dr failover`` asks for the DR
name again, and a secret gets a plain warning and a "generate" box. `result_view` is the modal
after a submission. A submission is read back by `bot.slack.submissions`; everything here is
pure, and `bot.slack.on_view` does the talking.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import json
import textwrap
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from commands.handlers._common import short
from commands.handlers.params import values_by_type
from commands.parsing import PREFIX, draft
from commands.registry import CommandSpec, Registry
from dws.models import ConfigurationParameter

View = dict[str, Any]
Block = dict[str, Any]

FORMS = frozenset(
    {
        "snapshot create",
        "add-nodes",
        "params set",
        "snapshot restore",
        "dr failover",
        "reset-password",
    }
)
"""The commands that open a form when typed without their arguments."""
CALLBACK = "dws-form:"
"""A form's callback_id is this prefix and the command's name."""
PARAM_ACTION = "dws-param"
"""The action_id of the parameter select of ``params set`` (answered by block_suggestion)."""
CONFIRM = "confirm"
GENERATE = "generate"
TARGET = "target"
SECRET = "secret:"
"""Block ids of secret inputs: this prefix and the secret's name."""
MAX_OPTIONS = 100
TITLE_CHARS = 24
OPTION_TEXT = 75
OPTION_VALUE = 150
METADATA_CHARS = 3000
_WORDS = {"dr": "DR", "id": "ID", "cn": "CN", "dn": "DN"}


@dataclass(frozen=True, slots=True)
class Form:
    """A form to open: the command, the values typed so far (prefills) and the target."""

    spec: CommandSpec
    values: dict[str, Any]
    target: str | None


def form_for(text: str, registry: Registry) -> Form | None:
    """The form ``text`` should open, or None when it is to be dispatched as it is."""
    found = draft(text, registry)
    if found is None or found.spec.name not in FORMS:
        return None
    fields = found.spec.args.model_fields
    missing = [n for n, f in fields.items() if f.is_required() and n not in found.values]
    if not missing and not found.spec.secrets:
        return None
    return Form(found.spec, found.values, found.target)


# ----- the modal ---------------------------------------------------------------------------


def _plain(text: str, limit: int = 2000) -> Block:
    return {"type": "plain_text", "text": short(text, limit) or " ", "emoji": False}


def title_of(spec: CommandSpec) -> str:
    """The modal title (Slack allows 24 characters)."""
    return short(f"{PREFIX} {spec.name}", TITLE_CHARS)


def metadata(channel: str, command: str) -> str:
    """private_metadata: the channel the command was typed in and the command's name only."""
    text = json.dumps({"channel": channel, "command": command}, separators=(",", ":"))
    if len(text) > METADATA_CHARS:
        raise ValueError("private_metadata is over Slack's 3,000 characters")
    return text


def form_view(form: Form, channel: str, *, ask_target: bool = False) -> View:
    """The modal of ``form`` (views.open's ``view``); ``ask_target``: several DWS targets."""
    spec = form.spec
    docs = field_docs(spec.args)
    blocks: list[Block] = [{"type": "section", "text": _plain(spec.summary, 3000)}]
    for name, info in spec.args.model_fields.items():
        blocks.append(_input(spec, name, info, docs.get(name, ""), form.values.get(name)))
        if spec.name == "dr failover" and name == "dr":
            blocks.append(_confirm_input())
    for secret in spec.secrets:
        blocks += _secret_inputs(secret)
    if ask_target or form.target:
        hint = "The DWS target (leave empty for the default)."
        element = _text_element(TARGET, form.target)
        blocks.append(_block(TARGET, "Target", hint, element, optional=True))
    return {
        "type": "modal",
        "callback_id": CALLBACK + spec.name,
        "title": _plain(title_of(spec)),
        "submit": _plain("Submit"),
        "close": _plain("Cancel"),
        "private_metadata": metadata(channel, spec.name),
        "blocks": blocks,
    }


def label_of(name: str) -> str:
    """``subnet_id`` → ``Subnet ID``."""
    words = [_WORDS.get(w, w) for w in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


@functools.cache
def field_docs(model: type[BaseModel]) -> dict[str, str]:
    """The attribute docstrings of a model's fields (the string after each annotation)."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, after in itertools.pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def _block(block_id: str, label: str, hint: str, element: Block, *, optional: bool) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(label),
        "element": element,
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _bare(annotation: Any) -> Any:
    """The annotation without ``| None``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is not Literal and len(args) == 1:
        return args[0]
    return annotation


def _input(spec: CommandSpec, name: str, info: FieldInfo, hint: str, given: Any) -> Block:
    kind = _bare(info.annotation)
    initial = given if given is not None or info.is_required() else info.default
    if spec.name == "params set" and name == "name":
        element: Block = {
            "type": "external_select",
            "action_id": PARAM_ACTION,
            "min_query_length": 0,
            "placeholder": _plain("Search the cluster's parameters"),
        }
        if initial is not None and 0 < len(str(initial)) <= OPTION_VALUE:
            element["initial_option"] = option(str(initial))
        hint = f"{hint} Fill in the cluster first: the list is the cluster's parameters."
    elif typing.get_origin(kind) is Literal:
        choices = [str(c) for c in typing.get_args(kind)]
        element = {
            "type": "static_select",
            "action_id": name,
            "options": [option(c) for c in choices],
        }
        if initial is not None and str(initial) in choices:
            element["initial_option"] = option(str(initial))
    elif kind is bool:
        box = option(label_of(name), "yes")
        element = {"type": "checkboxes", "action_id": name, "options": [box]}
        if initial is True:
            element["initial_options"] = [box]
    elif kind in (int, float):
        element = _number_element(name, info, initial, decimal=kind is float)
    else:
        element = _text_element(name, initial, info)
    return _block(name, label_of(name), hint, element, optional=not info.is_required())


def _text_element(action_id: str, initial: Any, info: FieldInfo | None = None) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": action_id}
    for rule in info.metadata if info is not None else ():
        if isinstance(rule, annotated_types.MaxLen):
            element["max_length"] = rule.max_length
        if isinstance(rule, annotated_types.MinLen):
            element["min_length"] = rule.min_length
    if initial is not None and str(initial).strip():
        element["initial_value"] = str(initial)
    return element


def _number_element(name: str, info: FieldInfo, initial: Any, *, decimal: bool) -> Block:
    element: Block = {"type": "number_input", "action_id": name, "is_decimal_allowed": decimal}
    low: float | None = None
    high: float | None = None
    for rule in info.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = float(rule.ge)  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Le):
            high = float(rule.le)  # type: ignore[arg-type]
    if low is not None:
        element["min_value"] = _number(low)
    if high is not None:
        element["max_value"] = _number(high)
    start = _float(initial)
    if start is not None and (decimal or start.is_integer()) and _within(start, low, high):
        element["initial_value"] = _number(start)
    return element


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or low <= value) and (high is None or value <= high)


def _float(value: Any) -> float | None:
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _confirm_input() -> Block:
    hint = (
        "Failover switches to the DR cluster when production is broken: data written since "
        "the last sync is lost. Type the DR name again, exactly as above, to go on."
    )
    element = _text_element(CONFIRM, None)
    return _block(CONFIRM, "Type the DR name to confirm", hint, element, optional=False)


def _secret_inputs(secret: str) -> list[Block]:
    noun = secret.replace("_", " ")
    warning = (
        f"Slack has no masked input: the {noun} you type below stays visible on your screen "
        f"until you submit. dwsbot keeps it in memory only (never in a message, the audit or "
        f"a log). Or leave it empty and tick the box: dwsbot makes a strong {noun} and shows "
        "it to you once, here."
    )
    box = option(f"Generate a strong {noun}", "yes")
    return [
        {"type": "section", "text": _plain(warning, 3000)},
        _block(
            SECRET + secret,
            f"New {noun}",
            "12 to 32 characters, with three of: lower case, upper case, digits, specials.",
            _text_element(SECRET + secret, None),
            optional=True,
        ),
        _block(
            GENERATE,
            "Or",
            "",
            {"type": "checkboxes", "action_id": GENERATE, "options": [box]},
            optional=True,
        ),
    ]


def option(text: str, value: str | None = None, description: str = "") -> Block:
    """A select or checkbox option."""
    made: Block = {"text": _plain(text, OPTION_TEXT), "value": value if value is not None else text}
    if description:
        made["description"] = _plain(description, OPTION_TEXT)
    return made


def parameter_options(params: Iterable[ConfigurationParameter], typed: str) -> list[Block]:
    """The options of the parameter select: writable parameters whose name holds ``typed``
    (names starting with it first), at most Slack's 100."""
    want = typed.strip().lower()
    found = [
        p
        for p in params
        if not p.readonly and want in p.name.lower() and 0 < len(p.name) <= OPTION_VALUE
    ]
    found.sort(key=lambda p: (not p.name.lower().startswith(want), p.name))
    options = []
    for p in found[:MAX_OPTIONS]:
        now = values_by_type(p)
        current = now.get("CN") or now.get("DN") or ""
        about = " ".join(x for x in (p.type or "", p.value_range or "") if x)
        options.append(option(p.name, description=f"{about} · now {current}".strip(" ·")))
    return options


# ----- the result view ------------------------------------------------------------------------

VIEW_SAFE = frozenset({"section", "header", "context", "divider", "rich_text", "markdown"})
"""Block types a message may hold that a modal shows too (no buttons: they act on messages)."""
VIEW_BLOCKS = 100


def result_view(
    spec: CommandSpec | None, blocks: list[Block], *, password: SecretStr | None = None
) -> View:
    """The modal after a submission (``response_action: update``): what happened, and a
    generated password shown this once (``spec`` None: a form dwsbot no longer knows)."""
    shown = [b for b in blocks if b.get("type") in VIEW_SAFE]
    head: list[Block] = []
    if password is not None:
        head = [
            {
                "type": "section",
                "text": _plain(
                    "Your new password, shown this once: copy it now. It takes effect only if "
                    "the reset is approved and succeeds."
                ),
            },
            {"type": "section", "text": _plain(password.get_secret_value())},
            {"type": "divider"},
        ]
    return {
        "type": "modal",
        "title": _plain(title_of(spec) if spec is not None else "dwsbot"),
        "close": _plain("Close"),
        "blocks": (head + shown)[:VIEW_BLOCKS],
    }

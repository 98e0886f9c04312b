"""The forms, pure: which text opens one, the modal built from the command's args model (valid
for slack_sdk's `View`, within Slack's limits), and a submission read back and checked."""

from __future__ import annotations

import json
import string
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.views import View

import commands.handlers  # noqa: F401  (fills the registry)
from bot.slack import modals
from bot.slack.modals import (
    CONFIRM,
    FORMS,
    GENERATE,
    PARAM_ACTION,
    Form,
    field_docs,
    form_for,
    form_view,
    label_of,
    parameter_options,
    result_view,
)
from bot.slack.submissions import (
    Submission,
    check,
    command_text,
    generate_password,
    read_metadata,
)
from commands.handlers.reset_password import password_problem
from commands.parsing import Invocation, parse
from commands.registry import CommandSpec, Registry, registry
from dws.models import ConfigurationParameter

PASSWORD_BLOCK = modals.SECRET + "password"


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def valid(view: dict[str, Any]) -> dict[str, Any]:
    """The view as slack_sdk's View model accepts it (to_dict raises on a limit broken)."""
    checked = View(**view).to_dict()
    assert len(checked["title"]["text"]) <= 24
    assert len(checked.get("blocks", [])) <= 100
    assert len(checked.get("private_metadata", "")) <= 3000
    return checked


def form_state(view: dict[str, Any], answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The state of ``view`` as Slack submits it: ``answers`` (block_id → value), else the
    inputs' prefills (the end-to-end tests use it too)."""
    values: dict[str, dict[str, Any]] = {}
    for block_id, block in inputs(view).items():
        element = block["element"]
        kind, action = element["type"], element["action_id"]
        initial = element.get("initial_value") or (element.get("initial_option") or {}).get("value")
        answer = answers.get(block_id, initial or bool(element.get("initial_options")) or None)
        if kind in ("static_select", "external_select"):
            item = {"type": kind, "selected_option": {"value": answer} if answer else None}
        elif kind == "checkboxes":
            item = {"type": kind, "selected_options": element["options"][:1] if answer else []}
        else:
            item = {"type": kind, "value": None if answer is None else str(answer)}
        values[block_id] = {action: item}
    return values


def submitted(view: dict[str, Any], **answers: Any) -> dict[str, Any]:
    """``view`` as Slack submits it (see `form_state`)."""
    return {**view, "id": "V1", "state": {"values": form_state(view, answers)}}


def opened(text: str, channel: str = "C1") -> tuple[Form, dict[str, Any]]:
    form = form_for(text, registry)
    assert form is not None, text
    return form, form_view(form, channel)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_command_typed_bare_opens_a_valid_form(name: str) -> None:
    form, view = opened(f"/dws {name}")
    assert form.spec.name == name and form.spec.changes
    valid(view)
    assert json.loads(view["private_metadata"]) == {"channel": "C1", "command": name}
    assert read_metadata(view, registry) == (form.spec, "C1")
    fields = form.spec.args.model_fields
    shown = inputs(view)
    for field, info in fields.items():
        assert shown[field]["optional"] is (not info.is_required())


def test_inputs_come_from_the_args_model_with_its_docstrings() -> None:
    _form, view = opened("/dws add-nodes")
    shown = inputs(view)
    assert list(shown) == ["cluster", "count", "subnet_id"]
    assert shown["cluster"]["hint"]["text"] == "Cluster name or id."  # add_nodes.py's docstring
    assert shown["count"]["hint"]["text"] == "Number of nodes to add."
    assert shown["subnet_id"]["label"]["text"] == "Subnet ID"
    count = shown["count"]["element"]
    assert (count["type"], count["min_value"], count["max_value"]) == ("number_input", "1", "256")
    assert count["is_decimal_allowed"] is False
    assert shown["cluster"]["element"]["type"] == "plain_text_input"


def test_what_was_typed_prefills_the_form() -> None:
    form, view = opened("/dws add-nodes prod-dw --subnet-id s-1")
    assert form.values == {"cluster": "prod-dw", "subnet_id": "s-1"}
    shown = inputs(view)
    assert shown["cluster"]["element"]["initial_value"] == "prod-dw"
    assert shown["subnet_id"]["element"]["initial_value"] == "s-1"
    assert "initial_value" not in shown["count"]["element"]
    _form, view = opened("/dws snapshot restore before-upgrade")
    assert inputs(view)["snapshot"]["element"]["initial_value"] == "before-upgrade"
    _form, view = opened("/dws add-nodes --count 999")  # out of range: not prefilled
    assert "initial_value" not in inputs(view)["count"]["element"]
    valid(view)


@pytest.mark.parametrize(
    "text",
    [
        "/dws add-nodes prod-dw 3",  # complete: dispatched
        "/dws add-nodes prod-dw abc",  # a bad value: the usage reply says so
        "/dws add-nodes prod-dw 3 4",  # an extra word
        "/dws add-nodes --help",
        "/dws clusters",
        "/dws restart",  # not a form command
        "/dws snapshot create prod-dw",
        "/dws frobnicate",
        "/dws snapshot create 'unbalanced",
    ],
)
def test_texts_that_are_dispatched_as_they_are(text: str) -> None:
    assert form_for(text, registry) is None


def test_a_command_that_asks_a_secret_always_opens_its_form() -> None:
    form, view = opened("/dws reset-password prod-dw --target eu")
    assert form.target == "eu"
    shown = inputs(view)
    assert shown["cluster"]["element"]["initial_value"] == "prod-dw"
    assert shown["target"]["element"]["initial_value"] == "eu"
    assert shown[PASSWORD_BLOCK]["element"]["type"] == "plain_text_input"
    assert shown[GENERATE]["element"]["type"] == "checkboxes"
    said = " ".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    assert "Slack has no masked input" in said
    valid(view)


def test_params_set_searches_the_clusters_parameters() -> None:
    _form, view = opened("/dws params set reporting max_connections")
    shown = inputs(view)
    element = shown["name"]["element"]
    assert element["type"] == "external_select" and element["action_id"] == PARAM_ACTION
    assert element["initial_option"]["value"] == "max_connections"
    kind = shown["type"]["element"]
    assert [o["value"] for o in kind["options"]] == ["CN", "DN", "both"]
    assert kind["initial_option"]["value"] == "both"  # the model's default
    valid(view)


class Everything(BaseModel):
    """A model with one field of every kind a form can show."""

    where: str
    """Where it goes."""
    size: int = Field(ge=0, le=10)
    ratio: float | None = None
    """A ratio."""
    mode: Literal["fast", "safe"] = "safe"
    force: bool = True
    note: str | None = Field(default=None, max_length=40)


class More(Everything):
    extra: str = "x"
    """Inherited docstrings stay; this one is added."""


def spec_of(model: type[BaseModel], name: str) -> CommandSpec:
    reg = Registry()
    reg.add(CommandSpec(name=name, summary="s" * 4000, usage="u", examples=(), args=model))
    spec = reg.get(name)
    assert spec is not None
    return spec


def test_every_kind_of_field_makes_a_valid_input_within_slacks_limits() -> None:
    spec = spec_of(More, "a command name far longer than a title")
    view = form_view(Form(spec, {"size": "0", "ratio": "0.5"}, None), "C" * 20)
    checked = valid(view)
    assert checked["title"]["text"].endswith("…")
    shown = inputs(view)
    assert shown["size"]["element"]["initial_value"] == "0"  # 0 is within 0..10
    assert shown["ratio"]["element"]["is_decimal_allowed"] is True
    assert shown["force"]["element"]["initial_options"] == shown["force"]["element"]["options"]
    assert shown["note"]["element"]["max_length"] == 40
    assert shown["mode"]["element"]["initial_option"]["value"] == "safe"
    assert shown["extra"]["hint"]["text"] == "Inherited docstrings stay; this one is added."
    assert field_docs(More)["where"] == "Where it goes."
    assert "hint" not in shown["mode"]


def test_slack_sdk_catches_a_broken_limit() -> None:  # the check the tests rely on can fail
    _form, view = opened("/dws add-nodes")
    with pytest.raises(SlackObjectFormationError):
        View(**{**view, "title": {"type": "plain_text", "text": "t" * 25}}).to_dict()
    with pytest.raises(SlackObjectFormationError):
        View(**{**view, "private_metadata": "m" * 3001}).to_dict()


def test_labels() -> None:
    assert [label_of(n) for n in ("cluster", "dr", "subnet_id")] == ["Cluster", "DR", "Subnet ID"]


# ----- submissions --------------------------------------------------------------------------


def checked(text: str, **answers: Any) -> Submission | dict[str, str]:
    form, view = opened(text)
    return check(submitted(view, **answers), form.spec, "C1", registry)


@pytest.mark.parametrize(
    ("count", "problem"),
    [("0", "greater than or equal to 1"), ("257", "less than or equal to 256"), ("two", "integer")],
)
def test_a_bad_count_is_refused_on_its_field(count: str, problem: str) -> None:
    errors = checked("/dws add-nodes", cluster="prod-dw", count=count)
    assert isinstance(errors, dict) and list(errors) == ["count"]
    assert problem in errors["count"]


def test_a_good_submission_is_the_command_text_the_user_could_have_typed() -> None:
    sub = checked("/dws add-nodes", cluster="prod-dw", count="3")
    assert isinstance(sub, Submission)
    assert sub.text == "/dws add-nodes prod-dw 3"
    assert sub.channel == "C1" and sub.secret is None
    sub = checked("/dws snapshot create", cluster="prod-dw", description="before 9.1")
    assert isinstance(sub, Submission)
    assert sub.text == "/dws snapshot create prod-dw '--description=before 9.1'"
    parsed = parse(sub.text, registry)
    assert isinstance(parsed, Invocation) and parsed.args == sub.args


def test_missing_required_values_are_named() -> None:
    errors = checked("/dws params set", value="800")
    assert errors == {"cluster": "This is required.", "name": "This is required."}


def test_the_dr_name_must_be_typed_again_for_a_failover() -> None:
    errors = checked("/dws dr failover", dr="prod-dw-dr", confirm="prod-dw")
    assert isinstance(errors, dict) and list(errors) == [CONFIRM]
    sub = checked("/dws dr failover", dr="prod-dw-dr", confirm="prod-dw-dr")
    assert isinstance(sub, Submission) and sub.text == "/dws dr failover prod-dw-dr"


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({}, "Type a password, or tick the box"),
        ({PASSWORD_BLOCK: "Short1!"}, "12 to 32 characters"),
        ({PASSWORD_BLOCK: "alllowercaseletters"}, "needs three of"),
        ({PASSWORD_BLOCK: "Typed-and-Generated1", GENERATE: True}, "Leave this empty"),
    ],
)
def test_password_problems_are_said_on_the_password_field(
    answers: dict[str, Any], problem: str
) -> None:
    errors = checked("/dws reset-password prod-dw", **answers)
    assert isinstance(errors, dict) and list(errors) == [PASSWORD_BLOCK]
    assert problem in errors[PASSWORD_BLOCK]
    typed = answers.get(PASSWORD_BLOCK)
    assert not typed or typed not in errors[PASSWORD_BLOCK]  # never quoted back


def test_a_password_reaches_the_submission_only_as_a_secret() -> None:
    sub = checked("/dws reset-password prod-dw", **{PASSWORD_BLOCK: "Typed-Password-42"})
    assert isinstance(sub, Submission) and sub.secret is not None and not sub.generated
    assert sub.secret.get_secret_value() == "Typed-Password-42"
    assert "Typed-Password-42" not in sub.text + repr(sub)
    made = checked("/dws reset-password prod-dw", **{GENERATE: True})
    assert isinstance(made, Submission) and made.generated and made.secret is not None
    assert password_problem(made.secret.get_secret_value(), "") is None
    assert made.secret.get_secret_value() not in made.text + repr(made)


def test_generated_passwords_are_strong_and_differ() -> None:
    made = {generate_password() for _ in range(200)}
    assert len(made) == 200
    assert all(password_problem(p, "") is None for p in made)
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    assert all(all(any(c in cls for c in p) for cls in classes) for p in made)


@given(
    name=st.text(st.characters(codec="utf-8"), max_size=40),
    description=st.text(max_size=60),
    cluster=st.text(st.characters(codec="utf-8"), min_size=1, max_size=20),
)
def test_a_submission_never_dispatches_other_arguments_than_submitted(
    name: str, description: str, cluster: str
) -> None:
    sub = checked("/dws snapshot create", cluster=cluster, name=name, description=description)
    if isinstance(sub, Submission):
        parsed = parse(sub.text, registry)
        assert isinstance(parsed, Invocation) and parsed.args == sub.args
        assert sub.args.model_dump() == {
            "cluster": cluster.strip(),
            "name": name.strip() or None,
            "description": description.strip() or None,
        }
    else:
        assert sub  # refused on a field, never run as something else


def test_metadata_that_is_not_a_forms_is_ignored() -> None:
    _form, view = opened("/dws add-nodes")
    assert read_metadata({**view, "private_metadata": "{}"}, registry) is None
    assert read_metadata({**view, "callback_id": "other"}, registry) is None
    other = json.dumps({"channel": "C1", "command": "clusters"})
    assert read_metadata({**view, "private_metadata": other}, registry) is None


def test_command_text_writes_what_differs_from_the_defaults() -> None:
    spec = registry.get("params set")
    assert spec is not None
    args = spec.args.model_validate({"cluster": "a b", "name": "x=y", "value": "-1", "type": "DN"})
    text = command_text(spec, args, "eu")
    assert text == "/dws params set 'a b' --name=x=y --value=-1 --type=DN --target=eu"
    parsed = parse(text, registry)
    assert isinstance(parsed, Invocation) and parsed.args == args and parsed.target == "eu"


# ----- parameter options and the result view ------------------------------------------------


def param(name: str, **extra: Any) -> ConfigurationParameter:
    return ConfigurationParameter.model_validate({"name": name, **extra})


def test_parameter_options_match_the_typed_text_writable_only_at_most_100() -> None:
    params = [param(f"opt_{i:03d}", type="integer", value_range="0~9") for i in range(150)]
    params += [
        param("max_connections", values=[{"type": "cn", "value": "5000"}], type="integer"),
        param("session_max", readonly=True),
        param("x" * 151),
    ]
    options = parameter_options(params, "")
    assert len(options) == 100
    assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in options)
    found = parameter_options(params, " MAX")
    assert [o["value"] for o in found] == ["max_connections"]
    assert "now 5000" in found[0]["description"]["text"]
    assert [o["value"] for o in parameter_options(params, "opt_14")] == [
        f"opt_{i}" for i in range(140, 150)
    ]
    starts = parameter_options([param("b_conn"), param("conn_a")], "conn")
    assert [o["value"] for o in starts] == ["conn_a", "b_conn"]  # names starting with it first


def test_the_result_view_shows_a_password_and_no_buttons() -> None:
    spec = registry.get("reset-password")
    assert spec is not None
    from pydantic import SecretStr

    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "done"}},
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "b"}, "action_id": "a"}
            ],
        },
    ]
    view = result_view(spec, blocks, password=SecretStr("Shown-Once-123"))
    checked_view = valid(view)
    assert "submit" not in checked_view
    assert [b["type"] for b in checked_view["blocks"]] == [
        "section",
        "section",
        "divider",
        "section",
    ]
    assert checked_view["blocks"][1]["text"]["text"] == "Shown-Once-123"
    assert "Shown-Once-123" not in json.dumps(result_view(spec, blocks))


def test_http_mode_points_the_parameter_search_at_the_events_url() -> None:
    from bot.slack.manifest import for_http

    interactivity = for_http("https://dwsbot.example.com")["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == interactivity["request_url"]
    assert interactivity["request_url"] == "https://dwsbot.example.com/slack/events"

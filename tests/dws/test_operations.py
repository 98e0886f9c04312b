"""The operation catalogue: names, building every operation, and each validation error."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dws.data import operation_rows
from dws.errors import DwsRequestError, UnknownOperationError
from dws.operations import (
    DERIVED_NAMES,
    Operation,
    Param,
    PreparedCall,
    all_operations,
    get_operation,
)

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def raw_catalogue() -> list[dict[str, Any]]:
    return list(operation_rows())


def sample(param: Param) -> Any:
    """A valid value for a parameter, as a caller would pass it."""
    kind = param.type.lower()
    if kind in {"integer", "long", "number"}:
        return 7
    if kind == "boolean":
        return True
    if kind.startswith("array"):
        return ["first", "second"]
    return f"{param.name}-value"


def sample_body(op: Operation) -> dict[str, Any] | None:
    if not op.body_params:
        return None
    return {p.name: {"nested": True} if "object" in p.type.lower() else "x" for p in op.body_params}


# -- the catalogue as a whole -------------------------------------------------------------------


def test_every_operation_of_the_reference_is_in_the_catalogue_in_document_order() -> None:
    ops = all_operations()
    assert len(ops) == 212
    assert [op.section for op in ops] == [row["section"] for row in raw_catalogue()]


def test_names_are_unique_snake_case() -> None:
    names = [op.name for op in all_operations()]
    assert len(set(names)) == len(names) == 212
    assert all(SNAKE.fullmatch(name) for name in names), [
        n for n in names if not SNAKE.fullmatch(n)
    ]


def test_sdk_names_are_kept_and_the_others_are_derived() -> None:
    ops = all_operations()
    with_sdk = [op for op in ops if op.sdk_name]
    assert len(with_sdk) == 178
    assert all(op.name == op.sdk_name for op in with_sdk)
    derived = {op.section: op.name for op in ops if op.sdk_name is None}
    assert derived == DERIVED_NAMES
    assert len(derived) == 34


@pytest.mark.parametrize(
    ("name", "method", "path"),
    [
        ("create_cluster_snapshot", "POST", "/v2/{project_id}/clusters/{cluster_id}/snapshots"),
        ("restore_cluster_v2", "POST", "/v2/{project_id}/snapshots/{snapshot_id}/actions"),
        ("show_cluster_status", "GET", "/v1/{project_id}/dms/cluster/status"),
        ("list_clusters", "GET", "/v1.0/{project_id}/clusters"),
        ("restart_cluster", "POST", "/v1.0/{project_id}/clusters/{cluster_id}/restart"),
    ],
)
def test_known_operations_have_their_reference_method_and_path(
    name: str, method: str, path: str
) -> None:
    op = get_operation(name)
    assert (op.method, op.path) == (method, path)


def test_project_id_is_not_a_caller_parameter() -> None:
    for op in all_operations():
        assert "{project_id}" in op.path
        assert all(p.name != "project_id" for p in op.params)
        assert all(p.location == "path" for p in op.path_params)
        assert all(p.location == "query" for p in op.query_params)
        assert all(p.location == "body" for p in op.body_params)


def test_the_form_operation_is_marked() -> None:
    forms = [op.name for op in all_operations() if op.content_type != "application/json"]
    assert forms == ["set_ldap_conf"]


def test_catalogue_is_loaded_once() -> None:
    assert all_operations() is all_operations()
    assert get_operation("list_clusters") is get_operation("list_clusters")


# -- building every operation -------------------------------------------------------------------


@pytest.mark.parametrize("op", all_operations(), ids=lambda op: op.name)
def test_every_operation_builds_with_valid_parameters(op: Operation) -> None:
    params = {p.name: sample(p) for p in op.params}
    body = sample_body(op)
    call = op.build(params, body, project_id=PROJECT)
    assert isinstance(call, PreparedCall)
    assert (call.operation, call.method) == (op.name, op.method)
    assert "{" not in call.path and call.path.startswith("/v")
    assert f"/{PROJECT}/" in call.path or call.path.endswith(f"/{PROJECT}")
    for p in op.path_params:
        assert f"/{p.name}-value" in call.path
    expected: list[tuple[str, str]] = []
    for p in op.query_params:
        value = sample(p)
        if isinstance(value, list):
            expected += [(p.name, v) for v in value]
        else:
            expected.append((p.name, {7: "7", True: "true"}.get(value, value)))
    assert sorted(call.query) == sorted(expected)
    assert call.body == body


@pytest.mark.parametrize("op", all_operations(), ids=lambda op: op.name)
def test_every_operation_builds_with_only_its_mandatory_parameters(op: Operation) -> None:
    params = {p.name: sample(p) for p in op.params if p.mandatory}
    body = sample_body(op)
    mandatory_body = (
        {p.name: "x" for p in op.body_params if p.mandatory} if body is not None else None
    )
    if mandatory_body == {}:
        mandatory_body = None
    call = op.build(params, mandatory_body, project_id=PROJECT)
    assert {k for k, _ in call.query} == {p.name for p in op.query_params if p.mandatory}


# -- values -------------------------------------------------------------------------------------


def test_path_parameters_are_percent_encoded_as_one_segment() -> None:
    call = get_operation("list_cluster_details").build(
        {"cluster_id": "a b/c?d#é"}, project_id="p/1"
    )
    assert call.path == "/v1.0/p%2F1/clusters/a%20b%2Fc%3Fd%23%C3%A9"
    assert unquote(call.path.rsplit("/", 1)[1]) == "a b/c?d#é"


def test_integers_from_a_command_line_are_converted() -> None:
    call = get_operation("list_cluster_nodes").build(
        {"cluster_id": "c", "limit": "5", "offset": 0}, project_id=PROJECT
    )
    assert dict(call.query) == {"limit": "5", "offset": "0"}


def test_lists_go_as_repeated_keys_and_one_string_as_one_value() -> None:
    op = get_operation("list_cluster_nodes")
    call = op.build({"cluster_id": "c", "node_ids": ["n1", "n2"]}, project_id=PROJECT)
    assert call.query == (("node_ids", "n1"), ("node_ids", "n2"))
    call = op.build({"cluster_id": "c", "node_ids": "n1"}, project_id=PROJECT)
    assert call.query == (("node_ids", "n1"),)


def test_long_and_number_parameters() -> None:
    call = get_operation("list_metrics_data").build(
        {
            "cluster_id": "c",
            "metric_name": "m",
            "from": "1701914324000",
            "to": 1701942194000,
            "offset": 0,
            "limit": 10,
        },
        project_id=PROJECT,
    )
    assert ("from", "1701914324000") in call.query and ("to", "1701942194000") in call.query
    call = get_operation("list_database_user_roles").build(
        {"cluster_id": "c", "name": "u", "offset": "2.5", "limit": 10}, project_id=PROJECT
    )
    assert dict(call.query) == {"offset": "2.5", "limit": "10"}


def test_booleans_in_query_strings() -> None:
    from dws.operations.values import converter_for

    convert = converter_for("Boolean")
    assert convert(True) == ("true",) and convert(False) == ("false",)
    assert convert("TRUE") == ("true",) and convert("false") == ("false",)
    with pytest.raises(ValueError, match="true or false"):
        convert("yes please")


def test_none_means_not_given() -> None:
    call = get_operation("list_cluster_nodes").build(
        {"cluster_id": "c", "limit": None}, project_id=PROJECT
    )
    assert call.query == ()


def test_body_may_be_json_text() -> None:
    call = get_operation("restart_cluster").build(
        {"cluster_id": "c"}, '{"restart": {}}', project_id=PROJECT
    )
    assert call.body == {"restart": {}}


def test_mandatory_body_fields_are_checked_at_the_top_level_only() -> None:
    call = get_operation("create_cluster").build(None, {"cluster": {}}, project_id=PROJECT)
    assert call.body == {"cluster": {}}


# -- validation errors: one clear line each ------------------------------------------------------


def error_of(name: str, params: dict[str, Any] | None = None, body: Any = None) -> str:
    with pytest.raises(DwsRequestError) as info:
        get_operation(name).build(params, body, project_id=PROJECT)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{name}: ")
    return message


def test_unknown_parameter_with_did_you_mean() -> None:
    message = error_of("list_cluster_nodes", {"cluster_id": "c", "limt": 5})
    assert message == "list_cluster_nodes: unknown parameter 'limt'; did you mean 'limit'?"


def test_unknown_parameter_without_a_close_name() -> None:
    message = error_of("list_cluster_nodes", {"cluster_id": "c", "zzz": 5})
    assert message == "list_cluster_nodes: unknown parameter 'zzz'"


def test_unknown_parameter_of_an_operation_without_parameters() -> None:
    message = error_of("list_availability_zones", {"limit": 5})
    assert "takes no parameters" in message


def test_project_id_cannot_be_passed_as_a_parameter() -> None:
    assert "set from the target" in error_of("list_clusters", {"project_id": "other"})


def test_missing_mandatory_path_parameter() -> None:
    message = error_of("restart_cluster", {}, {"restart": {}})
    assert message == "restart_cluster: missing mandatory parameter 'cluster_id'"


def test_missing_mandatory_query_parameters() -> None:
    params = {"cluster_id": "c", "metric_name": "m", "offset": 0, "limit": 10}
    message = error_of("list_metrics_data", params)
    assert message == "list_metrics_data: missing mandatory parameters 'from', 'to'"


def test_empty_list_for_a_mandatory_list_is_missing() -> None:
    params = {"cluster_id": "c", "type": "t", "name": [], "database": "d"}
    message = error_of("show_database_authority", params)
    assert message == "show_database_authority: missing mandatory parameter 'name'"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": "abc"}, "parameter 'limit' must be an integer, got 'abc'"),
        ({"limit": 1.5}, "parameter 'limit' must be an integer, got 1.5"),
        ({"limit": True}, "parameter 'limit' must be an integer, got True"),
        ({"filter_by": ["a"]}, "parameter 'filter_by' must be a string, got ['a']"),
        ({"filter_by": {"a": 1}}, "parameter 'filter_by' must be a string"),
        ({"node_ids": [1, None]}, "parameter 'node_ids' must be a list of strings"),
        ({"node_ids": 5.5j}, "parameter 'node_ids' must be a list of strings"),
    ],
)
def test_wrong_types_are_rejected(params: dict[str, Any], expected: str) -> None:
    assert expected in error_of("list_cluster_nodes", {"cluster_id": "c", **params})


def test_wrong_number_is_rejected() -> None:
    message = error_of("list_database_user_roles", {"cluster_id": "c", "name": "u", "limit": "x"})
    assert "parameter 'limit' must be a number" in message


@pytest.mark.parametrize("value", ["", ".", "..", None, ["c"], True, "a\udc80"])
def test_bad_path_values_are_rejected(value: Any) -> None:
    message = error_of("list_cluster_details", {"cluster_id": value})
    assert "cluster_id" in message


def test_long_values_are_shortened_in_messages() -> None:
    message = error_of("list_cluster_nodes", {"cluster_id": "c", "limit": "9" * 30 + "x" * 30})
    assert len(message) < 120 and message.endswith("...")


def test_body_given_to_an_operation_that_takes_none() -> None:
    message = error_of("list_clusters", None, {"a": 1})
    assert message == "list_clusters: takes no request body"


@pytest.mark.parametrize(
    ("body", "kind"),
    [([{"restart": {}}], "an array"), (5, "a number"), (True, "a boolean"), ("[1]", "an array")],
)
def test_body_must_be_a_json_object(body: Any, kind: str) -> None:
    message = error_of("restart_cluster", {"cluster_id": "c"}, body)
    assert message == f"restart_cluster: the request body must be a JSON object, not {kind}"


def test_body_text_that_is_not_json() -> None:
    message = error_of("restart_cluster", {"cluster_id": "c"}, "{restart")
    assert message.startswith("restart_cluster: the request body is not valid JSON (")


def test_missing_mandatory_body_fields() -> None:
    message = error_of("create_cluster_snapshot", {"cluster_id": "c"}, {"snapshots": {}})
    assert message == "create_cluster_snapshot: the request body lacks mandatory field 'snapshot'"
    message = error_of("update_snapshot_policy", {"cluster_id": "c", "id": "i"}, {})
    assert message.endswith("lacks mandatory fields 'policy_name', 'backup_strategy'")


def test_missing_body() -> None:
    message = error_of("create_cluster")
    assert message == "create_cluster: needs a request body with 'cluster'"


def test_a_body_whose_fields_are_all_optional_may_be_left_out() -> None:
    op = next(
        op
        for op in all_operations()
        if op.body_params and not any(p.mandatory for p in op.body_params)
    )
    params = {p.name: sample(p) for p in op.params if p.mandatory}
    assert op.build(params, project_id=PROJECT).body is None


def test_unknown_operation_with_did_you_mean() -> None:
    with pytest.raises(UnknownOperationError) as info:
        get_operation("list_cluster")
    assert str(info.value) == "unknown operation 'list_cluster'; did you mean 'list_clusters'?"


def test_unknown_operation_without_a_close_name() -> None:
    with pytest.raises(UnknownOperationError) as info:
        get_operation("frobnicate_everything")
    assert str(info.value) == "unknown operation 'frobnicate_everything'"
    assert isinstance(info.value, DwsRequestError)


@given(st.text(min_size=1).filter(lambda s: s not in {".", ".."}))
def test_any_path_value_becomes_exactly_one_segment(value: str) -> None:
    call = get_operation("list_cluster_details").build({"cluster_id": value}, project_id=PROJECT)
    prefix = f"/v1.0/{PROJECT}/clusters/"
    assert call.path.startswith(prefix)
    segment = call.path[len(prefix) :]
    assert "/" not in segment and "?" not in segment and "#" not in segment
    assert unquote(segment) == value


@given(st.text(), st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_query_values_pass_through_as_text(text: str, number: int) -> None:
    call = get_operation("list_cluster_nodes").build(
        {"cluster_id": "c", "filter": text, "limit": str(number)}, project_id=PROJECT
    )
    assert dict(call.query) == {"filter": text, "limit": str(number)}


def test_body_nesting_is_bounded() -> None:
    from dws.operations.model import MAX_BODY_DEPTH

    op = get_operation("restart_cluster")
    ok: dict[str, object] = {"restart": {}}
    deep: dict[str, object] = {"restart": {}}
    inner = deep["restart"]
    for _ in range(MAX_BODY_DEPTH * 40):
        assert isinstance(inner, dict)
        inner["a"] = {}
        inner = inner["a"]
    assert op.build({"cluster_id": "c"}, ok, project_id="p").body == ok
    with pytest.raises(DwsRequestError, match=f"deeper than {MAX_BODY_DEPTH} levels"):
        op.build({"cluster_id": "c"}, deep, project_id="p")
    with pytest.raises(DwsRequestError, match="deeper than"):
        op.build(
            {"cluster_id": "c"},
            '{"restart": ' + "[" * 100_000 + "]" * 100_000 + "}",
            project_id="p",
        )

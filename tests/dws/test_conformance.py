"""Conformance of the catalogue with the official SDK (huaweicloudsdkdws, the test oracle).

For every operation the SDK also has, the same call is made twice with the same synthetic
values: once through our catalogue (`Operation.build`) and once through the SDK, whose request
goes to a recording HTTP server on 127.0.0.1 (never out). Method, path, query and JSON body
must be equal.

Values are synthesised from the SDK's own request classes (``openapi_types`` and
``attribute_map``); body models are filled recursively, every field set. Where the reference
and the SDK disagree on which parameters exist (the SDK is newer than the reference, or the
reference documents a parameter the SDK lacks), the difference is listed in the tables below,
and the tables are checked so that a change on either side shows up here.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import huaweicloudsdkdws.v2 as sdk_models
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkdws.v2 import DwsClient

from dws.operations import DERIVED_NAMES, Operation, all_operations

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

# Query parameters the reference documents but the SDK's request class does not have.
REFERENCE_ONLY: dict[str, set[str]] = {
    "show_cluster_volume": {"namespace"},
    "check_instance_storage": {"namespace"},
    "list_target_flavors": {"limit", "offset"},
    "check_snapshot": {"namespace"},
    "list_cluster_endpoints": {"inst_type"},
}

# Query parameters the SDK has but this edition of the reference does not document.
SDK_ONLY: dict[str, set[str]] = {
    "list_clusters": {"enterprise_project_id"},
    "list_cluster_scale_in_numbers": {"logical_cluster_name"},
    "list_target_flavors": {"cluster_id"},
    "list_alarm_detail": {"from", "recent_day", "to"},
    "list_disaster_recover": {"id", "primary_cluster_id", "standby_cluster_id"},
    "delete_disaster_recovery": {"need_send_request"},
    "delete_database_user": {"cascade"},
    "list_database_users": {"limit", "offset", "type", "user_type"},
    "list_database_objects": {"is_fine_grained_disaster"},
    "list_updatable_version": {"type"},
}

# Top-level body fields the reference documents (all optional) that the SDK's body model names
# differently or lacks.
REFERENCE_ONLY_BODY: dict[str, set[str]] = {
    "check_grow_cluster": {"expand_with_existed_node", "force_backup", "is_scheduler_build_mode"},
    "create_database_user": {
        "createrole",
        "createdb",
        "systemadmin",
        "auditadmin",
        "useft",
        "valid_begin",
        "valid_until",
        "lock",
    },
}

SDK_OPERATIONS = tuple(op for op in all_operations() if op.sdk_name)
_LIST = re.compile(r"list\[(.+)\]")
_DICT = re.compile(r"dict\(str, (.+)\)")


# -- the recording server -----------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    method: str
    target: str
    body: bytes


class _Recorder(BaseHTTPRequestHandler):
    seen: list[Seen]

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.seen.append(Seen(self.command, self.path, self.rfile.read(length)))
        answer = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _record

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads what was recorded."""


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[ThreadingHTTPServer, list[Seen]]]:
    seen: list[Seen] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def sdk_client(recorder: tuple[ThreadingHTTPServer, list[Seen]]) -> Any:
    server, _ = recorder
    config = HttpConfig.get_default_config()
    config.timeout = (5, 5)
    return (
        DwsClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials("SIMULATORACCESSKEY0001", "not-a-secret", PROJECT))
        .with_endpoint(f"http://127.0.0.1:{server.server_port}")
        .build()
    )


# -- synthetic values ---------------------------------------------------------------------------


def _camel(name: str) -> str:
    return "".join(word.capitalize() for word in name.split("_"))


def request_class(op: Operation) -> Any:
    return getattr(sdk_models, _camel(op.sdk_name or "") + "Request")


def synth(type_name: str, hint: str, depth: int = 0) -> Any:
    """A value of an SDK type (``str``, ``list[Foo]``, a model name ...), every field set."""
    if type_name == "str":
        return f"{hint}-é v"
    if type_name == "int":
        return 7
    if type_name == "float":
        return 2.5
    if type_name == "bool":
        return True
    if type_name == "object":
        return {"key": hint}
    if match := _LIST.fullmatch(type_name):
        return [synth(match.group(1), hint, depth + 1)]
    if match := _DICT.fullmatch(type_name):
        return {"key": synth(match.group(1), hint, depth + 1)}
    model = getattr(sdk_models, type_name)  # AttributeError: a type this builder must learn
    instance = model()
    if depth < 6:
        for attr, attr_type in model.openapi_types.items():
            setattr(instance, attr, synth(attr_type, attr, depth + 1))
    return instance


def query_value(reference_type: str, sdk_type: str, name: str) -> Any:
    """A value both sides accept: digits where either side wants a number."""
    numeric = reference_type.lower() in {"integer", "long", "number"}
    if sdk_type == "int":
        return 1700000000000 if reference_type == "Long" else 7
    if sdk_type.startswith("list"):
        return ["first v", "second,é"]
    if sdk_type == "bool":
        return True
    return "7" if numeric else f"{name} v&=é/?"


@dataclass(frozen=True)
class Case:
    request: Any
    params: dict[str, Any]
    body: Any


def case_for(op: Operation) -> Case:
    """The SDK request and our (params, body) carrying the same synthetic values."""
    cls = request_class(op)
    request = cls()
    by_wire = {wire: attr for attr, wire in cls.attribute_map.items()}
    params: dict[str, Any] = {}
    for param in op.params:
        attr = by_wire.get(param.name)
        if attr is None:
            continue  # REFERENCE_ONLY: not sent by either side
        if param.location == "path":
            value: Any = f"{param.name} é/1"
        else:
            value = query_value(param.type, cls.openapi_types[attr], param.name)
        setattr(request, attr, value)
        params[param.name] = value
    body = None
    if "body" in cls.openapi_types:
        model = synth(cls.openapi_types["body"], "body")
        request.body = model
        body = json.loads(json.dumps(sanitize_for_serialization(model)))
    return Case(request, params, body)


def sdk_send(client: Any, seen: list[Seen], op: Operation, request: Any) -> Seen:
    seen.clear()
    getattr(client, op.sdk_name or "")(request)
    assert len(seen) == 1, f"the SDK sent {len(seen)} requests for {op.name}"
    return seen[0]


# -- the comparison -----------------------------------------------------------------------------


@pytest.mark.parametrize("op", SDK_OPERATIONS, ids=lambda op: op.name)
def test_request_matches_the_sdk(
    op: Operation, sdk_client: Any, recorder: tuple[ThreadingHTTPServer, list[Seen]]
) -> None:
    case = case_for(op)
    ours = op.build(case.params, case.body, project_id=PROJECT)
    theirs = sdk_send(sdk_client, recorder[1], op, case.request)
    path, _, query = theirs.target.partition("?")
    assert ours.method == theirs.method
    assert ours.path == path
    assert sorted(ours.query) == sorted(parse_qsl(query, keep_blank_values=True))
    their_body = json.loads(theirs.body) if theirs.body else None
    assert ours.body == their_body


def test_enough_operations_are_compared() -> None:
    cases = [case_for(op) for op in SDK_OPERATIONS]
    assert len(SDK_OPERATIONS) == 178
    assert len(cases) >= 170
    # Every case carries every path parameter, and a body exactly where the reference has one.
    for op, case in zip(SDK_OPERATIONS, cases, strict=True):
        assert {p.name for p in op.path_params} <= set(case.params)
        assert (case.body is not None) == bool(op.body_params), op.name


def test_parameter_differences_with_the_sdk_are_the_known_ones() -> None:
    reference_only: dict[str, set[str]] = {}
    sdk_only: dict[str, set[str]] = {}
    for op in SDK_OPERATIONS:
        wire = set(request_class(op).attribute_map.values()) - {"body"}
        ours = {p.name for p in op.params}
        if ours - wire:
            reference_only[op.name] = ours - wire
        if wire - ours:
            sdk_only[op.name] = wire - ours
        assert all(not p.mandatory for p in op.params if p.name not in wire), op.name
    assert reference_only == REFERENCE_ONLY
    assert sdk_only == SDK_ONLY


def test_mandatory_body_fields_exist_in_the_sdk_body() -> None:
    differences: dict[str, set[str]] = {}
    for op in SDK_OPERATIONS:
        body_type = request_class(op).openapi_types.get("body")
        if body_type is None:
            assert not op.body_params, op.name
            continue
        fields = set(getattr(sdk_models, body_type).attribute_map.values())
        assert {p.name for p in op.body_params if p.mandatory} <= fields, op.name
        if extra := {p.name for p in op.body_params} - fields:
            differences[op.name] = extra
    assert differences == REFERENCE_ONLY_BODY


def test_derived_names_are_not_sdk_names_of_other_operations() -> None:
    sdk_methods = {name for name in dir(DwsClient) if not name.startswith("_")}
    assert not set(DERIVED_NAMES.values()) & sdk_methods

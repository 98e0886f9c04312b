"""The tolerant reader of the reference examples (tests/dws/model_examples.py): it repairs
structure the PDF lost, and never hides a name that no model knows."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dws.models import ListClusterDetailsResponse, ListClustersResponse, ListHostDiskResponse
from tests.dws.model_examples import example_json_text, read_example, shape_of, tokenize


def read(text: str, model: object) -> object:
    return read_example("0.0", text, shape_of(model))


def test_plain_json_is_read_as_is() -> None:
    text = 'Status code: 200\n\nOK.\n\n{"clusters": [{"id": "a", "port": 8000}], "count": 1}'
    assert read(text, ListClustersResponse) == {"clusters": [{"id": "a", "port": 8000}], "count": 1}


def test_lost_openers_and_closers_are_implied_from_the_keys() -> None:
    text = """
    "clusters" : [
      "id": "a",
      "nodes": [ "id": "n1", "status": "200"
                 "id": "n2", "status": "200"
      "public_ip": { "eip_id": "e"
      "name": "first"
    , {"id": "b"} ]
    "count": 2
    """
    assert read(text, ListClustersResponse) == {
        "clusters": [
            {
                "id": "a",
                "nodes": [{"id": "n1", "status": "200"}, {"id": "n2", "status": "200"}],
                "public_ip": {"eip_id": "e"},
                "name": "first",
            },
            {"id": "b"},
        ],
        "count": 2,
    }


def test_doubled_lines_are_read_once_and_ocr_spaces_leave_keys() -> None:
    text = """{"cluster": {"id": "a", "recent event": 6, "name": "x", "name": "x",
    "nodes": [{"id": "n", "name": "m", "name": "m"}]}}"""
    assert read(text, ListClusterDetailsResponse) == {
        "cluster": {"id": "a", "recent_event": 6, "name": "x", "nodes": [{"id": "n", "name": "m"}]}
    }


def test_stray_characters_are_dropped() -> None:
    text = '[ | "disk_name": "vda", ເ "await": 0.21 }.\n| ]'
    assert read(text, ListHostDiskResponse) == [{"disk_name": "vda", "await": 0.21}]


def test_unknown_names_stay_where_they_are_so_strict_mode_reports_them() -> None:
    data = read('"clusters": [{"id": "a", "nmae": "typo"}]', ListClustersResponse)
    assert data == {"clusters": [{"id": "a", "nmae": "typo"}]}
    with pytest.raises(ValidationError, match="nmae"):
        ListClustersResponse.strict_validate(data)


def test_tokens_and_example_text() -> None:
    kinds = [t.kind for t in tokenize("""{'status" : [1, 2.5, true, null, ""]}""")]
    assert kinds == ["{", "str", ":", "[", "value", "value", "value", "value", "str", "]", "}"]
    text = "Status code: 200\nThe list.\n{ }\nStatus code: 400\n{ }"
    assert example_json_text(text) == "{ }\n"

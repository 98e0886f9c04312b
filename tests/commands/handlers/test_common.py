"""The shared handler helpers: finding by name or id, durations, times and status text."""

from __future__ import annotations

import pytest

from commands.handlers._common import (
    LookupProblem,
    active_dr,
    cell,
    extra,
    merged,
    pick,
    status_text,
    task_text,
    when,
)
from dws.models import ClusterDetail, ClusterInfo, DisasterRecovery

CLUSTERS = [
    ClusterInfo(id="c-1", name="prod-dw"),
    ClusterInfo(id="c-2", name="prod-dw-2"),
    ClusterInfo(id="c-3", name="test-dw"),
]


def test_pick_by_id_exact_name_and_unique_part() -> None:
    assert pick(CLUSTERS, "c-3", "cluster").name == "test-dw"
    assert pick(CLUSTERS, "PROD-DW", "cluster").id == "c-1"
    assert pick(CLUSTERS, "test", "cluster").id == "c-3"


def test_pick_ambiguous_lists_candidates() -> None:
    with pytest.raises(LookupProblem, match=r"matches several clusters: prod-dw, prod-dw-2"):
        pick(CLUSTERS, "prod", "cluster")


def test_pick_unknown_lists_known_names() -> None:
    with pytest.raises(LookupProblem, match=r"no cluster named 'nope'; known: prod-dw, "):
        pick(CLUSTERS, "nope", "cluster")
    with pytest.raises(LookupProblem, match="there are no clusters"):
        pick(list[ClusterInfo](), "x", "cluster")


def test_when_shows_api_times_in_utc() -> None:
    assert when(None) == "—"
    assert when("2022-09-28T02:14:08Z") == "2022-09-28 02:14 UTC"
    assert when("2022-09-28 02:14:08") == "2022-09-28 02:14 UTC"
    assert when(1664331248000) == "2022-09-28 02:14 UTC"


def test_status_and_task_text() -> None:
    busy = ClusterInfo.model_validate(
        {
            "id": "c-1",
            "status": "AVAILABLE",
            "sub_status": "NORMAL",
            "task_status": "REBOOTING",
            "action_progress": {"REBOOTING": "40"},
        }
    )
    assert task_text(busy) == "REBOOTING 40%"
    assert status_text(busy) == "AVAILABLE · REBOOTING 40%"
    readonly = ClusterInfo(id="c-2", status="AVAILABLE", sub_status="READONLY")
    assert status_text(readonly) == "AVAILABLE (READONLY)"


def test_active_dr_only_counts_running_pairs() -> None:
    drs = [
        DisasterRecovery(id="d-1", name="old", status="stopped", primary_cluster_id="c-1"),
        DisasterRecovery(id="d-2", name="live", status="running", standby_cluster_id="c-1"),
    ]
    found = active_dr(drs, "c-1")
    assert found is not None and found.name == "live"
    assert active_dr(drs[:1], "c-1") is None


def test_merged_views_keep_what_the_later_one_lacks() -> None:
    summary = ClusterInfo.model_validate(
        {"id": "c-1", "name": "prod-dw", "status": "AVAILABLE", "extra_field": "kept"}
    )
    detail = ClusterDetail.model_validate({"id": "c-1", "status": "FAILED", "node_type_id": "n-1"})
    both = merged(ClusterDetail, summary, detail)
    assert (both.name, both.status, both.node_type_id) == ("prod-dw", "FAILED", "n-1")
    assert extra(both, "extra_field") == "kept"
    assert merged(ClusterDetail, summary, None).status == "AVAILABLE"


def test_cells() -> None:
    assert [cell(None), cell(500.0), cell(59.81), cell(3), cell("x")] == [
        "",
        "500",
        "59.81",
        "3",
        "x",
    ]

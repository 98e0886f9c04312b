"""Tracker judgement: how job and cluster answers are read (pure functions)."""

from __future__ import annotations

from datetime import timedelta

from commands.tracking import (
    PollResult,
    decode_kind,
    encode_kind,
    judge_cluster,
    judge_job,
    status_before,
    tracker_lease,
)


def test_kind_round_trip() -> None:
    assert encode_kind("restart", ("AVAILABLE",)) == "restart"
    assert decode_kind("restart") == ("restart", ("AVAILABLE",))
    assert status_before("restart") is None
    assert decode_kind(encode_kind("stop", ("STOPPED",))) == ("stop", ("STOPPED",))
    assert decode_kind(encode_kind("dr failover", ("AVAILABLE", "ACTIVE"))) == (
        "dr failover",
        ("AVAILABLE", "ACTIVE"),
    )
    kind = encode_kind("stop", ("STOPPED",), "AVAILABLE")
    assert kind == "stop@STOPPED<AVAILABLE"
    assert decode_kind(kind) == ("stop", ("STOPPED",)) and status_before(kind) == "AVAILABLE"
    assert decode_kind("restart<AVAILABLE") == ("restart", ("AVAILABLE",))
    long = encode_kind("x" * 60, ("AVAILABLE",), "AVAILABLE")  # too long: no cut-off status
    assert long == "x" * 60 and status_before(long) is None


def test_judge_job() -> None:
    assert judge_job({"status": "RUNNING", "progress": "40%"}) == PollResult(
        False, False, "job running 40%", evidence="job RUNNING"
    )
    done = judge_job({"status": "SUCCESS"})
    assert done.done and done.ok and done.evidence == "job succeeded"  # the finish is evidence
    failed = judge_job({"status": "FAIL", "failed_code": "DWS.0114", "failed_detail": "no ELB"})
    assert failed == PollResult(True, False, "job failed: no ELB", "DWS.0114", "job FAIL")
    assert not judge_job({}).done


def test_judge_cluster() -> None:
    settled = ("AVAILABLE",)
    busy = {
        "status": "AVAILABLE",
        "task_status": "REBOOTING",
        "action_progress": {"REBOOTING": "40%"},
    }
    assert judge_cluster(busy, settled) == PollResult(
        False, False, "REBOOTING 40%", evidence="task REBOOTING"
    )
    failed = judge_cluster({"status": "AVAILABLE", "task_status": "REBOOT_FAILURE"}, settled)
    assert failed.done and not failed.ok and failed.error_code == "REBOOT_FAILURE"
    assert not judge_cluster({"status": "STOPPING"}, ("STOPPED",)).done
    assert judge_cluster({"status": "STOPPED"}, ("STOPPED",)).ok
    broken = judge_cluster({"status": "UNAVAILABLE"}, settled)
    assert broken.done and not broken.ok


def test_a_settled_cluster_alone_is_no_evidence() -> None:
    """Right after DWS accepts a restart the cluster still looks idle: settled, no evidence."""
    idle = judge_cluster({"status": "AVAILABLE", "task_status": None}, ("AVAILABLE",), "AVAILABLE")
    assert idle.done and idle.ok and idle.evidence is None
    creating = judge_cluster({"status": "CREATING", "action_progress": {"CREATING": "5%"}}, ())
    assert creating.evidence == "progress CREATING 5%"


def test_a_status_change_is_evidence() -> None:
    stopping = judge_cluster({"status": "STOPING"}, ("STOPPED",), "AVAILABLE")
    assert not stopping.done and stopping.evidence == "status AVAILABLE -> STOPING"
    stopped = judge_cluster({"status": "STOPPED"}, ("STOPPED",), "AVAILABLE")
    assert stopped.ok and stopped.evidence == "status AVAILABLE -> STOPPED"
    still = judge_cluster({"status": "STOPPED"}, ("AVAILABLE",), "STOPPED")  # start not begun
    assert not still.done and still.evidence is None


def test_the_lease_outlasts_one_dws_attempt_and_three_intervals() -> None:
    assert tracker_lease(5.0, 30.0) == timedelta(seconds=30)  # the defaults
    assert tracker_lease(20.0, 30.0) == timedelta(seconds=60)
    assert tracker_lease(0.2, 5.0) == timedelta(seconds=5)

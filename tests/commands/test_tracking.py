"""Tracker judgement: how job and cluster answers are read (pure functions)."""

from __future__ import annotations

from commands.tracking import PollResult, decode_kind, encode_kind, judge_cluster, judge_job


def test_kind_round_trip() -> None:
    assert encode_kind("restart", ("AVAILABLE",)) == "restart"
    assert decode_kind("restart") == ("restart", ("AVAILABLE",))
    assert decode_kind(encode_kind("stop", ("STOPPED",))) == ("stop", ("STOPPED",))
    assert decode_kind(encode_kind("dr failover", ("AVAILABLE", "ACTIVE"))) == (
        "dr failover",
        ("AVAILABLE", "ACTIVE"),
    )


def test_judge_job() -> None:
    assert judge_job({"status": "RUNNING", "progress": "40%"}) == PollResult(
        False, False, "job running 40%"
    )
    assert judge_job({"status": "SUCCESS"}).ok
    failed = judge_job({"status": "FAIL", "failed_code": "DWS.0114", "failed_detail": "no ELB"})
    assert failed == PollResult(True, False, "job failed: no ELB", "DWS.0114")
    assert not judge_job({}).done


def test_judge_cluster() -> None:
    settled = ("AVAILABLE",)
    busy = {
        "status": "AVAILABLE",
        "task_status": "REBOOTING",
        "action_progress": {"REBOOTING": "40%"},
    }
    assert judge_cluster(busy, settled) == PollResult(False, False, "REBOOTING 40%")
    assert judge_cluster({"status": "AVAILABLE", "task_status": None}, settled).ok
    failed = judge_cluster({"status": "AVAILABLE", "task_status": "REBOOT_FAILURE"}, settled)
    assert failed.done and not failed.ok and failed.error_code == "REBOOT_FAILURE"
    assert not judge_cluster({"status": "STOPPING"}, ("STOPPED",)).done
    assert judge_cluster({"status": "STOPPED"}, ("STOPPED",)).ok
    broken = judge_cluster({"status": "UNAVAILABLE"}, settled)
    assert broken.done and not broken.ok

"""Rules of the simulated state found in review: parameter values and all-or-nothing changes,
alarms that clear when their cause goes away."""

from __future__ import annotations

import pytest

from dws.simulator.errors import SimError
from dws.simulator.state import SimState
from tests.dws.simulator.support import by_name


@pytest.mark.parametrize("value", ["--5", "\u00b2", "5-", "1e3", " 700", "9" * 40, ""])
def test_parameter_values_that_are_no_integers_are_400(state: SimState, value: str) -> None:
    cid = by_name(state, "reporting")
    config = state.configurations(cid)[1][-1][0]
    with pytest.raises(SimError) as err:
        state.update_configuration(
            cid, config, [{"type": "CN", "name": "session_timeout", "value": value}]
        )
    assert (err.value.status, err.value.code) == (400, "DWS.5038")


def test_parameter_change_is_all_or_nothing(state: SimState) -> None:
    cid = by_name(state, "reporting")
    config = state.configurations(cid)[1][-1][0]
    items = [
        {"type": "CN", "name": "session_timeout", "value": "700"},
        {"type": "CN", "name": "work_mem", "value": "1"},  # below its range
    ]
    with pytest.raises(SimError):
        state.update_configuration(cid, config, items)
    rows = {r["param"].name: r for r in state.parameters(cid, config)}
    assert rows["session_timeout"]["cn"] == "600"
    assert state.get_cluster(cid).task is None


def _active(state: SimState, cid: str, definition_id: str) -> list[str]:
    return [
        a.status
        for a in state.alarms.values()
        if a.cluster_id == cid and a.definition_id == definition_id
    ]


def test_alarms_clear_when_their_cause_goes_away(state: SimState) -> None:
    ro, unbalanced = by_name(state, "analytics"), by_name(state, "etl-batch")
    assert "0" in _active(state, ro, "DWS_2000000008")
    assert "0" in _active(state, unbalanced, "DWS_2000000009")
    other = state.raise_alarm(ro, "DWS_2000000001")
    state.cancel_readonly(ro)
    assert set(_active(state, ro, "DWS_2000000008")) == {"1"}
    assert other.status == "0"  # an unrelated alarm stays
    state.switchback(unbalanced)
    assert "0" in _active(state, unbalanced, "DWS_2000000009")
    state.advance(state.start_delay + 60)
    assert set(_active(state, unbalanced, "DWS_2000000009")) == {"1"}

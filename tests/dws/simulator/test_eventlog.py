"""The event log pages like a sorted list would, without sorting or scanning per request."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dws.simulator.state.events import SPECS, Event, EventLog

SPEC = SPECS["rebootClusterSuccess"]


@given(
    times=st.lists(st.tuples(st.integers(0, 50), st.sampled_from("abc")), max_size=60),
    page=st.integers(1, 8),
    limit=st.integers(1, 10),
    source=st.sampled_from([None, "a", "b", "z"]),
)
def test_pages_match_a_sorted_list(
    times: list[tuple[int, str]], page: int, limit: int, source: str | None
) -> None:
    log = EventLog()
    events = [Event(f"e{i}", SPEC, src, src.upper(), t) for i, (t, src) in enumerate(times)]
    for event in events:
        log.add(event)
    chosen = [e for e in events if source is None or e.source_id == source]
    newest_first = sorted(chosen, key=lambda e: e.occur_ms, reverse=True)
    expected = newest_first[(page - 1) * limit : page * limit]
    got = log.page(page, limit, source)
    assert [e.occur_ms for e in got] == [e.occur_ms for e in expected]
    assert {e.event_id for e in got} <= {e.event_id for e in chosen}
    assert log.count(source) == len(chosen)

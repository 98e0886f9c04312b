"""Whatever a user types or clicks, the dispatcher answers with a Reply and never raises."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.dispatch import ActionRequest, InvocationRequest
from commands.registry import UserRef
from commands.replies import Reply
from tests.commands.world import Clock, Notes, World, make_dispatcher

_DISPATCHER, _ = make_dispatcher(World(), None, Clock(), Notes())
_users = st.sampled_from([UserRef("alice"), UserRef("victor"), UserRef("nobody"), UserRef("")])
_texts = st.one_of(
    st.text(max_size=120),
    st.lists(
        st.sampled_from(
            [
                "/dws",
                "restart",
                "prod-dw",
                "--target",
                "other",
                "clusters",
                "help",
                "whoami",
                "'",
                "--x=1",
                "boom",
                "stop",
                "policy",
            ]
        ),
        max_size=6,
    ).map(" ".join),
)


@settings(max_examples=200, deadline=None)
@given(_users, _texts)
def test_handle_always_replies(user: UserRef, text: str) -> None:
    reply = asyncio.run(_DISPATCHER.handle(InvocationRequest(user, "C-OPS", text)))
    assert isinstance(reply, Reply)


@settings(max_examples=50, deadline=None)
@given(_users, st.text(max_size=40), st.text(max_size=10))
def test_act_always_replies(user: UserRef, approval_id: str, choice: str) -> None:
    reply = asyncio.run(_DISPATCHER.act(ActionRequest(user, approval_id, choice)))
    assert isinstance(reply, Reply)

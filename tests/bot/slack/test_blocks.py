"""The Block Kit rendering of replies: the structure of representative replies, each checked
against Slack's limits too (tests/bot/slack/slack_limits.py), and the checker itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import commands.handlers  # noqa: F401  (fills the registry the approval view reads)
from bot.slack.blocks import MORE, RUN, Message, Where, message, read_cursor, view_blocks
from commands.approval_view import approval_reply, confirmation
from commands.replies import APPROVE, CANCEL, DENY, Action, Field, Reply, Severity, table
from commands.store.models import Approval, ApprovalStatus
from tests.bot.slack.slack_limits import check_message, check_view

AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
WHERE = Where("prod", simulated=True, at=AT)
Json = dict[str, Any]


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def of_type(blocks: list[Json], kind: str) -> list[Json]:
    return [b for b in blocks if b["type"] == kind]


def section_texts(blocks: list[Json]) -> list[str]:
    return [b["text"]["text"] for b in of_type(blocks, "section") if "text" in b]


def buttons(m: Message) -> list[Json]:
    return [e for b in of_type(m.blocks, "actions") for e in b["elements"]]


def table_rows(m: Message) -> list[list[str]]:
    [block] = of_type(m.blocks, "table")
    return [[c["text"] for c in row] for row in block["rows"]]


def pages(reply: Reply, command: str) -> list[Message]:
    """Every page, by following the "Show more" cursors from page 0."""
    shown = [message(reply, WHERE, command=command)]
    while more := [b for b in buttons(shown[-1]) if b["action_id"] == MORE]:
        assert read_cursor(more[0]["value"]) == (command, len(shown))
        shown.append(message(reply, WHERE, page=len(shown), command=command))
        assert len(shown) < 100
    for m in shown:
        check_message(m)
    return shown


def slack_date(moment: datetime, fallback: str) -> str:
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def pending(action: str, cluster: str) -> Approval:
    return Approval(
        id="a-1",
        action=action,
        command_text=f"/dws {action} {cluster}",
        requester_id="U1",
        requester_name="Alice",
        target_name="prod",
        cluster_id="c-1",
        cluster_name=cluster,
        plan_state={"status": "AVAILABLE", "task_status": None},
        status=ApprovalStatus.PENDING,
        required_approvals=2,
        approver_roles=["operator"],
        distinct_roles=False,
        expires_at=AT + timedelta(minutes=30),
    )


def test_a_destructive_approval_asks_before_approve() -> None:
    approval = pending("stop", "prod-dw")
    reply = approval_reply(approval, [], note="Stop cluster prod-dw. Needs 2 approvals.")
    m = message(reply, WHERE)
    check_message(m)
    [header] = of_type(m.blocks, "header")
    assert header["text"]["text"] == f":warning: {reply.title}"
    assert section_texts(m.blocks) == [reply.text]
    fields = [f["text"] for b in of_type(m.blocks, "section") for f in b.get("fields", [])]
    assert "*Requested by*\nAlice" in fields
    assert f"*Expires*\n{slack_date(approval.expires_at, '2026-12-03 08:30 UTC')}" in fields
    assert len(fields) == len(reply.fields)
    approve, deny, cancel = buttons(m)
    assert [b["action_id"] for b in (approve, deny, cancel)] == [APPROVE, DENY, CANCEL]
    assert {b["value"] for b in (approve, deny, cancel)} == {"a-1"}
    assert (approve["style"], deny["style"], "style" in cancel) == ("primary", "danger", False)
    question = confirmation(approval)
    assert question and approve["confirm"] == {
        "title": {"type": "plain_text", "text": "Are you sure?", "emoji": True},
        "text": {"type": "mrkdwn", "text": question, "verbatim": True},
        "confirm": {"type": "plain_text", "text": "Yes", "emoji": True},
        "deny": {"type": "plain_text", "text": "No", "emoji": True},
        "style": "primary",
    }
    assert "confirm" not in deny and "confirm" not in cancel
    [bar] = m.attachments
    assert bar["color"] == "#daa038"
    [where] = bar["blocks"]
    assert [e["text"] for e in where["elements"]] == [
        "target prod",
        "simulator",
        slack_date(AT, "2026-12-03 08:00 UTC"),
    ]
    assert m.text.startswith(f"⚠ {reply.title}\n{reply.text}\n")  # as the console says it


def test_a_change_approval_has_no_question() -> None:
    m = message(approval_reply(pending("restart", "dev"), []), WHERE)
    check_message(m)
    assert all("confirm" not in b for b in buttons(m))


def test_a_table_that_fits_is_one_table_block() -> None:
    rows: list[tuple[str, ...]] = [(f"cluster-{i}", "AVAILABLE", str(i)) for i in range(12)]
    reply = table(("name", "status", "nodes"), rows, title="12 clusters")
    m = message(reply, WHERE, command="/dws clusters")
    check_message(m)
    assert table_rows(m) == [["name", "status", "nodes"], *map(list, rows)]
    assert MORE not in [b["action_id"] for b in buttons(m)]
    assert m.attachments == []  # info: no colour bar, the context line closes the blocks
    assert m.blocks[-1]["type"] == "context"
    assert m.text.startswith("12 clusters\nname ")  # the notification: a few rows only
    assert "cluster-4 " in m.text and "cluster-5 " not in m.text


def test_150_rows_are_paged_with_show_more() -> None:
    rows: list[tuple[str, ...]] = [(f"cluster-{i:03d}", "AVAILABLE") for i in range(150)]
    reply = table(("name", "status"), rows, title="150 clusters")
    shown = pages(reply, "/dws clusters")
    assert len(shown) == 2
    first, second = (table_rows(m) for m in shown)
    assert len(first) == 100 and first[0] == second[0] == ["name", "status"]
    assert first[1:] + second[1:] == [list(r) for r in rows]
    assert [e["text"] for e in shown[1].blocks[-1]["elements"]][-1] == "page 2 of 2"
    assert message(reply, WHERE, page=7, command="/dws clusters") == shown[1]


def test_without_a_command_what_is_left_is_said() -> None:
    reply = table(("name",), [[f"c{i}"] for i in range(150)])
    m = message(reply, WHERE)
    check_message(m)
    assert not buttons(m)
    notes = [e["text"] for b in of_type(m.blocks, "context") for e in b["elements"]]
    assert "Not shown: 51 rows; narrow the query" in notes


def test_a_cursor_too_long_for_a_button_is_not_offered() -> None:
    reply = table(("name",), [[f"c{i}"] for i in range(150)])
    m = message(reply, WHERE, command="/dws clusters " + "x" * 2000)
    check_message(m)
    assert not buttons(m)
    assert any("Not shown: 51 rows" in t for t in map(str, of_type(m.blocks, "context")))


def test_a_table_block_holds_at_most_10000_characters() -> None:
    rows = [["x" * 99, "y" * 99]] * 60  # 198 characters a row
    shown = pages(table(("a", "b"), rows), "/dws t")
    assert [len(table_rows(m)) - 1 for m in shown] == [50, 10]  # 2 + 50 * 198 = 9,902


def test_a_wide_table_is_monospace() -> None:
    columns = tuple(f"c{i}" for i in range(21))
    rows = [tuple(f"r{r}v{i}" for i in range(21)) for r in range(3)]
    m = message(table(columns, rows), WHERE)
    check_message(m)
    assert not of_type(m.blocks, "table")
    [code] = section_texts(m.blocks)
    lines = code.split("\n")
    assert lines[0] == lines[-1] == "```"
    assert lines[1].split() == list(columns)
    assert [line.split() for line in lines[3:-1]] == [list(r) for r in rows]


def test_view_blocks_have_no_table_block_and_keep_the_budget() -> None:
    reply = table(("name", "status"), [[f"c{i}", "A"] for i in range(3000)], title="3000")
    for budget in (100, 20, 5, 4, 3):
        blocks = view_blocks(reply, WHERE, budget=budget)
        check_view(blocks, budget)
        assert len(blocks) == budget or budget > 5  # small budgets are filled
        assert "Not shown: " in str(blocks[-2])
    for budget in (2, 1):
        assert view_blocks(reply, WHERE, budget=budget) == [
            {"type": "context", "elements": [_mrkdwn("This reply does not fit here.")]}
        ]
    assert view_blocks(reply, WHERE, budget=0) == []
    assert "c0 " in section_texts(view_blocks(reply, WHERE, budget=5))[0]


def test_long_text_is_split_on_lines_and_paged() -> None:
    lines = [f"line {i} " + "abc<>&" * 8 for i in range(1200)]
    reply = Reply(title="Long", text="\n".join(lines))
    shown = pages(reply, "/dws long")
    assert len(shown) > 1
    sections = [t for m in shown for t in section_texts(m.blocks)]
    assert all(len(t) <= 3000 for t in sections)
    assert [unescape(t) for t in sections] == [
        "\n".join(lines[i : i + len(t.split("\n"))])
        for i, t in zip(_starts(sections), sections, strict=True)
    ]


def _starts(sections: list[str]) -> list[int]:
    starts, at = [], 0
    for t in sections:
        starts.append(at)
        at += len(t.split("\n"))
    return starts


def test_one_line_longer_than_a_section_is_cut_into_pieces() -> None:
    text = "&" * 7000  # 35,000 characters once escaped
    shown = pages(Reply(text=text), "/dws x")
    pieces = [unescape(t) for m in shown for t in section_texts(m.blocks)]
    assert "".join(pieces) == text and len(pieces) > 1


def test_more_than_ten_fields_take_several_sections() -> None:
    fields = tuple(Field(f"label {i}", f"value {i}") for i in range(23))
    m = message(Reply(title="Fields", fields=fields), WHERE)
    check_message(m)
    sections = [b["fields"] for b in of_type(m.blocks, "section") if "fields" in b]
    assert [len(s) for s in sections] == [10, 10, 3]
    assert [f["text"] for s in sections for f in s] == [f"*{f.label}*\n{f.value}" for f in fields]


def test_hundreds_of_fields_fill_pages_of_50_blocks() -> None:
    fields = tuple(Field(f"f{i}", str(i)) for i in range(700))
    reply = Reply(title="Many", fields=fields, severity=Severity.WARNING, follow_ups=("/dws x",))
    first = message(reply, WHERE)  # a header, sections, the note, a button, the context line
    check_message(first)
    assert len(first.blocks) + len(first.attachments[0]["blocks"]) == 50
    assert "Not shown: 240 fields; narrow the query" in str(first.blocks[-2])
    shown = pages(reply, "/dws many")
    texts = [f["text"] for m in shown for b in of_type(m.blocks, "section") for f in b["fields"]]
    assert texts == [f"*f{i}*\n{i}" for i in range(700)]


def test_a_field_at_the_limit_stays_a_field() -> None:
    at_limit = Field("L", "x" * (2000 - len("*L*\n")))
    over = Field("M", "y" * (2001 - len("*M*\n")))
    m = message(Reply(fields=(at_limit, over)), WHERE)
    check_message(m)
    [fields] = [b["fields"] for b in of_type(m.blocks, "section") if "fields" in b]
    assert [f["text"] for f in fields] == [f"*L*\n{at_limit.value}"]
    assert section_texts(m.blocks) == [f"M:\n{over.value}"]


def test_a_field_too_long_for_a_field_becomes_text() -> None:
    value = "\n".join(f"row {i}" for i in range(600))
    m = message(Reply(fields=(Field("Short", "1"), Field("Long", value))), WHERE)
    check_message(m)
    [short] = [b for b in of_type(m.blocks, "section") if "fields" in b]
    assert short["fields"][0]["text"] == "*Short*\n1"
    assert "\n".join(section_texts(m.blocks)) == f"Long:\n{value}"


def test_user_text_cannot_mention_anyone() -> None:
    typed = "<@U1> <!channel> <!here|here> @here <https://evil|click> & done"
    reply = Reply(title=typed, text=typed, fields=(Field(typed, typed),), follow_ups=(typed,))
    m = message(reply, WHERE)
    check_message(m)  # no "<" outside our date tokens, verbatim mrkdwn, escaped fallback
    escaped = "&lt;@U1&gt; &lt;!channel&gt; &lt;!here|here&gt; @here &lt;https://evil|click&gt;"
    assert section_texts(m.blocks) == [f"{escaped} &amp; done"]
    assert m.text.startswith(escaped)
    [header] = of_type(m.blocks, "header")
    assert header["text"]["text"] == typed  # plain_text: shown as typed, never parsed


def test_field_times_are_shown_in_the_readers_time() -> None:
    fields = (
        Field("Expires", "2026-12-03 08:00 UTC"),
        Field("Created", "2026-12-03T09:30:00+01:00"),
        Field("Plain", "2026-12-03 08:00"),  # no zone: left as written
        Field("Epoch", "1764748800"),
    )
    m = message(Reply(fields=fields), WHERE)
    check_message(m)
    [section] = [b for b in of_type(m.blocks, "section") if "fields" in b]
    assert [f["text"] for f in section["fields"]] == [
        f"*Expires*\n{slack_date(AT, '2026-12-03 08:00 UTC')}",
        f"*Created*\n{slack_date(AT + timedelta(minutes=30), '2026-12-03T09:30:00+01:00')}",
        "*Plain*\n2026-12-03 08:00",
        "*Epoch*\n1764748800",
    ]


def test_a_long_title_is_cut_in_the_header_and_shown_whole_below() -> None:
    title = "word " * 60
    m = message(Reply(title=title, severity=Severity.ERROR), WHERE)
    check_message(m)
    [header] = of_type(m.blocks, "header")
    assert len(header["text"]["text"]) == 150 and header["text"]["text"].endswith("…")
    assert header["text"]["text"].startswith(":x: word")
    assert section_texts(m.blocks) == [title.strip()]
    assert m.attachments[0]["color"] == "#a30200"


def test_an_error_without_title_marks_its_text() -> None:
    m = message(Reply.error("No cluster named x."), WHERE)
    check_message(m)
    assert section_texts(m.blocks) == [":x: No cluster named x."]


@pytest.mark.parametrize("where", [WHERE, Where("", simulated=False)])
def test_an_empty_reply_is_still_a_message(where: Where) -> None:
    m = message(Reply(), where)
    check_message(m)
    assert m.text and [b["type"] for b in m.blocks] == ["context"]
    check_view(view_blocks(Reply(), where))


def test_follow_ups_are_run_buttons() -> None:
    long = "/dws audit " + "--user someone-with-a-long-name " * 4
    reply = Reply(text="Done.", severity=Severity.SUCCESS, follow_ups=("/dws cluster x", long))
    m = message(reply, WHERE)
    check_message(m)
    first, second = buttons(m)
    assert (first["action_id"], first["value"], first["text"]["text"]) == (
        f"{RUN}:0",
        "/dws cluster x",
        "/dws cluster x",
    )
    assert second["action_id"] == f"{RUN}:1" and second["value"] == long
    assert len(second["text"]["text"]) == 75 and long.startswith(second["text"]["text"][:-1])
    assert m.attachments[0]["color"] == "#2eb886"


def test_buttons_that_cannot_be_sent_are_said_to_be_left_out() -> None:
    actions = tuple(Action(f"b{i}", f"id{i}", "v") for i in range(30))
    bad = (
        Action("dup", "id0", "v"),
        Action("long", "x" * 256, "v"),
        Action("big", "b", "v" * 2001),
    )
    m = message(Reply(text="x", actions=actions + bad), WHERE, command="/dws x")
    check_message(m)
    assert [b["action_id"] for b in buttons(m)] == [f"id{i}" for i in range(24)]
    notes = [e["text"] for b in of_type(m.blocks, "context") for e in b["elements"]]
    assert "9 buttons not shown" in notes


def test_ids_slack_would_refuse_are_left_out() -> None:
    ok = (Action("a", "i" * 255, "v" * 2000), Action("b", "b", "v", confirm="?" * 1000))
    bad = (Action("c", "j" * 256, "v"), Action("d", "d", "v" * 2001))
    m = message(Reply(text="x", actions=ok + bad), WHERE)
    check_message(m)
    shown = buttons(m)
    assert [b["action_id"] for b in shown] == ["i" * 255, "b"]
    question = shown[1]["confirm"]["text"]["text"]
    assert len(question) == 300 and question == "?" * 299 + "…"
    assert "2 buttons not shown" in str(m.blocks)


def test_a_view_holds_at_most_100_blocks() -> None:
    fields = tuple(Field(f"f{i}", str(i)) for i in range(2000))
    blocks = view_blocks(Reply(title="t", fields=fields, follow_ups=("/dws x",)), WHERE, budget=500)
    check_view(blocks, 500)
    assert len(blocks) == 100


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x",
        "[]",
        "null",
        '{"c":"/dws x"}',
        '{"c":"/dws x","p":-1}',
        '{"c":"/dws x","p":true}',
        '{"c":"/dws x","p":1.5}',
        '{"c":"","p":1}',
        '{"c":1,"p":1}',
        '{"c":"/dws x","p":1,"z":0}',
        "[" * 5000,
        '{"c":"/dws x","p":' + "9" * 5000 + "}",
    ],
)
def test_malformed_cursors_are_none(value: str) -> None:
    assert read_cursor(value) is None


@given(st.text(max_size=300))
def test_read_cursor_never_raises(value: str) -> None:
    found = read_cursor(value)
    assert found is None or (isinstance(found[0], str) and found[1] >= 0)


# ----- the checker catches what it should ----------------------------------------------------


def _ok() -> Message:
    return message(Reply(title="t", text="x"), WHERE)


def _mrkdwn(text: str) -> Json:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> Json:
    return {"type": "section", "text": _mrkdwn(text)}


def _plain(text: str) -> Json:
    return {"type": "plain_text", "text": text}


def _cells(*texts: str) -> list[Json]:
    return [{"type": "raw_text", "text": t} for t in texts]


_BUTTON = {"type": "button", "text": _plain("b"), "action_id": "a"}
_BAD_BLOCKS = [
    [_section("x" * 3001)],
    [_section("<@U1>")],
    [{"type": "section", "text": {"type": "mrkdwn", "text": "a"}}],  # not verbatim
    [_section(str(i)) for i in range(51)],
    [{"type": "header", "text": _plain("h" * 151)}],
    [{"type": "divider"}],
    [{"type": "table", "rows": [_cells("a")] * 101}],
    [{"type": "table", "rows": [_cells("a" * 6000)] * 2}],
    [{"type": "table", "rows": [_cells("a", "b"), _cells("a")]}],
    [{"type": "table", "rows": [_cells("a")]}, {"type": "table", "rows": [_cells("a")]}],
    [{"type": "actions", "elements": [_BUTTON, _BUTTON]}],
    [{"type": "actions", "elements": [{**_BUTTON, "value": "v" * 2001}]}],
    [{"type": "context", "elements": [_mrkdwn("c")] * 11}],
    [{"type": "section", "fields": [_mrkdwn("f")] * 11}],
]


@pytest.mark.parametrize("blocks", _BAD_BLOCKS)
def test_the_checker_refuses_what_slack_would(blocks: list[Json]) -> None:
    good = _ok()
    check_message(good)
    with pytest.raises(AssertionError):
        check_message(Message(good.text, [*good.blocks, *blocks], good.attachments))


@pytest.mark.parametrize(
    "broken",
    [
        Message("", [_section("x")], []),
        Message("<@U1>", [_section("x")], []),
        Message("x", [_section("x")], [{"color": "red", "blocks": [_section("x")]}]),
    ],
)
def test_the_checker_refuses_bad_text_and_attachments(broken: Message) -> None:
    check_message(Message("x", [_section("x")], []))
    with pytest.raises(AssertionError):
        check_message(broken)


def test_slack_sdk_validates_the_blocks_too() -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "b"}, "action_id": "a"}
    button["confirm"] = {
        "title": {"type": "plain_text", "text": "t"},
        "text": {"type": "mrkdwn", "text": "t", "verbatim": True},
        "confirm": {"type": "plain_text", "text": "y"},
        "deny": {"type": "plain_text", "text": "n"},
        "style": "bogus",  # only slack_sdk's models check this one
    }
    with pytest.raises(Exception, match="style for confirm must be either"):
        check_message(Message("x", [{"type": "actions", "elements": [button]}], []))

"""A checker of rendered Slack messages and views: every limit of ../shared/slack/README.md, the
table block's limits, and slack_sdk's own block models (``Block.parse(d).to_dict()`` validates).

The numbers are written here from the README, not imported from `bot.slack.limits`, so a wrong
constant there is caught here. Beyond Slack's limits it checks what the renderer promises:
fallback text never empty, nothing in a reply's text can mention anyone (every ``<...>`` is a
date token of ours), mrkdwn is ``verbatim``, action_ids unique, at most one table block.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block

from bot.slack.blocks import Message

MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100
SECTION_TEXT, FIELD_TEXT, SECTION_FIELDS, CONTEXT_ELEMENTS = 3000, 2000, 10, 10
ACTIONS_ELEMENTS, HEADER_TEXT = 25, 150
BUTTON_TEXT, BUTTON_VALUE, ACTION_ID, BLOCK_ID = 75, 2000, 255, 255
CONFIRM_TITLE, CONFIRM_TEXT, CONFIRM_BUTTON = 100, 300, 30
MESSAGE_TEXT = 40_000
TABLE_ROWS, TABLE_COLUMNS, TABLE_CHARS = 100, 20, 10_000

_DATE = re.compile(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]+>")
_COLOUR = re.compile(r"#[0-9a-f]{6}")
Json = dict[str, Any]


def check_message(message: Message) -> None:
    """Every limit on a message, its colour bar attachment included."""
    assert isinstance(message.text, str) and message.text.strip(), "empty fallback text"
    assert len(message.text) <= MESSAGE_TEXT
    assert "<" not in message.text and ">" not in message.text, message.text[:200]
    inner: list[Json] = []
    for attachment in message.attachments:
        assert set(attachment) <= {"color", "blocks"}, attachment
        assert _COLOUR.fullmatch(attachment["color"]), attachment
        inner += attachment["blocks"]
    every = [*message.blocks, *inner]
    assert 0 < len(every) <= MESSAGE_BLOCKS, len(every)
    assert all(b["type"] != "table" for b in inner), "a table block in an attachment"
    _check_blocks(every)
    want = {"text": message.text, "blocks": message.blocks, "attachments": message.attachments}
    assert message.kwargs() == want


def check_view(blocks: list[Json], budget: int = VIEW_BLOCKS) -> None:
    """Every limit on the blocks of a modal or App Home (no table block there)."""
    assert len(blocks) <= min(budget, VIEW_BLOCKS), len(blocks)
    assert all(b["type"] != "table" for b in blocks), "a table block in a view"
    _check_blocks(blocks)


def _check_blocks(blocks: list[Json]) -> None:
    assert sum(b["type"] == "table" for b in blocks) <= 1, "more than one table block"
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(ids) == len(set(ids)), f"action_ids repeated: {ids}"
    for block in blocks:
        assert len(block.get("block_id", "")) <= BLOCK_ID
        assert block["type"] in _CHECKS, f"a block of an unexpected type: {block}"
        _CHECKS[block["type"]](block)
        Block.parse(block).to_dict()  # type: ignore[union-attr]  # slack_sdk's validation


def _text(obj: Json, limit: int, kind: str | None = None) -> str:
    assert obj["type"] in ((kind,) if kind else ("mrkdwn", "plain_text")), obj
    text = obj["text"]
    assert isinstance(text, str) and text.strip(), f"empty text {obj}"
    assert len(text) <= limit, (len(text), limit, text[:80])
    if obj["type"] == "mrkdwn":
        assert obj.get("verbatim") is True, obj
        assert "<" not in _DATE.sub("", text) and ">" not in _DATE.sub("", text), text[:200]
    return text


def _header(block: Json) -> None:
    assert set(block) <= {"type", "text", "block_id"}
    _text(block["text"], HEADER_TEXT, "plain_text")


def _section(block: Json) -> None:
    assert set(block) <= {"type", "text", "fields", "block_id"}
    assert ("text" in block) != ("fields" in block), block
    if "text" in block:
        _text(block["text"], SECTION_TEXT, "mrkdwn")
    else:
        assert 0 < len(block["fields"]) <= SECTION_FIELDS
        for f in block["fields"]:
            _text(f, FIELD_TEXT, "mrkdwn")


def _context(block: Json) -> None:
    assert 0 < len(block["elements"]) <= CONTEXT_ELEMENTS
    for element in block["elements"]:
        _text(element, SECTION_TEXT)


def _actions(block: Json) -> None:
    assert 0 < len(block["elements"]) <= ACTIONS_ELEMENTS
    for button in block["elements"]:
        assert button["type"] == "button"
        assert set(button) <= {"type", "text", "action_id", "value", "style", "confirm"}
        _text(button["text"], BUTTON_TEXT, "plain_text")
        assert 0 < len(button["action_id"]) <= ACTION_ID
        assert 0 < len(button.get("value", "-")) <= BUTTON_VALUE
        assert button.get("style", "primary") in ("primary", "danger")
        if "confirm" in button:
            confirm = button["confirm"]
            _text(confirm["title"], CONFIRM_TITLE, "plain_text")
            _text(confirm["text"], CONFIRM_TEXT)
            _text(confirm["confirm"], CONFIRM_BUTTON, "plain_text")
            _text(confirm["deny"], CONFIRM_BUTTON, "plain_text")


def _table(block: Json) -> None:
    rows = block["rows"]
    assert 1 < len(rows) <= TABLE_ROWS, len(rows)
    assert 0 < len(rows[0]) <= TABLE_COLUMNS
    assert all(len(r) == len(rows[0]) for r in rows), "ragged table"
    cells = [c for r in rows for c in r]
    assert all(c["type"] == "raw_text" and c["text"].strip() for c in cells)
    assert sum(len(c["text"]) for c in cells) <= TABLE_CHARS


_CHECKS = {
    "header": _header,
    "section": _section,
    "context": _context,
    "actions": _actions,
    "table": _table,
}

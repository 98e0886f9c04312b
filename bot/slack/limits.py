"""Slack's Block Kit limits that `bot.slack.blocks` renders within (../shared/slack/README.md),
and the fitting of text within them: escaping (which lengthens text), cutting and chunking.

Lengths are counted in characters of the text as sent (after `&`, `<`, `>` are escaped).
"""

from __future__ import annotations

MESSAGE_BLOCKS = 50
"""Blocks in one message (the colour bar attachment's context block counted among them)."""
VIEW_BLOCKS = 100
"""Blocks in one modal or App Home view."""
SECTION_TEXT = 3000
FIELD_TEXT = 2000
SECTION_FIELDS = 10
ACTIONS_ELEMENTS = 25
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
CONFIRM_TITLE = 100
CONFIRM_TEXT = 300
CONFIRM_BUTTON = 30
MESSAGE_TEXT = 40_000
"""Slack truncates a message's text past this."""
TABLE_ROWS = 100
"""Rows of the one table block of a message, the header row included."""
TABLE_COLUMNS = 20
TABLE_CHARS = 10_000
"""Characters over all the cells of a table block."""

PAGE_CHARS = 12_000
"""Characters of body text on one page: a message near 13k characters has been refused."""
FALLBACK_CHARS = 2000
"""The notification text: the opening of the reply, not all of it."""
CONTEXT_TEXT = 200
"""The target name in the context line is cut past this (it is configuration, not content)."""


def escape(text: str) -> str:
    """Plain text as Slack mrkdwn shows it literally (``<@U1>`` cannot mention anyone)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> tuple[str, str]:
    """The longest head of ``text`` whose escaped length is at most ``limit``, and the rest."""
    size = 0
    for i, ch in enumerate(text):
        size += len(escape(ch))
        if size > limit:
            return text[:i], text[i:]
    return text, ""


def chunks(lines: list[str], limit: int) -> list[tuple[int, str]]:
    """Escaped runs of whole lines of at most ``limit`` characters, each with the index of its
    first line; a line longer than ``limit`` alone is cut into pieces."""
    out: list[tuple[int, str]] = []
    run: list[str] = []
    first = size = 0

    def flush() -> None:
        nonlocal run, size
        if run and "".join(run).strip():
            out.append((first, "\n".join(run)))
        run, size = [], 0

    for i, line in enumerate(lines):
        whole = line
        while len(escape(line)) > limit:
            flush()
            head, line = cut(line, limit)
            out.append((i, escape(head)))
        if line != whole and not line:
            continue
        text = escape(line)
        if run and size + 1 + len(text) > limit:
            flush()
        if not run:
            first = i
        size += len(text) + (1 if run else 0)
        run.append(text)
    flush()
    return out

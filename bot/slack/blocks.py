"""Turn a `commands.replies.Reply` into Slack Block Kit: the one pure module that does it.

A message is a header (the title, after a severity emoji), the text in mrkdwn sections, the
fields, the table (one Slack ``table`` block when it fits, else aligned monospace), a note of
what is left out, one actions block (the reply's buttons, the follow-ups as ``run:{i}``
buttons, "Show more") and a context line (target, simulator, time) in a colour-bar attachment
for any severity but info. Everything stays within Slack's limits (`bot.slack.limits`) for any
reply: what does not fit one message is paged (page N of the same reply, reached by the "Show
more" button whose value is a cursor naming the command to run again) or said to be left out,
never cut silently. Text from a reply is plain text: ``&``, ``<`` and ``>`` are escaped and
mrkdwn objects are ``verbatim``, so nothing typed by a user can mention anyone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bot.render_text import render_plain
from bot.slack import limits
from bot.slack.limits import chunks, cut, escape
from commands.handlers._common import plural
from commands.replies import Action, Reply, Severity
from dws.models import parse_time

Block = dict[str, Any]

MORE = "more"
"""The action_id of the "Show more" button; its value is a cursor (`read_cursor`)."""
RUN = "run"
"""Follow-up buttons have action_id ``run:{i}`` (``i`` = index in ``follow_ups``) and the
command text as value."""

_EMOJI = {
    Severity.INFO: "",
    Severity.SUCCESS: ":white_check_mark:",
    Severity.WARNING: ":warning:",
    Severity.ERROR: ":x:",
}
_COLOUR = {Severity.SUCCESS: "#2eb886", Severity.WARNING: "#daa038", Severity.ERROR: "#a30200"}
_STYLES = ("primary", "danger")
_FENCE = "```"
FALLBACK_ROWS = 5
"""Table rows in the notification text."""
_ZONED_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?( ?UTC|Z|[+-]\d{2}:?\d{2})", re.ASCII
)


@dataclass(frozen=True, slots=True)
class Where:
    """The context line of every message."""

    target: str
    """The DWS target name."""
    simulated: bool
    """True: the context says "simulator" (the embedded DWS simulator)."""
    at: datetime | None = None
    """When the answer was made (aware; naive is taken as UTC), shown in the reader's time."""


@dataclass(frozen=True, slots=True)
class Message:
    """A rendered message: fallback text (never empty), blocks, and the colour bar attachment."""

    text: str
    blocks: list[Block]
    attachments: list[Block]

    def kwargs(self) -> dict[str, Any]:
        """Arguments for chat.postMessage, chat.update or a response_url body.

        ``attachments`` is always given (maybe empty) so that an update drops an old colour."""
        return {"text": self.text, "blocks": self.blocks, "attachments": self.attachments}


# ----- Block Kit objects ---------------------------------------------------------------------


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain(text: str, limit: int) -> Block:
    text = " ".join(text.split()) or "-"
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(t) for t in texts]}  # 4 at most


def _slack_time(moment: datetime, fallback: str) -> str:
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _time(value: str) -> str | None:
    """A field value that is a time with a zone, as a Slack date each reader sees locally."""
    text = value.strip()
    if not _ZONED_TIME.fullmatch(text):
        return None
    moment = parse_time(text.removesuffix("UTC").strip())
    if moment is None or moment.timestamp() < 0:
        return None
    return _slack_time(moment, text)


# ----- the body: text, fields and table as pieces that pages are cut from ---------------------


@dataclass(frozen=True, slots=True)
class _Piece:
    block: Block
    kind: str
    """What it shows: text (``line``), ``field`` or ``row``."""
    start: int
    """The index of the first line, field or row it shows."""
    size: int


@dataclass(frozen=True, slots=True)
class _Body:
    pieces: list[_Piece]
    totals: dict[str, int]


def _body(reply: Reply, title: list[str], headed: bool, table_ok: bool) -> _Body:
    """``title``: the title as a first line of text (not shown whole in a header)."""
    lines = title + reply.text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    mark = _EMOJI[reply.severity]
    if mark and not headed and lines:
        lines[0] = f"{mark} {lines[0]}"
    pieces = [_Piece(_section(t), "line", i, len(t)) for i, t in chunks(lines, limits.SECTION_TEXT)]
    pieces += _field_pieces(reply)
    if reply.columns:
        pieces += _table_pieces(reply.columns, reply.rows, table_ok)
    return _Body(pieces, {"line": len(lines), "field": len(reply.fields), "row": len(reply.rows)})


def _field_pieces(reply: Reply) -> list[_Piece]:
    pieces: list[_Piece] = []
    group: list[str] = []
    start = 0

    def flush() -> None:
        if group:
            block = {"type": "section", "fields": [_mrkdwn(t) for t in group]}
            pieces.append(_Piece(block, "field", start, sum(map(len, group))))
            group.clear()

    for i, f in enumerate(reply.fields):
        label = " ".join(f.label.split())
        value = _time(f.value) or escape(f.value)
        text = "\n".join(([f"*{escape(label)}*"] if label else []) + [value]).strip() or "—"
        if len(text) > limits.FIELD_TEXT:  # a long value becomes text of its own
            flush()
            long = chunks([f"{label}:"] * bool(label) + f.value.splitlines(), limits.SECTION_TEXT)
            pieces += [_Piece(_section(t), "field", i, len(t)) for _, t in long]
            continue
        if len(group) == limits.SECTION_FIELDS:
            flush()
        if not group:
            start = i
        group.append(text)
    flush()
    return pieces


def _table_pieces(
    columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], table_ok: bool
) -> list[_Piece]:
    if not rows:
        return [_Piece(_section("(none)"), "row", 0, 6)]
    width = max(len(columns), *(len(r) for r in rows))

    def cells(row: tuple[str, ...]) -> list[str]:
        return [" ".join(c.split()) for c in row] + [""] * (width - len(row))

    header, body = cells(columns), [cells(r) for r in rows]
    head_size = sum(len(c or "—") for c in header)
    widest = max(sum(len(c or "—") for c in row) for row in body)
    if table_ok and width <= limits.TABLE_COLUMNS and head_size + widest <= limits.TABLE_CHARS:
        return _table_blocks(header, body, head_size)
    return _monospace(header, body)


def _table_blocks(header: list[str], body: list[list[str]], head_size: int) -> list[_Piece]:
    def raw(row: list[str]) -> list[Block]:
        return [{"type": "raw_text", "text": c or "—"} for c in row]

    pieces: list[_Piece] = []
    start, size = 0, head_size

    def emit(end: int) -> None:
        block = {"type": "table", "rows": [raw(header), *map(raw, body[start:end])]}
        pieces.append(_Piece(block, "row", start, size))

    for i, row in enumerate(body):
        row_size = sum(len(c or "—") for c in row)
        if i > start and (
            i - start >= limits.TABLE_ROWS - 1 or size + row_size > limits.TABLE_CHARS
        ):
            emit(i)
            start, size = i, head_size
        size += row_size
    emit(len(body))
    return pieces


def _monospace(header: list[str], body: list[list[str]]) -> list[_Piece]:
    def safe(cell: str) -> str:  # a cell cannot close the code block
        return cell.replace("`", "`\u200b")

    widths = [min(32, max(len(r[i]) for r in [header, *body])) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(safe(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    top = [line(header), line(["-" * w for w in widths])]
    rows = [line(r) for r in body]
    prefix = escape("\n".join(top)) + "\n"
    room = limits.SECTION_TEXT - 2 * len(_FENCE) - 2
    if len(prefix) > room // 3:  # a header too wide to repeat: shown once, as the first lines
        prefix, rows, offset = "", top + rows, 2
    else:
        offset = 0
    texts = [(i, f"{_FENCE}\n{prefix}{t}\n{_FENCE}") for i, t in chunks(rows, room - len(prefix))]
    return [_Piece(_section(t), "row", max(0, i - offset), len(t)) for i, t in texts]


def _pages(pieces: list[_Piece], room: int) -> list[list[_Piece]]:
    """Pieces in order, at most ``room`` blocks, `PAGE_CHARS` and one table block a page."""
    pages: list[list[_Piece]] = [[]]
    blocks = size = tables = 0
    for piece in pieces:
        table = piece.block["type"] == "table"
        over = size + piece.size > limits.PAGE_CHARS or (table and tables)
        if pages[-1] and (blocks == room or over):
            pages.append([])
            blocks = size = tables = 0
        pages[-1].append(piece)
        blocks, size, tables = blocks + 1, size + piece.size, tables + table
    return pages


def _left(later: list[list[_Piece]], totals: dict[str, int]) -> str:
    """What the pages after this one hold: "42 rows, 3 lines"."""
    firsts: dict[str, int] = {}
    for piece in (p for page in later for p in page):
        firsts.setdefault(piece.kind, piece.start)
    parts = [plural(totals[k] - s, k) for k, s in firsts.items() if totals[k] > s]
    return ", ".join(parts) or "the rest"


# ----- buttons ---------------------------------------------------------------------------------


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": _plain(label, limits.BUTTON_TEXT)}
    button["action_id"] = action_id
    if value:
        button["value"] = value
    if style in _STYLES:
        button["style"] = style
    return button


def _confirm(action: Action, question: str) -> Block:
    text, rest = cut(question.strip() or "Please confirm.", limits.CONFIRM_TEXT - 1)
    dialog: Block = {
        "title": _plain("Are you sure?", limits.CONFIRM_TITLE),
        "text": _mrkdwn(escape(text) + ("…" if rest else "")),
        "confirm": _plain("Yes", limits.CONFIRM_BUTTON),
        "deny": _plain("No", limits.CONFIRM_BUTTON),
    }
    if action.style in _STYLES:
        dialog["style"] = action.style
    return dialog


def _buttons(reply: Reply) -> tuple[list[Block], int]:
    """The reply's buttons and its follow-ups (room is kept for "Show more"), and how many could
    not be shown (too many, an id too long, or an action_id given twice)."""
    wanted: list[Block] = []
    for a in reply.actions:
        button = _button(a.label or a.action_id, a.action_id, a.value, a.style)
        if a.confirm:
            button["confirm"] = _confirm(a, a.confirm)
        wanted.append(button)
    wanted += [_button(f, f"{RUN}:{i}", f) for i, f in enumerate(reply.follow_ups)]
    shown: list[Block] = []
    seen = {MORE}
    for b in wanted:
        fits = 0 < len(b["action_id"]) <= limits.ACTION_ID
        fits = (
            fits and len(b.get("value", "")) <= limits.BUTTON_VALUE and b["action_id"] not in seen
        )
        if fits and len(shown) < limits.ACTIONS_ELEMENTS - 1:
            shown.append(b)
            seen.add(b["action_id"])
    return shown, len(wanted) - len(shown)


def _cursor(command: str, page: int) -> str:
    """The value of a "Show more" button: compact JSON naming the command and the page."""
    return json.dumps({"c": command, "p": page}, separators=(",", ":"), ensure_ascii=False)


def read_cursor(value: str) -> tuple[str, int] | None:
    """(command text, page) from a "Show more" button's value; None if malformed (never raises)."""
    if not isinstance(value, str) or len(value) > limits.BUTTON_VALUE:
        return None
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or set(data) != {"c", "p"}:
        return None
    command, page = data["c"], data["p"]
    if not isinstance(command, str) or not command.strip() or type(page) is not int or page < 0:
        return None
    return command, page


# ----- assembling ------------------------------------------------------------------------------


def _where(where: Where, page: int, pages: int) -> Block:
    texts = [f"target {escape(cut(where.target, limits.CONTEXT_TEXT)[0])}"] if where.target else []
    if where.simulated:
        texts.append("simulator")
    if where.at is not None:
        at = _utc(where.at)
        texts.append(_slack_time(at, at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")))
    if pages > 1:
        texts.append(f"page {page + 1} of {pages}")
    return _context(*(texts or ["dwsbot"]))


def _fallback(reply: Reply) -> str:
    """The notification text: the reply as the console prints it, its opening only."""
    kept: list[str] = []
    size = 0
    opening = replace(reply, rows=reply.rows[:FALLBACK_ROWS])
    for raw in (x for x in render_plain(opening).splitlines() if x.strip()):
        line = escape(raw)
        if size + len(line) > limits.FALLBACK_CHARS:
            kept.append(escape(cut(raw, max(0, limits.FALLBACK_CHARS - size))[0]) + "…")
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept).strip() or "(an empty reply)"


@dataclass(frozen=True, slots=True)
class _Page:
    blocks: list[Block]
    """The blocks but the context line."""
    page: int
    pages: int


def _render(reply: Reply, budget: int, *, message: bool, page: int, command: str | None) -> _Page:
    """One page in at most ``budget`` blocks, the context line included (``budget`` >= 3).

    ``message``: a table block may be used, and an actions block is kept for "Show more"."""
    mark = _EMOJI[reply.severity]
    title = " ".join(reply.title.split())
    heading = f"{mark} {title}" if mark and title else title
    header: list[Block] = [{"type": "header", "text": _plain(heading, limits.HEADER_TEXT)}]
    header = header if title else []
    buttons, hidden = _buttons(reply)
    small = budget < len(header) + 4
    if small:  # a small view: the body before the header and buttons
        header, buttons, hidden = [], [], hidden + len(buttons)
    long = len(heading) > limits.HEADER_TEXT or not header
    body = _body(reply, [title] if title and long else [], bool(header), message)
    reserve = len(header) + 2 + bool(buttons or message)  # a note, the context line, actions
    pages = _pages(body.pieces, max(1, budget - reserve))
    page = min(max(page, 0), len(pages) - 1)
    blocks = header + [p.block for p in pages[page]]
    notes = []
    more = _cursor(command, page + 1) if command is not None else ""
    if page + 1 < len(pages) and (not more or len(more) > limits.BUTTON_VALUE):
        notes.append(f"Not shown: {_left(pages[page + 1 :], body.totals)}; narrow the query")
    elif page + 1 < len(pages):
        buttons.append(_button("Show more", MORE, more))
    if hidden:
        notes.append(f"{plural(hidden, 'button')} not shown")
    if notes:
        blocks.append(_context("; ".join(notes)))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return _Page(blocks, page, len(pages))


def message(reply: Reply, where: Where, *, page: int = 0, command: str | None = None) -> Message:
    """Page ``page`` of ``reply`` as a message; "Show more" appears only when ``command`` (the
    text to run again for the next page) is given and its cursor fits a button."""
    shown = _render(reply, limits.MESSAGE_BLOCKS, message=True, page=page, command=command)
    where_line = _where(where, shown.page, shown.pages)
    colour = _COLOUR.get(reply.severity)
    if colour is None:
        return Message(_fallback(reply), [*shown.blocks, where_line], [])
    attachment: Block = {"color": colour, "blocks": [where_line]}
    return Message(_fallback(reply), shown.blocks, [attachment])


def view_blocks(reply: Reply, where: Where, *, budget: int = 100) -> list[Block]:
    """``reply`` as at most ``budget`` blocks of a modal or App Home (no table block: monospace;
    no paging: what does not fit is said to be left out)."""
    budget = min(budget, limits.VIEW_BLOCKS)
    if budget < 3:
        return [_context("This reply does not fit here.")][:budget]
    shown = _render(reply, budget, message=False, page=0, command=None)
    return [*shown.blocks, _where(where, 0, 1)]

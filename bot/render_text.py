"""Turn a `Reply` into terminal output: plain text (pipes, tests) or rich renderables (a TTY).

Buttons become numbered choices. The numbers come from the caller (the console keeps one counter
per session so that an older approval message stays clickable), the renderer only prints them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from commands.replies import Action, Reply, Severity

_MARK = {
    Severity.INFO: "",
    Severity.SUCCESS: "✔ ",
    Severity.WARNING: "⚠ ",
    Severity.ERROR: "✖ ",
}
_STYLE = {
    Severity.INFO: "bold",
    Severity.SUCCESS: "bold green",
    Severity.WARNING: "bold yellow",
    Severity.ERROR: "bold red",
}


def render_plain(reply: Reply, numbers: Sequence[int] = ()) -> str:
    """The reply as plain text lines; `numbers[i]` is the choice number of `reply.actions[i]`."""
    lines: list[str] = []
    mark = _MARK[reply.severity]
    if reply.title:
        lines.append(f"{mark}{reply.title}")
    if reply.text:
        text_lines = reply.text.splitlines()
        if not reply.title and text_lines:
            text_lines[0] = mark + text_lines[0]
        lines.extend(text_lines)
    if reply.fields:
        width = max(len(f.label) for f in reply.fields)
        lines.extend(f"  {f.label.ljust(width)}  {f.value}" for f in reply.fields)
    if reply.columns:
        lines.extend(_plain_table(reply.columns, reply.rows))
    if reply.actions:
        lines.append("  ".join(_choice(a, n) for a, n in zip(reply.actions, numbers, strict=False)))
    lines.extend(f"→ {f}" for f in reply.follow_ups)
    return "\n".join(lines)


def _choice(action: Action, number: int) -> str:
    return f"[{number}] {action.label}"


def _plain_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [len(c) for c in columns]
    for row in rows:
        for i, cell in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out.extend(line(row) for row in rows)
    if not rows:
        out.append("(none)")
    return out


def render_rich(reply: Reply, numbers: Sequence[int] = ()) -> RenderableType:
    """The reply for a colour terminal: a styled title, fields, a rich table and the choices."""
    parts: list[RenderableType] = []
    mark = _MARK[reply.severity]
    if reply.title:
        parts.append(Text(f"{mark}{reply.title}", style=_STYLE[reply.severity]))
    if reply.text:
        style = "" if reply.title or reply.severity is Severity.INFO else _STYLE[reply.severity]
        parts.append(Text(("" if reply.title else mark) + reply.text, style=style))
    if reply.fields:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        for f in reply.fields:
            grid.add_row(f.label, f.value)
        parts.append(grid)
    if reply.columns:
        table = Table(show_edge=False, header_style="bold cyan", pad_edge=False)
        for column in reply.columns:
            table.add_column(column)
        for row in reply.rows:
            table.add_row(*row)
        parts.append(table if reply.rows else Text("(none)", style="dim"))
    if reply.actions:
        choices = Text()
        for action, number in zip(reply.actions, numbers, strict=False):
            style = {"primary": "bold green", "danger": "bold red"}.get(action.style or "", "bold")
            choices.append(f"[{number}] {action.label}", style=style)
            choices.append("  ")
        choices.append("(type /click N)", style="dim")
        parts.append(choices)
    for follow in reply.follow_ups:
        parts.append(Text(f"→ {follow}", style="dim"))
    return Group(*parts)

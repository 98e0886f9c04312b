"""Replies are data: what a command answers, before any renderer turns it into text or Block Kit.

A `Reply` never holds markup for one chat system. Renderers (the console's text renderer, later
Slack's Block Kit builder) read its parts: a title, free text, label/value fields, a table
(`columns` + `rows`), buttons (`actions`, which carry ids only), a severity and follow-up hints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How a renderer should colour or prefix a reply."""

    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Field:
    """One label/value pair shown next to the text (a Block Kit field, `label: value` in text)."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Action:
    """A button. ``value`` carries an id only (an approval id, a page cursor), never data to act on.

    ``action_id`` names what the button does: ``approve``, ``deny``, ``cancel`` for approvals
    (see `APPROVAL_CHOICES`), or a command-specific id such as ``page`` for a cursor.
    ``style`` is ``"primary"``, ``"danger"`` or ``None``. ``confirm``: a question the user must
    confirm before the press counts (set on the Approve button of a destructive action).
    """

    label: str
    action_id: str
    value: str
    style: str | None = None
    confirm: str | None = None


APPROVE = "approve"
DENY = "deny"
CANCEL = "cancel"
APPROVAL_CHOICES: tuple[str, ...] = (APPROVE, DENY, CANCEL)


@dataclass(frozen=True, slots=True)
class Reply:
    """What a command answers.

    - ``title``: one short line (bold in renderers).
    - ``text``: free text, may span lines (plain text; renderers escape it).
    - ``fields``: label/value pairs.
    - ``columns`` / ``rows``: a table; every row has ``len(columns)`` cells.
    - ``actions``: buttons, carrying ids only.
    - ``severity``: INFO, SUCCESS, WARNING or ERROR.
    - ``follow_ups``: suggested next commands, e.g. ``"/dws cluster prod-dw"``.
    - ``ref``: the approval (or tracker) id whose earlier message this reply replaces; ``None``
      for a new message. Adapters keep the message handle for a ref and update it in place.
    - ``mention``: ids of the users this reply concerns (the requester and approvers of a
      finished operation). An update in place notifies nobody, so adapters that update a
      message also tell these users (Slack: a reply in the message's thread naming them).
    """

    title: str = ""
    text: str = ""
    fields: tuple[Field, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    actions: tuple[Action, ...] = ()
    severity: Severity = Severity.INFO
    follow_ups: tuple[str, ...] = ()
    ref: str | None = field(default=None)
    mention: tuple[str, ...] = ()

    @classmethod
    def error(cls, text: str, *, title: str = "", follow_ups: tuple[str, ...] = ()) -> Reply:
        """An error reply: one human sentence, optionally with suggested next commands."""
        return cls(title=title, text=text, severity=Severity.ERROR, follow_ups=follow_ups)

    @classmethod
    def info(cls, text: str, *, title: str = "") -> Reply:
        """A plain informational reply."""
        return cls(title=title, text=text)


def table(
    columns: tuple[str, ...] | list[str],
    rows: list[tuple[str, ...]] | list[list[str]],
    *,
    title: str = "",
    text: str = "",
    follow_ups: tuple[str, ...] = (),
) -> Reply:
    """Build a table reply, converting cells to strings and padding short rows."""
    cols = tuple(str(c) for c in columns)
    width = len(cols)
    norm = tuple(
        tuple("" if c is None else str(c) for c in row)[:width] + ("",) * max(0, width - len(row))
        for row in rows
    )
    return Reply(title=title, text=text, columns=cols, rows=norm, follow_ups=follow_ups)

"""Logging for the long-running bot: structlog over the stdlib, request context, no secrets.

`configure_logging("json" | "text", level)` puts one handler on the root logger whose
`structlog.stdlib.ProcessorFormatter` renders every record, the stdlib ones of `commands` and
`dws` (``logging.getLogger("dwsbot....")``) as well as structlog's, as one JSON object a line
(``timestamp``, ``level``, ``logger``, ``event``, the bound fields, ``exception`` with the
traceback) or as a plain text line. `bind_request(team=, user=, channel=, command=)` binds the
request's context for everything logged inside it; `note_dws_call` (a DWS client observer) adds
the last DWS request id.

Redaction runs last, over every value and the rendered traceback: Slack tokens (``xoxb-``,
``xoxp-``, ``xapp-``, ``xoxe-`` ...), ``Bearer`` / ``Basic`` credentials, ``X-Auth-Token`` values
and every value given to `register_secret` (signing secret, DWS SK, passwords) become ``***``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, TextIO

import structlog
from pydantic import SecretStr
from structlog.typing import EventDict, Processor, WrappedLogger

from dws.client import CallRecord

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Shorter registered values are not masked (they would mask ordinary words)."""
QUIET_LOGGERS = ("slack_bolt", "slack_sdk")
_PATTERNS = (
    (re.compile(r"(?:xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]+"), MASK),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"), rf"\1\2{MASK}"),
    (re.compile(r"(?i)(x-(?:auth|subject)-token[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}]+"), rf"\1{MASK}"),
)
_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None
log = logging.getLogger("dwsbot.dws")


def register_secret(value: str | SecretStr | None) -> None:
    """Mask ``value`` wherever it appears in a log line from now on."""
    global _secret_pattern
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if text is None or len(text.strip()) < MIN_SECRET_LENGTH or text in _secrets:
        return
    _secrets.add(text)
    ordered = sorted(_secrets, key=len, reverse=True)  # the longest first: no partial masks
    _secret_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """``text`` with tokens, credentials and registered secrets replaced by ``***``."""
    if _secret_pattern is not None:
        text = _secret_pattern.sub(MASK, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return redact(str(value))


def redact_event(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """The structlog processor: every value of the event, recursively, through `redact`."""
    return {key: _clean(value) for key, value in event_dict.items()}


@contextmanager
def bind_request(
    *,
    team: str | None = None,
    user: str | None = None,
    channel: str | None = None,
    command: str | None = None,
) -> Iterator[None]:
    """Bind a request's context (ids and the command's name, not its text) while inside."""
    before = structlog.contextvars.get_contextvars()
    fields = {"team": team, "user": user, "channel": channel, "command": command}
    structlog.contextvars.bind_contextvars(**{k: v for k, v in fields.items() if v is not None})
    try:
        yield
    finally:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**before)


def note_dws_call(record: CallRecord) -> None:
    """A DWS client observer: bind the call's request id and log the call at DEBUG."""
    if record.request_id:
        structlog.contextvars.bind_contextvars(dws_request_id=record.request_id)
    log.debug(
        "dws %s -> %s in %.3f s",
        record.operation,
        record.status if record.status is not None else record.error,
        record.seconds,
    )


class _QuietSlackDebug(logging.Filter):
    """Drops slack_bolt / slack_sdk records below INFO, whatever their loggers' levels."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO or not record.name.startswith(QUIET_LOGGERS)


def configure_logging(
    format: Literal["text", "json"],
    level: int | str = logging.INFO,
    *,
    stream: TextIO | None = None,
) -> None:
    """Render all logging through structlog on ``stream`` (stderr); idempotent."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,  # the traceback as text, so it is redacted too
            redact_event,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_QuietSlackDebug())
    handler.set_name("dwsbot")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "dwsbot"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # slack_bolt and slack_sdk log request and response bodies at DEBUG (bot tokens in
    # payloads, modal values): their loggers stay at INFO or above whatever our level is,
    # and the handler's filter drops their DEBUG records even where bolt copies the root's
    # level onto its own loggers (slack_bolt.logger._configure_from_root).
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(root.level, logging.INFO))
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

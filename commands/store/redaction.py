"""Secret redaction for command text and parameters before anything is stored or shown.

`redact(text)` masks ``password=...``, ``--password ...``, ``sk=...``, ``token: ...``,
``Bearer ...``, Slack tokens, JWTs, IAM tokens and passwords inside URLs.
`redact_params(value)` walks mappings and lists: a value under a secret-looking key becomes
``***``, and every string is passed through `redact`.
`escape_nul(text)` writes each NUL character as the four characters ``\\x00``: PostgreSQL text
cannot hold NUL, and dropping it silently would hide what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MASK = "***"

_WORDS = (
    r"password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|private[_-]?key"
    r"|credentials?|authorization|sk"
)
_VALUE = r"(?:\"[^\"]*\"|'[^']*'|[^\s,;&]+)"

_FLAG = re.compile(
    rf"(?i)(?P<flag>(?<![\w-])--?(?:[a-z0-9]+-)*(?:{_WORDS}))(?P<sep>=|\s+)(?!-)"
    rf"{_VALUE}"
)
_PAIR = re.compile(
    rf"(?i)(?P<key>\b(?:[a-z0-9]+[_.-])*(?:{_WORDS}))(?P<sep>[\"']?\s*[=:]\s*){_VALUE}"
)
_URL_CREDENTIALS = re.compile(r"(?i)\b(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]+):[^@/\s]+@")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_URL_CREDENTIALS, rf"\g<head>:{MASK}@"),
    (_FLAG, rf"\g<flag>\g<sep>{MASK}"),
    (_PAIR, rf"\g<key>\g<sep>{MASK}"),
    (re.compile(r"(?i)\b(?P<scheme>bearer|basic)\s+[a-z0-9._~+/=-]+"), rf"\g<scheme> {MASK}"),
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+|\bxapp-[A-Za-z0-9-]+"), MASK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"\bMII[A-Za-z0-9+/=_-]{60,}"), MASK),
)
# A cheap first pass: text matching none of these cannot hold anything `_PATTERNS` would mask.
_TRIGGER = re.compile(rf"(?i){_WORDS}|://|xox|xapp-|eyJ|MII|bearer|basic")
_SECRET_KEY = re.compile(rf"(?i)(?:[a-z0-9]+[_.-])*(?:{_WORDS})(?:[_.-][a-z0-9]+)*")


NUL_ESCAPE = "\\x00"


def escape_nul(text: str) -> str:
    """``text`` with every NUL character shown as ``\\x00`` (kept visible, never dropped)."""
    return text.replace("\x00", NUL_ESCAPE) if "\x00" in text else text


def redact(text: str) -> str:
    """``text`` with every recognisable secret replaced by ``***``."""
    if _TRIGGER.search(text) is None:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def is_secret_key(key: str) -> bool:
    """Whether a parameter name looks like it holds a secret (``password``, ``db_token``, ...)."""
    return _SECRET_KEY.fullmatch(key) is not None


def redact_params(value: Any) -> Any:
    """A copy of ``value`` (JSON-like) with secrets masked; mappings, lists and strings walked."""
    if isinstance(value, Mapping):
        return {
            str(k): (MASK if is_secret_key(str(k)) and v is not None else redact_params(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_params(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    return value

"""Checking and converting path and query parameter values to their wire form.

Each converter takes what a caller passed (a Python value, or text typed on a command line) and
returns the string(s) sent on the wire, or raises `BadValue` saying what was expected. The
reference's types are mapped once per parameter by `converter_for`, so a call only pays for
one function call per value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from urllib.parse import quote

Converter = Callable[[object], tuple[str, ...]]

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TRUE = frozenset({"true"})
_FALSE = frozenset({"false"})
_ARRAY_TYPES = frozenset({"array", "array of strings", "array[string]"})


class BadValue(ValueError):
    """A parameter value does not fit its type; `expected` says what would."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def _string(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    raise BadValue("a string")


def to_string(value: object) -> tuple[str, ...]:
    """String: text as is; an int or float is written out (an id typed as a number)."""
    return (_string(value),)


def to_integer(value: object) -> tuple[str, ...]:
    """Integer / Long: an int, or text of digits such as ``"5"`` from a command line."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return (str(int(value)),)
    raise BadValue("an integer")


def to_number(value: object) -> tuple[str, ...]:
    """Number: an int or a finite float, or text that reads as one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, float) and math.isfinite(value):
        return (repr(value),)
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return (str(int(text)),)
        if _NUMBER.fullmatch(text):
            return (repr(float(text)),)
    raise BadValue("a number")


def to_boolean(value: object) -> tuple[str, ...]:
    """Boolean: True/False or the words true/false (any case), sent as ``true``/``false``."""
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return ("true",)
        if word in _FALSE:
            return ("false",)
    raise BadValue("true or false")


def to_array(value: object) -> tuple[str, ...]:
    """Array: a list or tuple of strings, sent as repeated keys; one string is a list of one."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        try:
            return tuple(_string(item) for item in value)
        except BadValue:
            raise BadValue("a list of strings") from None
    raise BadValue("a list of strings")


def converter_for(reference_type: str) -> Converter:
    """The converter for a type as the reference writes it (``Integer``, ``Array of strings``)."""
    kind = reference_type.strip().lower()
    if kind in {"integer", "long", "int"}:
        return to_integer
    if kind == "number":
        return to_number
    if kind == "boolean":
        return to_boolean
    if kind in _ARRAY_TYPES:
        return to_array
    return to_string


def path_segment(value: object) -> str:
    """A path parameter percent-encoded as one segment (``/`` and everything else escaped)."""
    text = _string(value)
    if text in {"", ".", ".."}:
        raise BadValue("a non-empty path segment other than '.' or '..'")
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate cannot be written as UTF-8
        raise BadValue("valid Unicode text") from None

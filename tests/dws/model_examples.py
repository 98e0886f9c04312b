"""Read the reference's example answers (``example_response`` in operations.json).

The examples come from a PDF: page breaks drop braces, brackets and commas, OCR puts spaces
into keys (``"connect info"``) and stray characters (``|``, ``.``) between lines. A plain
``json.loads`` fails on most of them, so this reader is tolerant and guided by the shape of
the model it will feed:

- tokens are strings, numbers, literals and ``{ } [ ] :``; everything else is dropped;
- a missing ``{`` is implied when a key that the expected object knows appears where a
  value or a list item was expected; a missing ``}`` / ``]`` is implied when a key appears
  that the current object does not know but an enclosing one does;
- inside a list of objects, a key that the current item already has starts the next item
  (unless it repeats the key just read with the same value: a doubled PDF line).

A key that no enclosing object knows is kept where it stands, so strict validation still
reports it: the guidance repairs structure, never names. ``KNOWN_FIXES`` lists the few
character-level artefacts that are repaired by hand, per section.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AliasChoices, BaseModel, RootModel

from dws.data import operation_rows

KNOWN_FIXES: dict[str, list[tuple[str, str]]] = {
    "5.3.3": [('"500,"', "500")],  # a comma inside the quotes of a number
    "5.8.3": [('"acrtant"', '"important"')],  # OCR
    "5.2.32": [('"data": null', '"redis_table_detail": {"data": null')],  # lost line
}

_TOKEN = re.compile(
    r"""(?P<str>"(?:[^"\\]|\\.)*"|'(?=[^"])[^'"]*['"])"""
    r"""|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"""
    r"""|(?P<lit>\btrue\b|\bfalse\b|\bnull\b)"""
    r"""|(?P<punct>[{}\[\]:,])""",
    re.DOTALL,
)
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class Tok:
    kind: str  # "str", "value", or the punctuation character itself
    value: Any = None


def tokenize(text: str) -> list[Tok]:
    """Split example text into tokens, dropping what is not JSON."""
    text = text.replace("'\"", '"')
    tokens: list[Tok] = []
    for match in _TOKEN.finditer(text):
        if match["str"]:
            tokens.append(Tok("str", match["str"][1:-1].replace("\\n", "\n")))
        elif match["num"]:
            number = match["num"]
            is_float = "." in number or "e" in number.lower()
            tokens.append(Tok("value", float(number) if is_float else int(number)))
        elif match["lit"]:
            tokens.append(Tok("value", _LITERALS[match["lit"]]))
        elif match["punct"] != ",":
            tokens.append(Tok(match["punct"]))
    return tokens


def example_json_text(example: str) -> str:
    """The part of an example after its "Status code: 2xx" line, up to the next status."""
    parts = re.split(r"Status code:\s*\d+", example)
    body = parts[1] if len(parts) > 1 else parts[0]
    start = re.search(r'^\s*[\[{"]', body, re.MULTILINE)
    return body[start.start() :] if start else ""


# --- shapes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListShape:
    item: object


MAP = "map"
SCALAR = "scalar"


def shape_of(annotation: Any) -> object:
    """The shape of a field: a model class, ``ListShape``, ``MAP`` or ``SCALAR``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return shape_of(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return shape_of(options[0]) if len(options) == 1 else SCALAR
    if origin is list:
        return ListShape(shape_of(get_args(annotation)[0]))
    if origin is dict:
        return MAP
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        return shape_of(annotation.model_fields["root"].annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return SCALAR


def wire_keys(model: type[BaseModel]) -> dict[str, str]:
    """Every key a model accepts on the wire, mapped to the field it fills."""
    keys: dict[str, str] = {}
    for name, field in model.model_fields.items():
        keys[name] = name
        if field.alias:
            keys[field.alias] = name
        if isinstance(field.validation_alias, AliasChoices):
            for choice in field.validation_alias.choices:
                if isinstance(choice, str):
                    keys[choice] = name
        elif isinstance(field.validation_alias, str):
            keys[field.validation_alias] = name
    return keys


# --- parser ---------------------------------------------------------------------------------


class ShapeGuidedParser:
    """Parses the tokens of one example into JSON values, guided by a shape."""

    def __init__(self, tokens: list[Tok]) -> None:
        self.tokens = tokens
        self.pos = 0

    def parse_root(self, shape: object) -> Any:
        """Parse every token into one value of ``shape``."""
        if isinstance(shape, ListShape):
            items: list[Any] = []
            while self._peek() is not None:
                start = self.pos
                self._take("[")
                items.extend(self._list(shape.item, []))
                self._skip_if_stuck(start)
            return items
        if not (isinstance(shape, type) and issubclass(shape, BaseModel)):
            return self._generic()
        merged: dict[str, Any] = {}
        while self._peek() is not None:
            start = self.pos
            self._take("{")
            merged.update(self._object(shape, [], in_list=False))
            self._skip_if_stuck(start)
        return merged

    def _skip_if_stuck(self, start: int) -> None:
        if self.pos == start:
            self.pos += 1

    def _peek(self, ahead: int = 0) -> Tok | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def _take(self, kind: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == kind:
            self.pos += 1
            return True
        return False

    def _key_here(self) -> str | None:
        token, after = self._peek(), self._peek(1)
        if token is not None and token.kind == "str" and after is not None and after.kind == ":":
            return "_".join(str(token.value).split())
        return None

    def _value(self, shape: object, ancestors: list[dict[str, str]]) -> Any:
        token = self._peek()
        if token is None:
            return None
        if self._key_here() is not None:  # the opener was lost
            if isinstance(shape, ListShape):
                return self._list(shape.item, ancestors)
            if shape is MAP:
                return self._map(ancestors)
            if isinstance(shape, type):
                return self._object(shape, ancestors, in_list=False)
            return None
        if token.kind == "{":
            self.pos += 1
            if isinstance(shape, type):
                return self._object(shape, ancestors, in_list=False)
            return self._map(ancestors)
        if token.kind == "[":
            self.pos += 1
            item = shape.item if isinstance(shape, ListShape) else SCALAR
            return self._list(item, ancestors)
        if token.kind in ("str", "value"):
            self.pos += 1
            return token.value
        return None  # a closer where a value should be: the value was lost

    def _object(
        self, model: type[BaseModel], ancestors: list[dict[str, str]], in_list: bool
    ) -> dict[str, Any]:
        known = wire_keys(model)
        inner = [*ancestors, known]
        obj: dict[str, Any] = {}
        last_key: str | None = None
        while (token := self._peek()) is not None:
            key = self._key_here()
            if token.kind == "}":
                self.pos += 1
                return obj
            if token.kind == "]":
                return obj
            if key is None:
                self.pos += 1  # a stray value or opener
                continue
            if key not in known and any(key in keys for keys in ancestors):
                return obj
            if key in obj and in_list and not self._doubled_line(key, last_key, obj):
                return obj  # the next item of the list begins
            self.pos += 2
            field = known.get(key)
            sub_shape = shape_of(model.model_fields[field].annotation) if field else SCALAR
            obj[key] = self._value(sub_shape, inner) if field else self._generic()
            last_key = key
        return obj

    def _doubled_line(self, key: str, last_key: str | None, obj: dict[str, Any]) -> bool:
        """Whether ``key: value`` repeats the pair just read (a line doubled by the PDF)."""
        value = self._peek(2)
        same = value is not None and value.kind in ("str", "value") and value.value == obj[key]
        return key == last_key and same

    def _map(self, ancestors: list[dict[str, str]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while (token := self._peek()) is not None:
            key = self._key_here()
            if token.kind == "}":
                self.pos += 1
                return result
            if token.kind == "]" or (key is not None and any(key in k for k in ancestors)):
                return result
            if key is None:
                self.pos += 1
                continue
            self.pos += 2
            result[key] = self._generic()
        return result

    def _list(self, item: object, ancestors: list[dict[str, str]]) -> list[Any]:
        result: list[Any] = []
        while (token := self._peek()) is not None:
            key = self._key_here()
            if token.kind == "]":
                self.pos += 1
                return result
            if token.kind == "}":
                return result
            if key is not None:
                if isinstance(item, type) and key in wire_keys(item):
                    result.append(self._object(item, ancestors, in_list=True))
                elif item is MAP and not any(key in keys for keys in ancestors):
                    result.append(self._map(ancestors))
                else:
                    return result
            elif token.kind == "{":
                self.pos += 1
                if isinstance(item, type):
                    result.append(self._object(item, ancestors, in_list=True))
                else:
                    result.append(self._map(ancestors))
            else:
                result.append(self._value(item, ancestors))
        return result

    def _generic(self) -> Any:
        """A value of unknown shape (plain tolerant JSON)."""
        token = self._peek()
        if token is not None and token.kind == "{":
            self.pos += 1
            return self._map([])
        if token is not None and token.kind == "[":
            self.pos += 1
            return self._list(SCALAR, [])
        return self._value(SCALAR, [])


def catalogue() -> dict[str, dict[str, Any]]:
    """The rows of ``dws/data/operations.json`` that have an SDK name, by that name."""
    return {row["sdk_operation"]: row for row in operation_rows() if row["sdk_operation"]}


def read_example(section: str, example: str, shape: object) -> Any:
    """The JSON value of a reference example, repaired as described in the module docstring."""
    for old, new in KNOWN_FIXES.get(section, []):
        example = example.replace(old, new)
    tokens = tokenize(example_json_text(example))
    return ShapeGuidedParser(tokens).parse_root(shape)

"""One operation of the catalogue and how a call to it is checked and prepared.

`Operation.build` runs on every request, so whatever can be worked out once per operation
(the path template split into literal text and parameter slots, a converter per parameter,
the mandatory names) is computed when the operation is made, in `_Plan`.

Validation covers path and query parameters fully and the JSON body at its top level only:
the reference describes nested objects too, but several bodies wrap their mandatory fields in
one object (``create_cluster`` takes ``{"cluster": {...}}``), and the nested tables carry
PDF artefacts, so the service stays the judge of what is inside. Only its nesting is bounded
(`MAX_BODY_DEPTH`), so a hostile body cannot exhaust the stack of whatever walks it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from dws.errors import DwsRequestError
from dws.operations.values import BadValue, Converter, converter_for, path_segment

Location = Literal["path", "query", "body"]

_SLOT = re.compile(r"\{(\w+)\}")
_PROJECT_ID = "project_id"
MAX_BODY_DEPTH = 32
"""How deeply objects and arrays may nest in a request body (the reference's bodies need 5)."""


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter as the reference describes it."""

    name: str
    mandatory: bool
    type: str
    description: str
    location: Location


@dataclass(frozen=True, slots=True)
class PreparedCall:
    """A checked call, ready to send: the path is percent-encoded, query values are strings."""

    operation: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: Any | None


@dataclass(frozen=True, slots=True)
class _Plan:
    """What `build` needs, computed once per operation."""

    pieces: tuple[str, ...]  # literal text at even indexes, path parameter names at odd ones
    path_names: frozenset[str]
    query: dict[str, Converter]
    mandatory: tuple[str, ...]  # path and query, in document order
    body_mandatory: tuple[str, ...]
    takes_body: bool


@dataclass(frozen=True)
class Operation:
    """One operation of the DWS API reference, callable by name.

    ``path_params`` leaves out ``project_id``: it is always filled from the ``project_id``
    keyword of `build`. ``content_type`` is ``multipart/form-data`` for the one operation
    whose reference body is a form (5.15.12); its fields are still checked as a JSON object.
    """

    name: str
    section: str
    title: str
    group: str
    method: str
    path: str
    path_params: tuple[Param, ...]
    query_params: tuple[Param, ...]
    body_params: tuple[Param, ...]
    sdk_name: str | None
    description: str = ""
    content_type: str = "application/json"
    _plan: _Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plan", self._make_plan())

    def _make_plan(self) -> _Plan:
        pieces = tuple(_SLOT.split(self.path))
        return _Plan(
            pieces=pieces,
            path_names=frozenset(p.name for p in self.path_params),
            query={p.name: converter_for(p.type) for p in self.query_params},
            mandatory=tuple(p.name for p in (*self.path_params, *self.query_params) if p.mandatory),
            body_mandatory=tuple(p.name for p in self.body_params if p.mandatory),
            takes_body=bool(self.body_params),
        )

    @property
    def params(self) -> tuple[Param, ...]:
        """Path then query parameters: what goes in the ``params`` mapping of `build`."""
        return (*self.path_params, *self.query_params)

    def build(
        self,
        params: Mapping[str, Any] | None = None,
        body: Any | None = None,
        *,
        project_id: str,
    ) -> PreparedCall:
        """Check a call and prepare it; raises DwsRequestError naming the first problem.

        A parameter whose value is None counts as not given. ``body`` is a JSON object
        (a dict), or its JSON text.
        """
        plan = self._plan
        segments: dict[str, str] = {_PROJECT_ID: self._segment(_PROJECT_ID, project_id)}
        query: list[tuple[str, str]] = []
        given: set[str] = set()
        for name, value in (params or {}).items():
            if value is None:
                continue
            if name in plan.path_names:
                segments[name] = self._segment(name, value)
            elif (convert := plan.query.get(name)) is not None:
                texts = self._convert(name, convert, value)
                if not texts:  # an empty list sends nothing, so it does not count as given
                    continue
                query.extend((name, text) for text in texts)
            else:
                raise self._unknown(name)
            given.add(name)
        missing = [n for n in plan.mandatory if n not in given]
        if missing:
            raise self._error(f"missing mandatory parameter{_s(missing)} {_names(missing)}")
        pieces = list(plan.pieces)
        for index in range(1, len(pieces), 2):
            pieces[index] = segments[pieces[index]]
        return PreparedCall(self.name, self.method, "".join(pieces), tuple(query), self._body(body))

    # -- helpers -------------------------------------------------------------------------------

    def _error(self, problem: str) -> DwsRequestError:
        return DwsRequestError(f"{self.name}: {problem}")

    def _segment(self, name: str, value: Any) -> str:
        try:
            return path_segment(value)
        except BadValue as exc:
            raise self._bad(name, value, exc.expected) from None

    def _convert(self, name: str, convert: Converter, value: Any) -> tuple[str, ...]:
        try:
            return convert(value)
        except BadValue as exc:
            raise self._bad(name, value, exc.expected) from None

    def _bad(self, name: str, value: Any, expected: str) -> DwsRequestError:
        shown = repr(value)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        return self._error(f"parameter {name!r} must be {expected}, got {shown}")

    def _unknown(self, name: str) -> DwsRequestError:
        if name == _PROJECT_ID:
            return self._error("project_id is set from the target, not passed as a parameter")
        known = [p.name for p in self.params]
        if not known:
            return self._error(f"unknown parameter {name!r}: this operation takes no parameters")
        return self._error(f"unknown parameter {name!r}{did_you_mean(name, known)}")

    def _body(self, body: Any) -> Any:
        plan = self._plan
        if body is None:
            if plan.body_mandatory:
                raise self._error(f"needs a request body with {_names(plan.body_mandatory)}")
            return None
        if not plan.takes_body:
            raise self._error("takes no request body")
        if isinstance(body, str | bytes | bytearray):
            body = self._parse_body(body)
        if not isinstance(body, dict):
            raise self._error(f"the request body must be a JSON object, not {_kind(body)}")
        if _depth(body) > MAX_BODY_DEPTH:
            raise self._error(f"the request body nests deeper than {MAX_BODY_DEPTH} levels")
        missing = [n for n in plan.body_mandatory if n not in body]
        if missing:
            raise self._error(
                f"the request body lacks mandatory field{_s(missing)} {_names(missing)}"
            )
        return body

    def _parse_body(self, text: str | bytes | bytearray) -> Any:
        try:
            return json.loads(text)
        except RecursionError:
            raise self._error(
                f"the request body nests deeper than {MAX_BODY_DEPTH} levels"
            ) from None
        except ValueError as exc:
            first = str(exc).splitlines()[0] if str(exc) else "invalid"
            raise self._error(f"the request body is not valid JSON ({first})") from None


def _depth(value: Any) -> int:
    """How deeply objects and arrays nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_BODY_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _s(items: list[str] | tuple[str, ...]) -> str:
    return "s" if len(items) > 1 else ""


def _names(items: list[str] | tuple[str, ...]) -> str:
    return ", ".join(repr(n) for n in items)


def _kind(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


def did_you_mean(name: str, choices: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""

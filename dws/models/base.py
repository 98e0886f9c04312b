"""The shared base of every DWS model: lenient by default, strict on demand.

Lenient (production) behaviour, for what the service really sends:

- unknown fields are kept (``extra="allow"``) and come back out of ``model_dump()``;
- every field except a resource's identity may be missing or ``null``; list fields
  (typed :data:`ListOrEmpty`) read a missing or ``null`` list as ``[]``;
- numbers may arrive as strings (``"3"`` -> 3), strings may arrive as numbers
  (``100`` -> ``"100"``); empty or placeholder strings (``""``, ``"null"``, ``"N/A"``)
  in a numeric or boolean field become ``None``, and so does any other value that cannot
  be read as that number: one odd field never makes a whole listing unreadable.

Strict mode (tests): ``Model.strict_validate(data)``, or any validation inside
``with strict_models():``. It forbids unknown fields at every level of nesting and lets
unreadable numbers fail, so a typo in one of our field names shows up against the
reference examples. Placeholders (``""``, ``"null"`` ...) in numeric fields still read as
``None`` there: the service really sends them.

Timestamps are kept exactly as the service sends them: ``str`` where the reference says
String (ISO 8601, with or without ``Z``, sometimes with a space instead of ``T``), ``int``
where it says Long (epoch milliseconds, sometimes seconds). :func:`parse_time` reads any
of those into an aware UTC ``datetime``; models offer properties built on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    RootModel,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

__all__ = [
    "DwsModel",
    "DwsRootList",
    "LenientBool",
    "LenientFloat",
    "LenientInt",
    "ListOrEmpty",
    "is_strict",
    "parse_time",
    "strict_models",
]

STRICT_CONTEXT_KEY = "dws_strict"
"""Key of the validation context that switches strict mode on for one call."""

_strict_var: ContextVar[bool] = ContextVar("dws_models_strict", default=False)

_NULL_WORDS = frozenset({"", "null", "none", "n/a", "na", "-", "--", "nan"})

T = TypeVar("T")


@contextlib.contextmanager
def strict_models() -> Iterator[None]:
    """Validate every DWS model strictly inside this block (tests use it)."""
    token = _strict_var.set(True)
    try:
        yield
    finally:
        _strict_var.reset(token)


def is_strict(info: ValidationInfo | None = None) -> bool:
    """Whether the current validation runs in strict mode."""
    if _strict_var.get():
        return True
    context = info.context if info is not None else None
    return bool(isinstance(context, dict) and context.get(STRICT_CONTEXT_KEY))


def _lenient(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """Read numbers and booleans leniently; ``None`` for what cannot be read (lenient mode)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _NULL_WORDS:
            return None
        value = text
    try:
        return handler(value)
    except ValidationError:
        if is_strict(info):
            raise
        return None


LenientInt = Annotated[int | None, WrapValidator(_lenient)]
"""An integer (Integer / Long in the reference) that also accepts ``"3"``, ``"3.0"``, ``null``."""

LenientFloat = Annotated[float | None, WrapValidator(_lenient)]
"""A number (Double / Float in the reference) that also accepts ``"2.5"`` and ``null``."""

LenientBool = Annotated[bool | None, WrapValidator(_lenient)]
"""A boolean that also accepts ``"true"``/``"false"``, ``1``/``0`` and ``null``."""

ListOrEmpty = Annotated[list[T], BeforeValidator(lambda value: [] if value is None else value)]
"""A list that reads ``null`` as ``[]``; give it ``Field(default_factory=list)``."""


class DwsModel(BaseModel):
    """Base of all DWS resource models (lenient; see the module docstring)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        use_attribute_docstrings=True,
    )

    @model_validator(mode="after")
    def _forbid_unknown_fields_when_strict(self, info: ValidationInfo) -> Self:
        if self.model_extra and is_strict(info):
            unknown = sorted(set(self.model_extra) - _alias_keys(type(self)))
            if unknown:
                names = ", ".join(unknown)
                raise ValueError(f"unknown field(s) for {type(self).__name__}: {names}")
        return self

    @classmethod
    def strict_validate(cls, data: Any) -> Self:
        """Validate ``data`` in strict mode: unknown fields and unreadable numbers fail."""
        return cls.model_validate(data, context={STRICT_CONTEXT_KEY: True})


class DwsRootList(RootModel[list[T]], Generic[T]):
    """A response whose whole body is a JSON array (the 5.14 monitoring operations).

    Iterable and indexable like the list it wraps; ``.root`` is the list itself.
    """

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __getitem__(self, index: int) -> T:
        return self.root[index]

    @classmethod
    def strict_validate(cls, data: Any) -> Self:
        """Validate ``data`` in strict mode (see :meth:`DwsModel.strict_validate`)."""
        return cls.model_validate(data, context={STRICT_CONTEXT_KEY: True})


def _alias_keys(model: type[BaseModel]) -> set[str]:
    """Every other spelling a field of ``model`` accepts (a second one lands in the extras)."""
    keys: set[str] = set()
    for field in model.model_fields.values():
        if isinstance(field.validation_alias, AliasChoices):
            keys.update(c for c in field.validation_alias.choices if isinstance(c, str))
    return keys


def parse_time(value: str | int | float | None) -> datetime | None:
    """Read a DWS timestamp into an aware UTC datetime; ``None`` if absent or unreadable.

    Accepts epoch milliseconds or seconds (as numbers or digit strings; values below 1e11
    are taken as seconds), and ISO 8601 text with ``T`` or a space, with or without ``Z``
    or an offset. Text without a zone is taken as UTC.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text or text.lower() in _NULL_WORDS:
            return None
        if text.lstrip("-").isdigit():
            return _from_epoch(int(text))
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return _from_epoch(value)


def _from_epoch(number: float) -> datetime | None:
    seconds = number / 1000 if abs(number) >= 1e11 else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None

"""The operation catalogue as the simulator reads it, and input validation driven by it.

Query parameters and JSON bodies are checked against the reference's request tables
(`dws/data/operations.json`): mandatory parameters must be present, integers must be integers,
objects objects and arrays arrays, recursively through the nested request objects. Scalars are
coerced the way the service's JSON binding does (a number is accepted where a string is expected,
a string of digits where an integer is expected); anything else is a 400, never a 500.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

from dws.data import operation_rows
from dws.simulator.errors import INVALID_FIELD, INVALID_FORMAT, SimError

Op = dict[str, Any]

_ARRAY_OF = re.compile(r"^Array of (\w+?)(?: objects?)?$", re.IGNORECASE)
_OBJECT = re.compile(r"^(\w+) object$")
_SCALARS = {"string", "integer", "long", "double", "float", "number", "boolean"}


@lru_cache(maxsize=1)
def operations() -> dict[str, Op]:
    """Every catalogue operation by its name (SDK name, or derived `method_path` key)."""
    ops: dict[str, Op] = {}
    for op in operation_rows():
        ops[op["sdk_operation"] or f"{op['method']} {op['path']}"] = op
    return ops


def operation(name: str) -> Op:
    """One operation by name (KeyError if unknown)."""
    return operations()[name]


def _bad(msg: str) -> SimError:
    return SimError(400, INVALID_FIELD, msg)


def int_query(params: dict[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    """An integer query parameter, 400 if it is not one or below `minimum`."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad(f"Query parameter {name} must be an integer.") from None
    if value < minimum:
        raise _bad(f"Query parameter {name} must be >= {minimum}.")
    return value


def validate_query(op: Op, params: dict[str, str]) -> None:
    """Check mandatory and integer query parameters of `op`."""
    for spec in op["query_params"]:
        name, kind = spec["name"], str(spec["type"]).lower()
        if name not in params:
            if spec.get("mandatory"):
                raise _bad(f"Query parameter {name} is mandatory.")
            continue
        if kind in ("integer", "long"):
            int_query(params, name, 0, minimum=-(2**63))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is out of range")
    return value


def strict_json(raw: bytes) -> Any:
    """Parse JSON as the service does (RFC 8259).

    ValueError for NaN/Infinity literals, numbers too large for a double, strings holding lone
    UTF-16 surrogates (``"\\ud800"``), which no UTF-8 answer can carry, and nesting too deep
    for the parser.
    """
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
        if b"\\u" in raw:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogate in a string") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return data


def parse_body(raw: bytes) -> Any:
    """The JSON body, or a 400 in the DWS format when it is not JSON."""
    if not raw.strip():
        return None
    try:
        return strict_json(raw)
    except (ValueError, UnicodeDecodeError):
        raise SimError(400, INVALID_FORMAT, "The request body is not valid JSON.") from None


def validate_body(op: Op, body: Any) -> dict[str, Any]:
    """Check a JSON body against the operation's request tables; returns it as a dict."""
    fields = op["request_body"]
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise SimError(400, INVALID_FORMAT, "The request body must be a JSON object.")
    _check_fields(fields, body, op["request_objects"], "")
    return body


def _check_fields(
    fields: list[dict[str, Any]], data: dict[str, Any], objects: dict[str, Any], where: str
) -> None:
    for spec in fields:
        name = spec["name"]
        path = f"{where}{name}"
        if name not in data or data[name] is None:
            if spec.get("mandatory"):
                raise _bad(f"Parameter {path} is mandatory.")
            continue
        data[name] = _check_value(str(spec["type"]), data[name], objects, path)


def _check_value(kind: str, value: Any, objects: dict[str, Any], path: str) -> Any:
    low = kind.strip().lower()
    if low in _SCALARS:
        return _scalar(low, value, path)
    array = _ARRAY_OF.match(kind.strip())
    if array or low.startswith("array"):
        if not isinstance(value, list):
            raise _bad(f"Parameter {path} must be an array.")
        inner = array.group(1) if array else ""
        return (
            [
                _check_value(_element_kind(inner), v, objects, f"{path}[{i}]")
                for i, v in enumerate(value)
            ]
            if inner
            else value
        )
    obj = _OBJECT.match(kind.strip())
    if obj or low in ("object", "json") or low.startswith("map"):
        if not isinstance(value, dict):
            raise _bad(f"Parameter {path} must be an object.")
        if obj and obj.group(1) in objects:
            _check_fields(objects[obj.group(1)], value, objects, f"{path}.")
        return value
    return value


def _element_kind(inner: str) -> str:
    if inner.lower() in ("string", "strings", "integer", "integers", "long", "boolean"):
        return inner.lower().rstrip("s") if inner.lower() != "string" else "string"
    return f"{inner} object"


def _scalar(kind: str, value: Any, path: str) -> Any:
    if isinstance(value, dict | list):
        raise _bad(f"Parameter {path.rstrip('.')} must be a {kind}.")
    if kind == "string":
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _bad(f"Parameter {path.rstrip('.')} must be a boolean.")
    if kind in ("integer", "long"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise _bad(f"Parameter {path.rstrip('.')} must be an integer.")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise _bad(f"Parameter {path.rstrip('.')} must be a number.")

"""Test helpers: a frozen-clock state, an ASGI client, and checks of answers against the
reference's response tables and the official SDK's models."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime
from typing import Any

from dws.simulator import defaults
from dws.simulator.catalogue import operation
from dws.simulator.clock import SimClock
from dws.simulator.state import SimState

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
P = defaults.PROJECT_ID

# Documented departures from a reference table, with the reason.
EXTRA_FIELDS = {
    # The SDK's CreateClusterResponse reads {"cluster": {"id"}}; the table only has the order id.
    ("create_cluster", ""): {"cluster"},
    ("create_cluster_v2", ""): {"cluster"},
}
# The table says Integer, its own example and the SDK say a string ("GB").
LOOSE_TYPES = {("QuotasResource", "unit")}


def frozen_state(seed: int = 0) -> SimState:
    """The demo fleet on a clock that only moves when told."""
    return SimState(seed=seed, clock=SimClock(START, speed=0))


def by_name(state: SimState, name: str) -> str:
    """Id of the cluster called `name`."""
    return next(c.id for c in state.clusters.values() if c.name == name)


_ARRAY = re.compile(r"^Array of (.+?)(?: objects?)?$", re.IGNORECASE)


def check_reference_shape(op_name: str, payload: Any) -> None:
    """Assert that `payload` uses only the fields of the operation's response tables, with
    their types (null is allowed anywhere)."""
    op = operation(op_name)
    fields = op["response_body"]
    objects = op["response_objects"]
    if len(fields) == 1 and fields[0]["name"] == "[Array]":
        _check(fields[0]["type"], payload, objects, op_name, "$")
        return
    assert isinstance(payload, dict), f"{op_name}: top level is not an object"
    _check_fields(fields, payload, objects, op_name, "", EXTRA_FIELDS.get((op_name, ""), set()))


def _check_fields(
    fields: list[dict[str, Any]],
    data: dict[str, Any],
    objects: dict[str, Any],
    where: str,
    obj: str,
    extra: frozenset[str] | set[str] = frozenset(),
) -> None:
    table = {f["name"]: f["type"] for f in fields}
    for key, value in data.items():
        if key in extra:
            continue
        assert key in table, f"{where}: field {key!r} is not in table {obj or 'response'}"
        if (obj, key) in LOOSE_TYPES:
            continue
        _check(table[key], value, objects, f"{where}.{key}", key)


def _check(kind: str, value: Any, objects: dict[str, Any], where: str, _key: str) -> None:
    if value is None:
        return
    k = kind.strip()
    low = k.lower()
    if low == "string":
        assert isinstance(value, str), f"{where}: {value!r} is not a String"
    elif low in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: not {k}"
    elif low in ("double", "float", "number"):
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{where}: {k}"
    elif low == "boolean":
        assert isinstance(value, bool), f"{where}: {value!r} is not a Boolean"
    elif _ARRAY.match(k):
        assert isinstance(value, list), f"{where}: not an array"
        inner = _ARRAY.match(k).group(1)  # type: ignore[union-attr]
        elem = _element(inner, objects)
        for i, item in enumerate(value):
            _check(elem, item, objects, f"{where}[{i}]", _key)
    elif k.endswith(" object") and k[: -len(" object")] in objects:
        name = k[: -len(" object")]
        assert isinstance(value, dict), f"{where}: not an object"
        _check_fields(objects[name], value, objects, where, name)
    elif low.startswith("map") or low.endswith("object"):
        assert isinstance(value, dict), f"{where}: not a map/object"
    else:
        raise AssertionError(f"{where}: unknown reference type {kind!r}")


def _element(inner: str, objects: dict[str, Any]) -> str:
    low = inner.lower()
    if low in ("string", "strings"):
        return "String"
    if low in ("integer", "integers"):
        return "Integer"
    if inner in objects:
        return f"{inner} object"
    if low.startswith("map"):
        return "Map"
    raise AssertionError(f"unknown array element type {inner!r}")


def sdk_deserialize(response_class: str, payload: Any) -> Any:
    """Deserialize `payload` into an SDK response model the way the SDK's client does, with
    any type-conversion warning turned into a failure."""
    import json

    from huaweicloudsdkcore.client import Client
    from huaweicloudsdkdws.v2 import model

    class _Resp:
        headers: dict[str, str] = {"Content-Type": "application/json"}

        def __init__(self, text: str) -> None:
            self.text = text

    client = Client()
    client.model_package = model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return client.deserialize(_Resp(json.dumps(payload)), response_class, None)

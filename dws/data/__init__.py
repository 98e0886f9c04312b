"""The reference's data files, and the one loader of its operation catalogue.

``operations.json`` is chapter 5 of the DWS API reference as rows (section, method, path,
parameters, examples, the SDK's operation name). The client's catalogue (`dws.operations`), the
simulator and the tests all read it through `operation_rows`, so it is parsed once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def operation_rows() -> tuple[dict[str, Any], ...]:
    """Every row of ``dws/data/operations.json``, in the reference's order (do not mutate)."""
    text = resources.files("dws.data").joinpath("operations.json").read_text("utf-8")
    rows: list[dict[str, Any]] = json.loads(text)
    return tuple(rows)


__all__ = ["operation_rows"]

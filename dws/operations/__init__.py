"""The operation catalogue: every operation of the DWS API reference, callable by name.

    op = get_operation("restart_cluster")
    call = op.build({"cluster_id": cid}, {"restart": {}}, project_id=target.project_id)
    call.method, call.path, call.query, call.body   # checked, ready to send

`build` raises `dws.errors.DwsRequestError` (one line naming the problem) before anything is
sent; an unknown name raises `dws.errors.UnknownOperationError` with a did-you-mean.

Modules: `catalogue` (loading, names), `model` (Operation, build), `values` (parameter types).
"""

from __future__ import annotations

from dws.operations.catalogue import DERIVED_NAMES, all_operations, get_operation
from dws.operations.model import Operation, Param, PreparedCall

__all__ = [
    "DERIVED_NAMES",
    "Operation",
    "Param",
    "PreparedCall",
    "all_operations",
    "get_operation",
]

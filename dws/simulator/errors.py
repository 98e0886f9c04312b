"""Errors of the simulated service, in the DWS error body format.

The state raises `SimError`; the routes turn it into `{"error_code": ..., "error_msg": ...}` with
the HTTP status. Codes come from the reference's error table (appendix 6.2) where one fits:

- malformed JSON or a wrong body shape: 400 DWS.5065 "Invalid format."
- a missing or mistyped parameter: 400 DWS.5063 "Invalid Specific field."
- a value out of range: 400 DWS.5038 / DWS.5060; invalid names, passwords: DWS.5057, DWS.5144
- an operation the resource's current state does not allow: 400 DWS.5045
- a name already used: 409 DWS.5050
- a project id that is not the simulator's: 403 DWS.5045
- an unknown id: 404. The table has no "does not exist" code for clusters, so DWS.0015 (the
  service's cluster-not-found code) is used; unknown snapshots use DWS.5111 ("The backup file ID
  does not exist."), unknown tags DWS.5191, unknown parameters DWS.5037.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

INVALID_FORMAT = "DWS.5065"
INVALID_FIELD = "DWS.5063"
OUT_OF_RANGE = "DWS.5038"
INT_RANGE = "DWS.5060"
NOT_ALLOWED = "DWS.5045"
NAME_EXISTS = "DWS.5050"
BAD_NAME = "DWS.5057"
BAD_PASSWORD = "DWS.5144"
PASSWORD_HAS_USER = "DWS.5145"
BAD_NODE_COUNT = "DWS.5047"
BAD_FLAVOR = "DWS.5006"
BAD_AZ = "DWS.5011"
NOT_FOUND = "DWS.0015"
SNAPSHOT_NOT_FOUND = "DWS.5111"
TAG_NOT_FOUND = "DWS.5191"
PARAM_NOT_FOUND = "DWS.5037"
TOO_MANY_TAGS = "DWS.5194"


class SimError(Exception):
    """An API error the simulator answers with: HTTP status, DWS error code, one-line message."""

    def __init__(self, status: int, code: str, msg: str) -> None:
        super().__init__(f"{status} {code}: {msg}")
        self.status = status
        self.code = code
        self.msg = msg

    def body(self) -> dict[str, Any]:
        """The DWS error body."""
        return {"error_code": self.code, "error_msg": self.msg}

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        """The error as a Starlette response."""
        return JSONResponse(self.body(), status_code=self.status, headers=headers)


def not_found(kind: str, ident: str, code: str = NOT_FOUND) -> SimError:
    """404 for an unknown id."""
    return SimError(404, code, f"The {kind} {ident} does not exist.")


def bad_request(msg: str, code: str = INVALID_FIELD) -> SimError:
    """400 for bad input."""
    return SimError(400, code, msg)


def not_allowed(msg: str) -> SimError:
    """400 for an operation the current state does not allow."""
    return SimError(400, NOT_ALLOWED, msg)


def error_response(status: int, code: str, msg: str) -> JSONResponse:
    """A DWS-format error response (for middleware and other pieces of the simulator)."""
    return SimError(status, code, msg).response()

"""Domain errors as SCIM errors (`urn:ietf:params:scim:api:messages:2.0:Error`, RFC 7644 3.12).

The HTTP status comes from the API's one table (problems.status_of); this module adds the `scimType`
RFC 7644 defines for 400 and 409 answers: `uniqueness` for a taken username or external id, and for the
codes the SCIM services raise, the type they name (`scim_mutability` is `mutability`...).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Final

from scim2_models import Error, SCIMException
from scim2_server.errors import MethodNotAllowedException

from homeroom import errors
from homeroom.api.problems import status_of

logger = logging.getLogger("homeroom.api.scim")
SCIM_TYPES: Final = {
    "scim_mutability": "mutability",
    "scim_invalid_filter": "invalidFilter",
    "scim_invalid_value": "invalidValue",
    "scim_invalid_path": "invalidPath",
    "scim_no_target": "noTarget",
    "scim_too_many": "tooMany",
}


def of_domain(error: errors.HomeroomError) -> tuple[Error, dict[str, str]]:
    """The SCIM error for a domain error, and the headers its status needs."""
    status = status_of(error)
    scim_type = SCIM_TYPES.get(error.code)
    if scim_type is None and status == 409:
        scim_type = "uniqueness"
    if scim_type is None and status == 400:
        scim_type = "invalidValue"
    if status == 422:  # invalid input: SCIM answers 400 with a scimType
        status, scim_type = 400, scim_type or "invalidValue"
    headers = {"WWW-Authenticate": 'Bearer realm="homeroom"'} if status == 401 else {}
    return Error(status=status, scim_type=scim_type, detail=f"{error.message} [{error.code}]"), headers


def of_protocol(error: SCIMException) -> tuple[Error, dict[str, str]]:
    """scim2-server's errors: its own, and a 405's list of the methods the path serves (RFC 9110)."""
    headers = {"Allow": ", ".join(error.allowed)} if isinstance(error, MethodNotAllowedException) else {}
    return error.to_error(), headers


def unexpected(error: Exception) -> tuple[Error, dict[str, str]]:
    logger.error("unexpected error", exc_info=error)
    detail = "an unexpected error occurred; it has been logged"
    return Error(status=HTTPStatus.INTERNAL_SERVER_ERROR, detail=detail), {}

"""Shared pieces of the routers: input model base, the per-route authorization entry, id patterns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from homeroom.api.problems import responses
from homeroom.policy.world import REF_TYPES

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
PathId = Annotated[str, Path(pattern=ID_PATTERN, description="an object id")]
Name = Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)]
# timestamps leave the API as UTC with an offset, whichever database returned them
UtcDatetime = Annotated[
    datetime,
    AfterValidator(
        lambda moment: moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    ),
]
RefText = Annotated[str, StringConstraints(pattern=rf"^({'|'.join(REF_TYPES)}):" + ID_PATTERN[1:])]
ERRORS = responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429)


class Input(BaseModel):
    """Request bodies: unknown fields are rejected, so nothing can be mass-assigned."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def checks(*permissions: str, public: bool = False) -> dict[str, Any]:
    """The route's authorization entry, published in OpenAPI as `x-permissions` (a test requires one)."""
    return {"x-permissions": list(permissions), "x-public": public}

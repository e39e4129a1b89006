"""Shared pieces of the routers: input model base, the per-route authorization entry, id patterns."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, StringConstraints

from homeroom.api.problems import responses

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
PathId = Annotated[str, Path(pattern=ID_PATTERN, description="an object id")]
Name = Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)]
ERRORS = responses(401, 403, 404, 409, 412, 413, 422, 428, 429)


class Input(BaseModel):
    """Request bodies: unknown fields are rejected, so nothing can be mass-assigned."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def checks(*permissions: str, public: bool = False) -> dict[str, Any]:
    """The route's authorization entry, published in OpenAPI as `x-permissions` (a test requires one)."""
    return {"x-permissions": list(permissions), "x-public": public}

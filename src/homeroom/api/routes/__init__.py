"""The routers, each a thin adapter over one family of use cases."""

from __future__ import annotations

from fastapi import APIRouter

from homeroom.api.routes import (
    audit,
    auth,
    authz,
    classes,
    codes,
    disclosures,
    documents,
    orgs,
    roster,
    users,
)
from homeroom.api.routes.operations import OPERATIONS
from homeroom.api.routes.platform import PLATFORM

ROUTERS: list[APIRouter] = [auth.router, users.router, authz.router, audit.router]
ROUTERS += [codes.router, documents.router, disclosures.router]
ROUTERS += [classes.router, orgs.router, roster.router]
ROUTERS += OPERATIONS
ROUTERS += PLATFORM

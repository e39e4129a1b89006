"""Custom roles: create, view, list, edit, delete (grant them with POST /users/{id}/roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel, Field, StringConstraints

from homeroom.api.deps import CallerDep, PageDep, VersionDep, encode_cursor, tag
from homeroom.api.routes.common import ERRORS, Id, Input, PathId, checks
from homeroom.services import custom_roles
from homeroom.services.custom_roles import GrantIn, NewRole, RoleChanges, RoleView

router = APIRouter(tags=["roles"], responses=ERRORS)
ROLE_ID = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"  # held as ROLE@ORG: no '@', ':' or '.'
RoleId = Annotated[str, StringConstraints(pattern=ROLE_ID)]
RoleName = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Permission = Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$")]
ScopeText = Annotated[
    str,
    StringConstraints(
        pattern=r"^(subtree|org|assigned|self|created)(, ?(subtree|org|assigned|self|created))*$"
    ),
]


class GrantModel(Input):
    permission: Permission
    scope: ScopeText | None = Field(
        None, description="default: the profile's canonical scope for the permission"
    )


class GrantOut(BaseModel):
    permission: str
    scope: str


class RoleOut(BaseModel):
    id: str
    name: str
    org: str | None = Field(
        description="where a custom role is defined (held there or below); null when built in"
    )
    grants: list[GrantOut]
    built_in: bool
    deleted: bool
    created_by: str | None
    version: int

    @classmethod
    def of(cls, view: RoleView) -> RoleOut:
        grants = [GrantOut(permission=p, scope=s) for p, s in view.grants]
        return cls(**{**vars(view), "grants": grants})


class RolePageOut(BaseModel):
    items: list[RoleOut]
    next_cursor: str | None


def _tagged(view: RoleView, response: Response) -> RoleOut:
    tag(response, view.version)
    return RoleOut.of(view)


def _grants(given: list[GrantModel]) -> list[GrantIn]:
    return [GrantIn(g.permission, g.scope) for g in given]


class RoleIn(Input):
    org: Id
    name: RoleName
    grants: list[GrantModel] = Field(min_length=1, max_length=custom_roles.MAX_GRANTS)
    id: RoleId | None = Field(None, description="an id of your choice; generated when left out")


@router.post("/roles", status_code=status.HTTP_201_CREATED, openapi_extra=checks("role.create"))
def create_role(body: RoleIn, caller: CallerDep, response: Response) -> RoleOut:
    """Create a custom role; you must hold every grant yourself, at that scope or wider (no escalation)."""
    new = NewRole(body.org, body.name, _grants(body.grants), body.id)
    view = caller.run(lambda a: custom_roles.create_role(a, new))
    response.headers["Location"] = f"/api/v1/roles/{view.id}"
    return _tagged(view, response)


@router.get("/roles", openapi_extra=checks("role.view"))
def list_roles(caller: CallerDep, page: PageDep) -> RolePageOut:
    """The custom roles you may see, in id order."""
    found = caller.run(lambda a: custom_roles.list_roles(a, after=page.after, limit=page.limit))
    return RolePageOut(
        items=[RoleOut.of(v) for v in found.items], next_cursor=encode_cursor(found.next_after)
    )


RolePath = Annotated[str, Path(pattern=ROLE_ID, description="a custom role's id")]


@router.get("/roles/{role_id}", openapi_extra=checks("role.view"))
def get_role(role_id: RolePath, caller: CallerDep, response: Response) -> RoleOut:
    return _tagged(caller.run(lambda a: custom_roles.get_role(a, role_id)), response)


class RolePatch(Input):
    name: RoleName | None = None
    grants: list[GrantModel] | None = Field(None, min_length=1, max_length=custom_roles.MAX_GRANTS)


@router.patch("/roles/{role_id}", openapi_extra=checks("role.create"))
def edit_role(
    role_id: RolePath, body: RolePatch, version: VersionDep, caller: CallerDep, response: Response
) -> RoleOut:
    """Rename a custom role or replace its grants (you must hold them before and after)."""
    changes = RoleChanges(body.name, _grants(body.grants) if body.grants is not None else None)
    return _tagged(
        caller.run(lambda a: custom_roles.edit_role(a, role_id, changes, expected=version)), response
    )


@router.delete(
    "/roles/{role_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=checks("role.create")
)
def delete_role(role_id: RolePath, version: VersionDep, caller: CallerDep) -> None:
    """Soft-delete a custom role: it grants nothing from now on."""
    caller.run(lambda a: custom_roles.delete_role(a, role_id, expected=version))


@router.get("/orgs/{org_id}/roles", openapi_extra=checks("role.view"))
def roles_at(org_id: PathId, caller: CallerDep) -> list[RoleOut]:
    """Every role that may be held at the org: the profile's and the custom roles of the org and above."""
    return [RoleOut.of(v) for v in caller.run(lambda a: custom_roles.roles_at(a, org_id))]

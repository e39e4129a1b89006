"""Orgs (organizations, school groups, schools' information) and the settings written at them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Response, status
from pydantic import BaseModel, Field, JsonValue

from homeroom.api.deps import CallerDep, PageDep, VersionDep, encode_cursor, expected_version, tag
from homeroom.api.routes.common import ERRORS, Id, Input, Name, PathId, checks
from homeroom.services import org_settings, orgs
from homeroom.services.org_settings import SettingView
from homeroom.services.orgs import NewOrg, OrgChanges, OrgView

router = APIRouter(prefix="/orgs", tags=["orgs"], responses=ERRORS)
SETTERS = checks(*org_settings.setter_permissions())
Key = Annotated[str, Path(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,79}$", description="a setting's key")]
OrgKind = Literal["customer", "district", "school", "school_group", "organization"]  # model.md 2
Schools = Annotated[list[Id], Field(max_length=1000, description="school groups: the member schools")]


class OrgOut(BaseModel):
    id: str
    kind: str
    parent: str | None
    name: str
    active: bool
    schools: list[str]
    version: int

    @classmethod
    def of(cls, view: OrgView) -> OrgOut:
        return cls(
            id=view.id,
            kind=view.kind,
            parent=view.parent,
            name=view.name,
            active=view.active,
            schools=list(view.schools),
            version=view.version,
        )


def _tagged(view: OrgView, response: Response) -> OrgOut:
    tag(response, view.version)
    return OrgOut.of(view)


class OrgPageOut(BaseModel):
    items: list[OrgOut]
    next_cursor: str | None


@router.get("", openapi_extra=checks())
def list_orgs(caller: CallerDep, page: PageDep) -> OrgPageOut:
    """The orgs you may see (below and above your roles' orgs), in id order."""
    found = caller.run(lambda a: orgs.list_orgs(a, after=page.after, limit=page.limit))
    return OrgPageOut(items=[OrgOut.of(v) for v in found.items], next_cursor=encode_cursor(found.next_after))


@router.get("/{org_id}", openapi_extra=checks())
def get_org(org_id: PathId, caller: CallerDep, response: Response) -> OrgOut:
    return _tagged(caller.run(lambda a: orgs.get_org(a, org_id)), response)


class OrgIn(Input):
    kind: OrgKind = Field(description="`organization` or `school_group`: the others come from rostering")
    parent: Id
    name: Name = ""
    schools: Schools = Field(default_factory=list)
    id: Id | None = Field(None, description="an id of your choice; generated when left out")


@router.post(
    "", status_code=status.HTTP_201_CREATED, openapi_extra=checks("org.create", "school_group.manage")
)
def create_org(body: OrgIn, caller: CallerDep, response: Response) -> OrgOut:
    """Create an organization under an organization, or a school group under a district or customer."""
    new = NewOrg(body.kind, body.parent, body.name, tuple(body.schools), body.id)
    view = caller.run(lambda a: orgs.create_org(a, new))
    response.headers["Location"] = f"/api/v1/orgs/{view.id}"
    return _tagged(view, response)


class OrgPatch(Input):
    name: Name | None = None
    active: bool | None = Field(None, description="schools: activate or deactivate")
    schools: Schools | None = None


@router.patch(
    "/{org_id}", openapi_extra=checks("school.edit_info", "school.set_active", "school_group.manage")
)
def edit_org(
    org_id: PathId, body: OrgPatch, version: VersionDep, caller: CallerDep, response: Response
) -> OrgOut:
    """Edit a school's name or status, or a school group's name and schools."""
    schools = tuple(body.schools) if body.schools is not None else None
    changes = OrgChanges(name=body.name, active=body.active, schools=schools)
    return _tagged(caller.run(lambda a: orgs.edit_org(a, org_id, changes, expected=version)), response)


@router.delete(
    "/{org_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=checks("school_group.manage")
)
def delete_org(org_id: PathId, version: VersionDep, caller: CallerDep) -> None:
    """Soft-delete a school group."""
    caller.run(lambda a: orgs.delete_org(a, org_id, expected=version))


class SettingOut(BaseModel):
    key: str
    value: JsonValue
    source: str | None = Field(description="the org whose value applies; null: the product default")
    locked_at: str | None = Field(description="the org that locks the key for its subtree, if any")
    set_by: str | None = Field(description="the permission that writes it; null: operators only")
    settable_here: bool
    set_here: bool
    locked_here: bool

    @classmethod
    def of(cls, view: SettingView) -> SettingOut:
        return cls(
            key=view.key,
            value=view.value,
            source=view.source,
            locked_at=view.locked_at,
            set_by=view.set_by,
            settable_here=view.settable_here,
            set_here=view.set_here,
            locked_here=view.locked_here,
        )


class SettingsOut(BaseModel):
    org: str
    version: int = Field(description="the org's version: send it as If-Match to write a setting")
    items: list[SettingOut]


@router.get("/{org_id}/settings", openapi_extra=checks())
def list_settings(org_id: PathId, caller: CallerDep, response: Response) -> SettingsOut:
    """Every setting as it applies at the org, where its value comes from, and who may set it."""
    found = caller.run(lambda a: org_settings.list_settings(a, org_id))
    tag(response, found.version)
    return SettingsOut(org=found.org, version=found.version, items=[SettingOut.of(i) for i in found.items])


@router.get("/{org_id}/settings/{key}", openapi_extra=checks())
def get_setting(org_id: PathId, key: Key, caller: CallerDep, response: Response) -> SettingOut:
    """One setting as it applies at the org; the ETag is the org's version, for If-Match on a write."""
    found = caller.run(lambda a: org_settings.get_setting(a, org_id, key))
    tag(response, found.version)
    return SettingOut.of(found.setting)


class SettingIn(Input):
    value: JsonValue = Field(description="typed as the product declares the key")
    locked: bool | None = Field(None, description="lock (or unlock) the key here for the whole subtree")


def optional_version(
    if_match: Annotated[str | None, Header(description='optional: the org\'s ETag, e.g. "3"')] = None,
) -> int | None:
    """A PUT replaces one value, so it may go without If-Match; when sent, a stale one still answers 412."""
    return expected_version(if_match) if if_match is not None else None


OptionalVersion = Annotated[int | None, Depends(optional_version)]


@router.put("/{org_id}/settings/{key}", openapi_extra=SETTERS)
def put_setting(
    org_id: PathId, key: Key, body: SettingIn, version: OptionalVersion, caller: CallerDep, response: Response
) -> SettingOut:
    """Set the key at the org (a district default, a school override); needs the key's setter permission."""
    changed = caller.run(
        lambda a: org_settings.put_setting(a, org_id, key, body.value, locked=body.locked, expected=version)
    )
    tag(response, changed.version)
    return SettingOut.of(changed.setting)


@router.delete("/{org_id}/settings/{key}", openapi_extra=SETTERS)
def delete_setting(
    org_id: PathId, key: Key, version: VersionDep, caller: CallerDep, response: Response
) -> SettingOut:
    """Remove the org's own value and lock: the key is inherited again. Answers the inherited value."""
    changed = caller.run(lambda a: org_settings.delete_setting(a, org_id, key, expected=version))
    tag(response, changed.version)
    return SettingOut.of(changed.setting)

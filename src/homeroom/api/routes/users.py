"""Staff and student accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, StringConstraints

from homeroom.api.deps import CallerDep, PageDep, VersionDep, encode_cursor, tag
from homeroom.api.routes.common import ERRORS, ID_PATTERN, Id, Input, Name, PathId, UtcDatetime, checks
from homeroom.policy.world import Ref
from homeroom.services import accounts
from homeroom.services.accounts import AccountChanges, AccountView, NewAccount

router = APIRouter(prefix="/users", tags=["accounts"], responses=ERRORS)
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._@+-]{1,100}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}$", max_length=254)]
Password = Annotated[str, Field(min_length=1, max_length=256)]
Kind = Literal["staff", "student"]


class RoleOut(BaseModel):
    role: str
    org: str


class AccountOut(BaseModel):
    id: str
    kind: str
    username: str | None
    given_name: str
    family_name: str
    email: str | None
    status: str
    deleted: bool
    orgs: list[str]
    roles: list[RoleOut]
    teaches: list[str]
    enrolled_in: list[str]
    created_by: str | None
    version: int

    @classmethod
    def of(cls, view: AccountView) -> AccountOut:
        return cls(
            id=view.id,
            kind=view.kind,
            username=view.username,
            given_name=view.given_name,
            family_name=view.family_name,
            email=view.email,
            status=view.status,
            deleted=view.deleted != "none",
            orgs=list(view.orgs),
            roles=[RoleOut(role=a.role, org=a.org) for a in view.roles],
            teaches=list(view.teaches),
            enrolled_in=list(view.enrolled_in),
            created_by=view.created_by,
            version=view.version,
        )


class AccountPageOut(BaseModel):
    items: list[AccountOut]
    next_cursor: str | None


class InvitationOut(BaseModel):
    token: str = Field(description="shown once: send it to the invited person")
    expires_at: UtcDatetime


class CreatedOut(BaseModel):
    account: AccountOut
    invitation: InvitationOut | None = None


class AccountIn(Input):
    kind: Kind
    username: Username
    given_name: Name = ""
    family_name: Name = ""
    email: Email | None = None
    password: Password | None = None
    id: Id | None = Field(None, description="an id of your choice; generated when left out")
    role: Id | None = Field(None, description="staff: the role to hold at `org`")
    org: Id | None = Field(None, description="staff: where the role is held; students: the home school")
    classes: list[Id] = Field(
        default_factory=list, max_length=50, description="students: classes to enroll in"
    )
    invite: bool = Field(default=False, description="staff: send a one-time invitation instead of a password")

    def value(self) -> NewAccount:
        return NewAccount(
            self.kind,
            self.username,
            self.given_name,
            self.family_name,
            self.email,
            self.password,
            self.id,
            self.role,
            self.org,
            tuple(self.classes),
            self.invite,
        )


def _created(created: accounts.Created, response: Response) -> CreatedOut:
    tag(response, created.account.version)
    response.headers["Location"] = f"/api/v1/users/{created.account.id}"
    invitation = created.invitation
    return CreatedOut(
        account=AccountOut.of(created.account),
        invitation=InvitationOut(token=invitation.token, expires_at=invitation.expires_at)
        if invitation
        else None,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=checks("student.create", "staff.create", "user.create"),
)
def create_account(body: AccountIn, caller: CallerDep, response: Response) -> CreatedOut:
    """Create a student (in classes or at a school) or a staff account with a role (or an invitation)."""
    return _created(caller.run(lambda a: accounts.create_account(a, body.value())), response)


class BulkIn(Input):
    accounts: list[AccountIn] = Field(min_length=1, max_length=1000)


@router.post("/bulk", status_code=status.HTTP_201_CREATED, openapi_extra=checks("staff.create_bulk"))
def create_staff_bulk(body: BulkIn, caller: CallerDep) -> list[CreatedOut]:
    """Create many staff accounts at once: all of them, or (on any problem) none."""
    values = [a.value() for a in body.accounts]
    created = caller.run(lambda a: accounts.create_staff_bulk(a, values))
    return [_created(c, Response()) for c in created]


@router.get("", openapi_extra=checks("student.view", "staff.view", "user.view"))
def list_accounts(
    caller: CallerDep,
    page: PageDep,
    kind: Kind = "student",
    permission: Annotated[
        str | None, Query(pattern=r"^[a-z_]+\.[a-z_]+$", description="default: view")
    ] = None,
) -> AccountPageOut:
    """The accounts of `kind` you may act on with `permission`, in id order (the SQL twin of the policy)."""
    found = caller.run(
        lambda a: accounts.list_accounts(a, kind, permission=permission, after=page.after, limit=page.limit)
    )
    return AccountPageOut(
        items=[AccountOut.of(v) for v in found.items], next_cursor=encode_cursor(found.next_after)
    )


@router.get("/{user_id}", openapi_extra=checks("student.view", "staff.view", "user.view"))
def get_account(user_id: PathId, caller: CallerDep, response: Response) -> AccountOut:
    view = caller.run(lambda a: accounts.get_account(a, user_id))
    tag(response, view.version)
    return AccountOut.of(view)


class AccountPatch(Input):
    username: Username | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    email: Email | None = None
    password: Password | None = None
    status: Literal["active", "inactive"] | None = None

    def changes(self) -> AccountChanges:
        fields = self.model_dump(exclude_unset=True, exclude={"password", "status"})
        return AccountChanges(values=fields, password=self.password, status=self.status)


@router.patch(
    "/{user_id}", openapi_extra=checks("student.edit", "staff.edit", "staff.set_active", "user.edit")
)
def edit_account(
    user_id: PathId, body: AccountPatch, version: VersionDep, caller: CallerDep, response: Response
) -> AccountOut:
    """Edit names, username, email or password; set `status` to activate or deactivate."""
    view = caller.run(lambda a: accounts.edit_account(a, user_id, body.changes(), expected=version))
    tag(response, view.version)
    return AccountOut.of(view)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=checks("student.delete", "student.delete_inactive", "staff.delete", "user.delete"),
)
def delete_account(user_id: PathId, version: VersionDep, caller: CallerDep) -> None:
    """Soft-delete an account; its sessions and tokens end at once."""
    caller.run(lambda a: accounts.delete_account(a, user_id, expected=version))


class MoveIn(Input):
    to: Annotated[str, StringConstraints(pattern=r"^(class|org):" + ID_PATTERN[1:])] = Field(
        description="`class:ID` or `org:ID`"
    )
    from_class: Id | None = Field(None, description="students: the class to leave")


@router.post("/{user_id}/move", openapi_extra=checks("student.move", "staff.move", "user.change_org"))
def move_account(
    user_id: PathId, body: MoveIn, version: VersionDep, caller: CallerDep, response: Response
) -> AccountOut:
    """Move a student to a class or school, or a staff account to another school."""
    type_, _, target = body.to.partition(":")
    view = caller.run(
        lambda a: accounts.move_account(
            a, user_id, Ref(type_, target), from_class=body.from_class, expected=version
        )
    )
    tag(response, view.version)
    return AccountOut.of(view)


class RoleIn(Input):
    role: Id
    at: Id = Field(description="the org where the role is held")


@router.post("/{user_id}/roles", openapi_extra=checks("role.grant"))
def grant_role(user_id: PathId, body: RoleIn, caller: CallerDep, response: Response) -> AccountOut:
    """Give an existing account a role at an org (promote)."""
    view = caller.run(lambda a: accounts.grant_role(a, user_id, body.role, body.at))
    tag(response, view.version)
    return AccountOut.of(view)


@router.delete("/{user_id}/roles/{role}/{org}", openapi_extra=checks("role.grant"))
def revoke_role(
    user_id: PathId, role: PathId, org: PathId, caller: CallerDep, response: Response
) -> AccountOut:
    """Take a role away (allowed to whoever could grant it)."""
    view = caller.run(lambda a: accounts.revoke_role(a, user_id, role, org))
    tag(response, view.version)
    return AccountOut.of(view)

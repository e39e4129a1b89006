"""The SCIM resources Homeroom serves, as scim2-models classes: only the attributes Homeroom stores.

The published schemas (`/Schemas`) are built from these classes, so they announce exactly what the server
keeps and returns: a client that sets an attribute reads the same value back. Attributes Homeroom has no
column for (phone numbers, addresses, titles...) are not declared; clients that send them anyway are
tolerated and the values dropped (`POLICY`).

Characteristics that differ from RFC 7643's defaults, and why (docs/scim.md has the full table):

* `userName` is `caseExact`: Homeroom usernames are case-sensitive (sign-in matches them exactly), and the
  exact comparison lets a lookup use the tenant's username index.
* `userType` (staff or student) and `active` are `required`: every account has a kind and a status. A
  request without them gets the documented default (protocol.py), so plain identity-provider mappings work.
* The Homeroom extensions carry the placement: `org` (required) and, at creation, the staff `role`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Final

from pydantic import Field
from scim2_models import (
    URN,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    Filter,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    Returned,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)
from scim2_models import AuthenticationScheme as Scheme
from scim2_models.resources.resource_type import SchemaExtension

USER_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA: Final = "urn:ietf:params:scim:schemas:core:2.0:Group"
USER_EXTENSION: Final = "urn:homeroom:scim:schemas:extension:2.0:User"
GROUP_EXTENSION: Final = "urn:homeroom:scim:schemas:extension:2.0:Group"
STUDENT_TYPE: Final = "student"
STAFF_TYPE: Final = "staff"
MAX_RESULTS: Final = 500


class Name(ComplexAttribute):
    family_name: Annotated[str | None, Field(max_length=100)] = None
    """The family name (Homeroom's `family_name`, at most 100 characters)."""

    given_name: Annotated[str | None, Field(max_length=100)] = None
    """The given name (Homeroom's `given_name`, at most 100 characters)."""


class Email(ComplexAttribute):
    value: Annotated[str | None, Required.true] = None
    """An email address. Homeroom keeps one per account: the primary one, else the first one sent."""


class UserGroup(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    """The id of a class the user teaches or is enrolled in."""

    ref: Annotated[Reference[Group] | None, Mutability.read_only] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The class's URL."""

    display: Annotated[str | None, Mutability.read_only] = None
    """The class's name."""

    type: Annotated[str | None, Mutability.read_only] = Field(None, examples=["direct"])
    """Always `direct`: classes do not nest."""


class User(Resource[Any]):
    """A Homeroom account: a staff member or a student."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Required.true, Uniqueness.server, CaseExact.true] = None
    """The username (letters, digits and `. _ @ + -`, at most 100 characters), unique in the tenant."""

    name: Name | None = None
    """The given and family names."""

    user_type: Annotated[str | None, Required.true, Mutability.immutable] = None
    """`student` makes a student account; any other value (`staff`, `Teacher`, `Employee`...) a staff
    account. Returned as `student` or `staff`; it cannot change after creation."""

    active: Annotated[bool | None, Required.true] = None
    """Whether the account may sign in; `false` deactivates it and ends its sessions."""

    emails: list[Email] | None = None
    """The account's email address (Homeroom keeps one)."""

    groups: Annotated[list[UserGroup] | None, Mutability.read_only] = None
    """The classes the account teaches or is enrolled in (managed through the Groups)."""


class Role(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    """A role id of the tenant's product (`teacher`, `school_admin`...) or a custom role."""

    org: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    """The org where the role is held."""


class HomeroomUser(Extension):
    """Where a Homeroom account belongs, and what it may do there."""

    __schema__ = URN(USER_EXTENSION)

    org: Annotated[str | None, Required.true, CaseExact.true] = None
    """The org the account belongs to: a student's school, or where a staff account holds its role.
    Defaults to the school of the provisioning account. Changing it moves the account."""

    role: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """Staff only: the role the new account holds at `org`. Defaults to the product's least privileged
    staff role when `org` is a school; later changes are made in Homeroom."""

    roles: Annotated[list[Role] | None, Mutability.read_only, Returned.request] = None
    """Every role the account holds, and where (returned when asked for with `attributes`)."""


class Member(ComplexAttribute):
    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The id of a user: a staff account teaches the class, a student is enrolled in it."""

    ref: Annotated[Reference[User] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The user's URL."""

    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])
    """Always `User`: classes hold accounts, not other groups."""


class Group(Resource[Any]):
    """A Homeroom class: its teachers and enrolled students are its members."""

    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true, Field(max_length=200)] = None
    """The class's name."""

    members: list[Member] | None = None
    """The class's teachers (staff accounts) and students."""

    Members: ClassVar[type[ComplexAttribute]] = Member


class HomeroomGroup(Extension):
    """Where a Homeroom class is."""

    __schema__ = URN(GROUP_EXTENSION)

    school: Annotated[str | None, Required.true, Mutability.immutable, CaseExact.true] = None
    """The school of the class. Defaults to the school of the provisioning account; classes do not move."""


# a user's groups refer to Group, declared after User: resolve that reference now, before any model is
# composed from User (scim2-models finds references by their resolved type)
UserGroup.model_rebuild()
User.model_rebuild(force=True)

# Identity providers send attributes Homeroom does not keep (phone numbers, titles, the enterprise
# extension): they are dropped rather than refused. Microsoft Entra removes members with a `value`.
POLICY: Final = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
)

CONFIG: Final = ServiceProviderConfig(
    documentation_uri=None,
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=True),
    etag=ETag(supported=True),
    authentication_schemes=[
        Scheme(
            type=Scheme.Type.oauthbearertoken,
            name="Bearer token",
            description="An API token of a Homeroom account (`hr_...`): SCIM acts as that account.",
            primary=True,
        )
    ],
)


def _user_type() -> ResourceType:
    return ResourceType(
        id="User",
        name="User",
        description="Staff and student accounts",
        endpoint="/Users",
        schema_=USER_SCHEMA,
        schema_extensions=[SchemaExtension(schema_=USER_EXTENSION, required=True)],
    )


def _group_type() -> ResourceType:
    return ResourceType(
        id="Group",
        name="Group",
        description="Classes, with their teachers and students as members",
        endpoint="/Groups",
        schema_=GROUP_SCHEMA,
        schema_extensions=[SchemaExtension(schema_=GROUP_EXTENSION, required=True)],
    )


def provider(*, groups: bool) -> ScimProvider:
    """What the server serves: Users, and Groups where the tenant's product has classes."""
    if not groups:
        return ScimProvider(
            models=[User, HomeroomUser], resource_types=[_user_type()], config=CONFIG, policy=POLICY
        )
    return ScimProvider(
        models=[User, HomeroomUser, Group, HomeroomGroup],
        resource_types=[_user_type(), _group_type()],
        config=CONFIG,
        policy=POLICY,
    )

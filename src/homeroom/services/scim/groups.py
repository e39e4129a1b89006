"""SCIM Groups as Homeroom classes: a class's teachers and enrolled students are its members.

| SCIM                | Homeroom                                                                  |
|---------------------|---------------------------------------------------------------------------|
| id                  | the class id                                                              |
| externalId          | `source_id`, OneRoster's sourcedId of the class (unique)                  |
| displayName         | the class's name                                                          |
| members (staff)     | teaching assignments (`class.assign_teacher`)                             |
| members (students)  | enrollments (`class.add_existing_student`, `class.remove_student`)        |
| extension school    | the class's school (set at creation, `class.create` there)                |

Each change is the class use case of the REST API (services/classes.py), authorized and audited as
such; a product without a permission (no `class.remove_student` in math, no `class.delete` outside
literacy) answers 403 for that change, and nothing of the request is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from homeroom.errors import InvalidInput, NotFound, StaleVersion
from homeroom.policy.world import STUDENT, Ref
from homeroom.services import classes
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, require_visible
from homeroom.services.classes import ClassChanges, ClassView, NewClass
from homeroom.services.scim.models import HomeroomGroup, Member
from homeroom.services.scim.placement import Placement
from homeroom.services.scim.scopes import visible_classes
from homeroom.services.scim.users import immutable, meta
from homeroom.store import scim as store
from homeroom.store.classes import classes_by_id, rosters

Model = type[Any]


def read_group(access: Access, model: Model, class_id: str) -> Any:
    """One class, if the caller may view it (as the REST API shows it)."""
    permission = classes.view_permission(access.profile)
    if permission is None:
        require_visible(access, Ref("class", class_id))
    else:
        authorize(access, permission, Ref("class", class_id))
    return _resource(model, classes.read_class(access, class_id))


def search_groups(access: Access, model: Model, query: store.Query) -> tuple[int, list[Any]]:
    """The classes the caller may view that match: their number and one page, as resources."""
    found = store.search_classes(access.session, access.tenant_id, [visible_classes(access)], query)
    rows = classes_by_id(access.session, access.tenant_id, found.ids)
    listed = rosters(access.session, access.tenant_id, found.ids)
    return found.total, [_resource(model, classes.class_view(rows[i], listed[i])) for i in found.ids]


def create_group(access: Access, model: Model, resource: Any, default: Placement) -> Any:
    """A new class at the extension's school (default: the caller's), then its members."""
    extension = resource[HomeroomGroup]
    school = (extension.school if extension else None) or default.school
    if school is None:
        raise InvalidInput(
            f"{HomeroomGroup.__schema__}:school is required: the provisioning account works at no school",
            code="missing_school",
        )
    new = NewClass(school, (resource.display_name or "").strip(), source_id=resource.external_id)
    view = classes.create_class(access, new)
    view = _set_members(access, view, _member_ids(resource.members))
    return _resource(model, view)


def replace_group(access: Access, model: Model, resource: Any, *, expected: int) -> Any:
    """Make the class what `resource` says: name, external id, then members (added before removed)."""
    view = classes.read_class(access, resource.id)
    if view.version != expected:
        raise StaleVersion(f"class {view.id!r} is at version {view.version}, not {expected}")
    extension = resource[HomeroomGroup]
    if extension is not None and extension.school is not None and extension.school != view.school:
        raise immutable(f"{HomeroomGroup.__schema__}:school", view.school)
    name = (resource.display_name or "").strip()
    changes = ClassChanges(
        name=name if name != view.name else None,
        source_id=resource.external_id if resource.external_id not in (None, view.source_id) else None,
        clear_source_id=resource.external_id is None and view.source_id is not None,
    )
    if changes.name is not None or changes.source_id is not None or changes.clear_source_id:
        view = classes.edit_class(access, view.id, changes, expected=view.version)
    view = _set_members(access, view, _member_ids(resource.members))
    return _resource(model, view)


def delete_group(access: Access, class_id: str, *, expected: int) -> None:
    classes.delete_class(access, class_id, expected=expected)


def _member_ids(members: Sequence[Any] | None) -> list[str]:
    ids = []
    for index, member in enumerate(members or []):
        value = member.value or (str(member.ref).rstrip("/").rpartition("/")[2] if member.ref else "")
        if not value:
            raise InvalidInput(f"members[{index}] names no user: give its `value`", code="invalid_member")
        ids.append(value)
    return list(dict.fromkeys(ids))


def _set_members(access: Access, view: ClassView, wanted: list[str]) -> ClassView:
    """Add the missing teachers and students, then take off those no longer listed."""
    current = {*view.teachers, *view.students}
    added = [m for m in wanted if m not in current]
    kinds = store.kinds_of(access.session, access.tenant_id, added)
    for member in added:
        if member not in kinds:
            raise InvalidInput(f"member {member!r} is not a user of this tenant", code="invalid_member")
        try:
            if kinds[member] == STUDENT:
                view = classes.add_existing_student(access, view.id, member)
            else:
                view = classes.assign_teacher(access, view.id, member)
        except NotFound as error:  # a user the caller may not see: as missing, but a bad value of the request
            raise InvalidInput(
                f"member {member!r} is not a user you may place in {view.id!r}", code="invalid_member"
            ) from error
    for member in [m for m in view.teachers if m not in wanted]:
        view = classes.unassign_teacher(access, view.id, member)
    for member in [m for m in view.students if m not in wanted]:
        view = classes.remove_student(access, view.id, member)
    return view


def _resource(model: Model, view: ClassView) -> Any:
    resource = model(
        id=view.id,
        external_id=view.source_id,
        display_name=view.name,
        members=[
            Member(value=user_id, ref=f"Users/{user_id}", type="User")
            for user_id in (*view.teachers, *view.students)
        ]
        or None,
    )
    resource[HomeroomGroup] = HomeroomGroup(school=view.school)
    resource.meta = meta("Group", view.version)
    return resource

"""Classes: list, view, create, rename, activate or deactivate, delete; assign teachers; add, create and
remove students; delete a class's inactive students. Each use case authorizes, validates, writes and
audits in the caller's unit of work, so a failure anywhere leaves everything unchanged.

Every write bumps the class's version; a change of teaching or enrollment links bumps the account's too.
Viewing a class is authorized as the profile's general class permission (`class.manage`, else
`class.edit`); a profile with neither shows (and lists) a class to whoever may know it exists.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from homeroom.errors import InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.profiles import Profile
from homeroom.policy.world import SOFT_DELETED, STUDENT, Ref, SchoolClass, User
from homeroom.services import accounts, audit
from homeroom.services.access import Access
from homeroom.services.accounts import NewAccount, pick
from homeroom.services.authorization import accessible_page, authorize, require_visible
from homeroom.store import credentials
from homeroom.store import tables as t
from homeroom.store.accounts import policy_user, set_links
from homeroom.store.classes import (
    Roster,
    classes_by_id,
    inactive_students,
    require_class,
    rosters,
    visible_class_ids,
)
from homeroom.store.constraints import Request
from homeroom.store.orgs import require_unique_source
from homeroom.store.rosters import add_class
from homeroom.store.tenants import advance_revision
from homeroom.store.versions import update_versioned

VIEW_PERMISSIONS: Final = ("class.manage", "class.edit")
CLASS_STATUSES: Final = ("active", "inactive")
# whoever may create a class only at their own school (scope `org`: a teacher) teaches it.
OWN_CLASS_SCOPE: Final = "org"


def view_permission(profile: Profile) -> str | None:
    """The permission that shows a class: the first of VIEW_PERMISSIONS the profile has, if any."""
    return next((p for p in VIEW_PERMISSIONS if p in profile.permissions), None)


@dataclass(frozen=True)
class ClassView:
    id: str
    school: str
    name: str
    status: str
    deleted: str
    teachers: tuple[str, ...]
    students: tuple[str, ...]
    created_by: str | None
    version: int
    source_id: str | None = None  # the external id (OneRoster sourcedId, SCIM externalId)


def class_view(row: t.SchoolClass, roster: Roster) -> ClassView:
    return ClassView(
        row.id,
        row.school_id,
        row.name,
        row.status,
        row.deleted,
        roster.teachers,
        roster.students,
        row.created_by,
        row.version,
        row.source_id,
    )


def read_class(access: Access, class_id: str) -> ClassView:
    row = require_class(access.session, access.tenant_id, class_id)
    return class_view(row, rosters(access.session, access.tenant_id, [class_id])[class_id])


def get_class(access: Access, class_id: str) -> ClassView:
    """One class, if the caller may manage it (or, in a profile without that permission, see it)."""
    permission = view_permission(access.profile)
    if permission is None:
        require_visible(access, Ref("class", class_id))
    else:
        authorize(access, permission, Ref("class", class_id))
    return read_class(access, class_id)


@dataclass(frozen=True)
class ClassPage:
    items: list[ClassView]
    next_after: str | None


def list_classes(
    access: Access, *, permission: str | None = None, after: str | None = None, limit: int = 50
) -> ClassPage:
    """The classes the caller may act on with `permission` (default: the viewing one), in id order; in a
    profile without a viewing permission, the classes the caller may see."""
    permission = permission or view_permission(access.profile)
    if permission is None:
        ids, next_after = _visible_page(access, after=after, limit=limit)
    else:
        request = Request(access.actor, permission, "class")
        page = accessible_page(access, request, after=after, limit=limit)
        ids, next_after = list(page.ids), page.next_after
    rows = classes_by_id(access.session, access.tenant_id, ids)
    found = rosters(access.session, access.tenant_id, ids)
    return ClassPage([class_view(rows[i], found[i]) for i in ids], next_after)


def _visible_page(access: Access, *, after: str | None, limit: int) -> tuple[list[str], str | None]:
    actor = policy_user(access.session, access.tenant_id, access.actor)
    roots = sorted({a.org for a in actor.roles})
    return visible_class_ids(access.session, access.tenant_id, roots, actor.id, after=after, limit=limit)


@dataclass(frozen=True)
class NewClass:
    school: str
    name: str = ""
    id: str | None = None
    source_id: str | None = None  # the external id (OneRoster sourcedId, SCIM externalId)


def create_class(access: Access, new: NewClass) -> ClassView:
    """A class at a school (`class.create`); a teacher creating one becomes its teacher (A-54)."""
    decision = authorize(access, "class.create", Ref("org", new.school))
    class_id = new.id or f"c-{secrets.token_hex(6)}"
    add_class(
        access.session,
        access.tenant_id,
        SchoolClass(class_id, new.school, created_by=access.actor),
        source_id=new.source_id,
    )
    require_class(access.session, access.tenant_id, class_id).name = new.name
    access.session.flush()
    if decision.reason.scope == OWN_CLASS_SCOPE:
        teacher = policy_user(access.session, access.tenant_id, access.actor)
        _relink(access, teacher._replace(teaches=(*teacher.teaches, class_id)), None)
    details = {"school": new.school, "name": new.name, "teacher": decision.reason.scope == OWN_CLASS_SCOPE}
    if new.source_id is not None:
        details["source_id"] = new.source_id
    audit.record(access, "class.create", Ref("class", class_id), decision=decision, details=details)
    return read_class(access, class_id)


@dataclass(frozen=True)
class ClassChanges:
    name: str | None = None
    status: str | None = None  # "active" or "inactive"
    source_id: str | None = None  # a new external id
    clear_source_id: bool = False  # forget the external id


def edit_class(access: Access, class_id: str, changes: ClassChanges, *, expected: int) -> ClassView:
    """Rename or change the external id (`class.edit`), activate or deactivate (`class.set_active`)."""
    target = Ref("class", class_id)
    edits = changes.name is not None or changes.source_id is not None or changes.clear_source_id
    needed = {"class.edit": edits, "class.set_active": changes.status is not None}
    if not any(needed.values()):
        raise InvalidInput("nothing to change", code="empty_change")
    decisions = {p: authorize(access, p, target) for p, wanted in needed.items() if wanted}
    values: dict[str, object] = {}
    if changes.name is not None:
        values["name"] = changes.name
    if changes.source_id is not None:
        require_unique_source(
            access.session, t.SchoolClass, access.tenant_id, changes.source_id, owner=class_id
        )
        values["source_id"] = changes.source_id
    elif changes.clear_source_id:
        values["source_id"] = None
    if changes.status is not None:
        if changes.status not in CLASS_STATUSES:
            raise InvalidInput(
                f"status must be one of {', '.join(CLASS_STATUSES)}, not {changes.status!r}",
                code="invalid_status",
            )
        values["status"] = changes.status
    update_versioned(
        access.session, t.SchoolClass, access.tenant_id, class_id, expected=expected, values=values
    )
    advance_revision(access.session, access.tenant_id)
    for permission, decision in decisions.items():
        audit.record(access, permission, target, decision=decision, details={"changed": sorted(values)})
    return read_class(access, class_id)


def delete_class(access: Access, class_id: str, *, expected: int) -> None:
    """Soft-delete a class (`class.delete`): its links stay, so recovering it restores its roster."""
    target = Ref("class", class_id)
    decision = authorize(access, "class.delete", target)
    update_versioned(
        access.session,
        t.SchoolClass,
        access.tenant_id,
        class_id,
        expected=expected,
        values={"deleted": SOFT_DELETED},
    )
    advance_revision(access.session, access.tenant_id)
    audit.record(access, "class.delete", target, decision=decision)


def assign_teacher(access: Access, class_id: str, teacher_id: str) -> ClassView:
    """Make a staff account a teacher of the class (`class.assign_teacher` with `to`)."""
    decision = authorize(access, "class.assign_teacher", Ref("user", teacher_id), to=Ref("class", class_id))
    teacher = policy_user(access.session, access.tenant_id, teacher_id)
    if class_id in teacher.teaches:
        raise InvalidInput(f"{teacher_id} already teaches {class_id}", code="already_teaches")
    _relink(access, teacher._replace(teaches=(*teacher.teaches, class_id)), class_id)
    _audit_link(access, "class.assign_teacher", teacher_id, decision, {"to": class_id})
    return read_class(access, class_id)


def unassign_teacher(access: Access, class_id: str, teacher_id: str) -> ClassView:
    """Take a teacher off the class (`class.assign_teacher` with `from`; P-TEACHES)."""
    decision = authorize(
        access, "class.assign_teacher", Ref("user", teacher_id), from_=Ref("class", class_id)
    )
    teacher = policy_user(access.session, access.tenant_id, teacher_id)
    _relink(access, teacher._replace(teaches=tuple(c for c in teacher.teaches if c != class_id)), class_id)
    _audit_link(access, "class.assign_teacher", teacher_id, decision, {"from": class_id})
    return read_class(access, class_id)


def add_existing_student(access: Access, class_id: str, student_id: str) -> ClassView:
    """Enroll a student of the class's school (`class.add_existing_student`; P-SAME-SCHOOL)."""
    decision = authorize(
        access, "class.add_existing_student", Ref("user", student_id), to=Ref("class", class_id)
    )
    student = policy_user(access.session, access.tenant_id, student_id)
    if class_id in student.enrolled_in:
        raise InvalidInput(f"{student_id} is already enrolled in {class_id}", code="already_enrolled")
    _relink(access, student._replace(enrolled_in=(*student.enrolled_in, class_id)), class_id)
    _audit_link(access, "class.add_existing_student", student_id, decision, {"to": class_id})
    return read_class(access, class_id)


@dataclass(frozen=True)
class NewStudent:
    username: str
    given_name: str = ""
    family_name: str = ""
    password: str | None = None
    id: str | None = None


def add_new_student(access: Access, class_id: str, new: NewStudent) -> tuple[ClassView, str]:
    """Create a student in the class (`class.add_new_student`, else `student.create` on the class)."""
    account = NewAccount(
        STUDENT,
        new.username,
        new.given_name,
        new.family_name,
        None,
        new.password,
        new.id,
        classes=(class_id,),
    )
    permission = pick(access.profile, "class.add_new_student", "student.create")
    if permission == "student.create":
        created = accounts.create_account(access, account)
    else:
        decision = authorize(access, permission, Ref("class", class_id))
        created = accounts.create_authorized(access, account, permission, decision)
    update_versioned(access.session, t.SchoolClass, access.tenant_id, class_id, expected=None, values={})
    return read_class(access, class_id), created.account.id


def remove_student(access: Access, class_id: str, student_id: str) -> ClassView:
    """Take a student out of the class; the account stays (`class.remove_student`; P-ENROLLED)."""
    decision = authorize(
        access, "class.remove_student", Ref("user", student_id), from_=Ref("class", class_id)
    )
    student = policy_user(access.session, access.tenant_id, student_id)
    remaining = tuple(c for c in student.enrolled_in if c != class_id)
    _relink(access, student._replace(enrolled_in=remaining), class_id)
    _audit_link(access, "class.remove_student", student_id, decision, {"from": class_id})
    return read_class(access, class_id)


def delete_inactive_students(access: Access, class_id: str) -> list[str]:
    """Soft-delete every inactive student enrolled in the class (`class.delete_inactive_students`)."""
    target = Ref("class", class_id)
    decision = authorize(access, "class.delete_inactive_students", target)
    deleted = inactive_students(access.session, access.tenant_id, class_id)
    for student_id in deleted:
        values = {"deleted": SOFT_DELETED}
        update_versioned(access.session, t.User, access.tenant_id, student_id, expected=None, values=values)
        credentials.end_all(access.session, access.tenant_id, student_id, now=access.now)
        _audit_link(access, "class.delete_inactive_students", student_id, decision, {"class": class_id})
    if deleted:
        update_versioned(access.session, t.SchoolClass, access.tenant_id, class_id, expected=None, values={})
        advance_revision(access.session, access.tenant_id)
    audit.record(
        access, "class.delete_inactive_students", target, decision=decision, details={"deleted": deleted}
    )
    return deleted


def _relink(access: Access, user: User, class_id: str | None) -> None:
    """Store the user's new links and bump the user's version (and the class's, when given)."""
    set_links(access.session, access.tenant_id, user, access.profile)
    update_versioned(access.session, t.User, access.tenant_id, user.id, expected=None, values={})
    if class_id is not None:
        update_versioned(access.session, t.SchoolClass, access.tenant_id, class_id, expected=None, values={})


def _audit_link(
    access: Access, permission: str, user_id: str, decision: Decision, details: dict[str, object]
) -> None:
    audit.record(access, permission, Ref("user", user_id), decision=decision, details=details)

"""The assessment platform's objects: questions, tests, media, categories, workflows, articles, products,
sales, partners, keys and notifications, each with the operations its profile grants and no others.

* **Permissions are the catalog's `TYPE.VERB`.** Create checks `TYPE.create` on the org (a simulation
  question `question.create_simulation`), edit `TYPE.edit`, soft delete `TYPE.delete`, recover
  `TYPE.recover` (the object must be soft-deleted), purge `TYPE.purge` (active or soft-deleted). A type
  offers a verb only where the profile has the permission (`Kind.offers`); `decide` still has the last word.
* **Reading** needs the type's view permission; types without one are read with the permissions that act on
  them (`Kind.read`: a workflow with `workflow.edit`, a product with `product.edit` or `product.disable`, a
  sale with `sale.edit` or `sale.approve`, a partner with `partner.impersonate`, a published test also with
  `test.launch`), or, for types acted on only through their org, the org permission (an article with
  `article.create` on its org, a key with `key.create`). Deleted objects are read only from the trash list.
* **Lists** page through the SQL twin of the first read permission (or of `TYPE.recover` for the trash,
  `test.launch` for launchable tests), narrowed to one org when asked.
* A question's `status` needs `question.edit_status`, its workflow `question.assign_workflow`; a test's body
  may list questions (`questions`: live questions of the test's org).

Every write bumps the object's version (If-Match) and is audited with the permission that allowed it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from homeroom.errors import Conflict, Forbidden, InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.world import NOT_DELETED, PURGED, SOFT_DELETED, Check, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, evaluate, not_found, require_visible
from homeroom.services.content_values import (
    QUESTION_KINDS,
    body_text,
    checked_name,
    invalid,
    new_id,
    validated_body,
)
from homeroom.store import content as store
from homeroom.store import tables as t
from homeroom.store.constraints import Request

CRUD: Final = frozenset({"create", "edit", "delete", "recover", "purge"})


@dataclass(frozen=True)
class Kind:
    type: str
    read: tuple[str, ...]  # any of these lets one read an object; the first is named on a denial
    offers: frozenset[str] = frozenset()  # the generic verbs offered: create, edit, delete, recover, purge
    statuses: tuple[str, ...] = ()  # the values of `status`; the first is a new object's
    read_on_org: bool = False  # the read permissions target the object's org


KINDS: Final[Mapping[str, Kind]] = {
    k.type: k
    for k in (
        Kind("question", ("question.view",), CRUD, ("draft", "in_review", "approved", "retired")),
        Kind("test", ("test.view", "test.launch"), CRUD),
        Kind("media", ("media.view",), CRUD),
        Kind("category", ("category.view",), CRUD),
        Kind("workflow", ("workflow.edit",), frozenset({"edit", "recover"})),
        Kind("article", ("article.create",), frozenset({"create"}), read_on_org=True),
        Kind(
            "product",
            ("product.edit", "product.disable"),
            frozenset({"create", "edit"}),
            ("active", "disabled"),
        ),
        Kind("sale", ("sale.edit", "sale.approve"), frozenset({"create", "edit"}), ("open", "approved")),
        Kind("partner", ("partner.impersonate",)),
        Kind("key", ("key.create",), statuses=("active",), read_on_org=True),
        Kind("notification", ("notification.view",), statuses=("unread", "read")),
    )
}


@dataclass(frozen=True)
class ContentView:
    id: str
    type: str
    org: str | None
    name: str
    status: str
    body: dict[str, Any]
    published: bool
    workflow: str | None
    account: str | None
    recipient: str | None
    created_by: str | None
    created_at: datetime | None
    updated_by: str | None
    updated_at: datetime | None
    deleted: str
    version: int
    launches: int | None = None  # tests: how many times the test was launched


def view_of(row: t.Thing, *, launches: int | None = None) -> ContentView:
    statuses = KINDS[row.type].statuses if row.type in KINDS else ()
    return ContentView(
        row.id,
        row.type,
        row.org_id,
        row.name,
        row.status or (statuses[0] if statuses else ""),  # objects written from a world have no status
        json.loads(row.body or "{}"),
        bool(row.published),
        row.workflow_id,
        row.account_id,
        row.recipient_id,
        row.created_by,
        row.created_at,
        row.updated_by,
        row.updated_at,
        row.deleted,
        row.version,
        launches,
    )


def read(access: Access, object_id: str) -> ContentView:
    """The object as stored (no authorization: for use cases that authorized already)."""
    row = store.get(access.session, access.tenant_id, object_id)
    if row is None:  # pragma: no cover - callers found or wrote it in this unit of work
        raise not_found(Ref("object", object_id))
    launches = store.launch_count(access.session, access.tenant_id, row.id) if row.type == "test" else None
    return view_of(row, launches=launches)


def kind_of(type_: str) -> Kind:
    return KINDS[type_]


def require_row(access: Access, type_: str, object_id: str) -> t.Thing:
    """The object of `type_` (soft-deleted ones too); NotFound when missing, purged or of another type."""
    row = store.get(access.session, access.tenant_id, object_id)
    if row is None or row.type != type_ or row.deleted == PURGED:
        raise not_found(Ref(type_, object_id))
    return row


def authorize_on(access: Access, permission: str, target: Ref, thing: Ref) -> Decision:
    """`authorize` on `target` (the object or its org), but "not found" when the object is invisible."""
    try:
        return authorize(access, permission, target)
    except Forbidden:
        if target != thing:
            require_visible(access, thing)
        raise


def authorize_any(access: Access, permissions: Sequence[str], target: Ref, thing: Ref) -> Decision:
    """The first of `permissions` that allows; when none does, the denial of the first."""
    for permission in permissions[1:]:
        decision, _facts = evaluate(access, Check(access.actor, permission, target))
        if decision.allowed:
            return decision
    return authorize_on(access, permissions[0], target, thing)


def _read_target(kind: Kind, row: t.Thing) -> Ref:
    return Ref("org", row.org_id or "") if kind.read_on_org else Ref(kind.type, row.id)


def get_content(access: Access, type_: str, object_id: str) -> ContentView:
    """One live object, for whoever may read it."""
    kind = kind_of(type_)
    row = require_row(access, type_, object_id)
    if row.deleted != NOT_DELETED and kind.read_on_org:
        raise not_found(Ref(type_, object_id))
    authorize_any(access, kind.read, _read_target(kind, row), Ref(type_, object_id))
    return read(access, object_id)


@dataclass(frozen=True)
class ContentPage:
    items: list[ContentView]
    next_after: str | None


def list_content(  # noqa: PLR0913 - the list's narrowing
    access: Access,
    type_: str,
    *,
    org: str | None = None,
    deleted: bool = False,
    launchable: bool = False,
    after: str | None = None,
    limit: int = 50,
) -> ContentPage:
    """A page (id order) of the objects the caller may read; `deleted`: the ones they may recover."""
    kind = kind_of(type_)
    session, tenant_id, profile = access.session, access.tenant_id, access.profile
    if deleted or launchable:
        permission = f"{type_}.recover" if deleted else "test.launch"
        request = Request(access.actor, permission, type_)
        page = store.page(session, tenant_id, profile, request, org=org, after=after, limit=limit)
    elif kind.read_on_org:
        request = Request(access.actor, kind.read[0], "org")
        page = store.page_in_orgs(
            session, tenant_id, profile, request, type_, org=org, after=after, limit=limit
        )
    else:
        request = Request(access.actor, kind.read[0], type_)
        page = store.page(session, tenant_id, profile, request, org=org, after=after, limit=limit)
    return ContentPage([view_of(r) for r in store.rows(session, tenant_id, page.ids)], page.next_after)


@dataclass(frozen=True)
class NewContent:
    org: str
    name: str
    body: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None
    question_kind: str = "standard"  # questions: `simulation` needs question.create_simulation


def create_content(access: Access, type_: str, new: NewContent) -> ContentView:
    """A new object at `new.org` (`TYPE.create`, or `question.create_simulation`)."""
    kind = kind_of(type_)
    permission = f"{type_}.create"
    if type_ == "question" and new.question_kind == "simulation":
        permission = "question.create_simulation"
    decision = authorize(access, permission, Ref("org", new.org))
    object_id = new_id(access, type_, new.id)
    body = validated_body(access, type_, new.org, new.body, current=None)
    if type_ == "question":
        if new.question_kind not in QUESTION_KINDS:
            raise invalid("kind", new.question_kind, QUESTION_KINDS)
        body["kind"] = new.question_kind
    status = kind.statuses[0] if kind.statuses else ""
    store.add(
        access.session,
        access.tenant_id,
        store.NewThing(
            object_id,
            type_,
            new.org,
            checked_name(new.name),
            body_text(body),
            status,
            access.actor,
            access.now,
        ),
    )
    details: dict[str, object] = {"org": new.org, "name": new.name}
    audit.record(access, permission, Ref(type_, object_id), decision=decision, details=details)
    return read(access, object_id)


_UNSET: Final = "\0unset"


@dataclass(frozen=True)
class ContentChanges:
    name: str | None = None
    body: Mapping[str, Any] | None = None
    status: str | None = None  # questions: `question.edit_status`
    workflow: str | None = _UNSET  # questions: `question.assign_workflow`; None takes it away

    @property
    def sets_workflow(self) -> bool:
        return self.workflow != _UNSET


def edit_content(
    access: Access, type_: str, object_id: str, changes: ContentChanges, *, expected: int
) -> ContentView:
    """Change name and body (`TYPE.edit`), a question's status and workflow (their own permissions)."""
    row = require_row(access, type_, object_id)
    needed = _edit_permissions(type_, changes)
    ref = Ref(type_, object_id)
    decisions = {p: authorize_on(access, p, ref, ref) for p in needed}
    if type_ == "sale" and row.status == "approved":
        raise Conflict(f"sale {object_id!r} is approved: it can no longer change", code="sale_approved")
    values: dict[str, Any] = {"updated_at": access.now, "updated_by": access.actor}
    if changes.name is not None:
        values["name"] = checked_name(changes.name)
    if changes.body is not None:
        current = json.loads(row.body or "{}")
        values["body"] = body_text(
            validated_body(access, type_, row.org_id or "", changes.body, current=current)
        )
    if changes.status is not None:
        statuses = kind_of(type_).statuses
        if changes.status not in statuses:
            raise invalid("status", changes.status, statuses)
        values["status"] = changes.status
    if changes.sets_workflow:
        values["workflow_id"] = _workflow(access, row, changes.workflow)
    store.change(access.session, access.tenant_id, object_id, expected=expected, values=values)
    changed = sorted(k for k in values if k not in ("updated_at", "updated_by"))
    for permission, decision in decisions.items():
        audit.record(access, permission, ref, decision=decision, details={"changed": changed})
    return read(access, object_id)


def _edit_permissions(type_: str, changes: ContentChanges) -> list[str]:
    needed = []
    if changes.name is not None or changes.body is not None:
        needed.append(f"{type_}.edit")
    if changes.status is not None:
        if type_ != "question":
            raise InvalidInput(
                f"a {type_}'s status changes through its own action, not an edit", code="status_not_editable"
            )
        needed.append("question.edit_status")
    if changes.sets_workflow:
        if type_ != "question":
            raise InvalidInput(f"a {type_} has no workflow", code="no_workflow")
        needed.append("question.assign_workflow")
    if not needed:
        raise InvalidInput("nothing to change", code="empty_change")
    return needed


def _workflow(access: Access, question: t.Thing, workflow: str | None) -> str | None:
    if workflow is None:
        return None
    found = store.live_in_org(access.session, access.tenant_id, "workflow", question.org_id or "", [workflow])
    if not found:
        raise InvalidInput(
            f"{workflow!r} is not a live workflow of org {question.org_id!r}",
            code="invalid_workflow",
            details={"workflow": workflow},
        )
    return workflow


def delete_content(access: Access, type_: str, object_id: str, *, expected: int) -> None:
    """Soft delete (`TYPE.delete`): recoverable, invisible to reads."""
    _lifecycle(access, type_, object_id, "delete", expected, SOFT_DELETED)


def recover_content(access: Access, type_: str, object_id: str, *, expected: int | None) -> ContentView:
    """Undo a soft delete (`TYPE.recover`)."""
    _lifecycle(access, type_, object_id, "recover", expected, NOT_DELETED)
    return read(access, object_id)


def purge_content(access: Access, type_: str, object_id: str, *, expected: int | None) -> None:
    """Delete permanently (`TYPE.purge`): the content is erased; only a tombstone stays."""
    _lifecycle(access, type_, object_id, "purge", expected, PURGED)


def _lifecycle(
    access: Access, type_: str, object_id: str, verb: str, expected: int | None, deleted: str
) -> None:
    require_row(access, type_, object_id)
    ref, permission = Ref(type_, object_id), f"{type_}.{verb}"
    decision = authorize_on(access, permission, ref, ref)
    if deleted == PURGED:
        store.purge(
            access.session, access.tenant_id, object_id, expected=expected, at=access.now, by=access.actor
        )
    else:
        values = {"deleted": deleted, "updated_at": access.now, "updated_by": access.actor}
        store.change(
            access.session, access.tenant_id, object_id, expected=expected, values=values, facts_changed=True
        )
    audit.record(access, permission, ref, decision=decision)

"""What only operators do with the assessment platform's objects.

The chart has no permission that creates partners, workflows or notifications, nor one that links a
partner to the account an impersonation acts as. Operators do these from the command line
(`homeroom content add`), holding the database and no account of the tenant; each write is audited with
no actor, like the other operator actions (services/operators.py). Everything else goes through the API
as an account, decided by the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from homeroom.errors import Forbidden, InvalidInput, NotFound
from homeroom.policy.world import ACTIVE, NOT_DELETED, STAFF, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.content import KINDS, ContentView, read
from homeroom.services.content_values import body_text, new_id
from homeroom.store import content as store
from homeroom.store import tables as t
from homeroom.store.accounts import find_by_username

OPERATOR_TYPES: Final = ("partner", "workflow", "notification")


@dataclass(frozen=True)
class OperatorObject:
    type: str  # partner, workflow or notification
    name: str
    org: str | None = None  # partners and workflows
    account: str | None = None  # partners: the username of the account an impersonation acts as, if any
    recipient: str | None = None  # notifications: the recipient's username
    body: Mapping[str, Any] = field(default_factory=dict)
    id: str | None = None


def add_object(access: Access, new: OperatorObject) -> ContentView:
    """A partner, workflow or notification, written by an operator (no account acts)."""
    if access.principal.user_id is not None:
        raise Forbidden("only operators add partners, workflows and notifications", code="operators_only")
    if new.type not in OPERATOR_TYPES:
        raise InvalidInput(
            f"operators add {', '.join(OPERATOR_TYPES)}, not {new.type!r}",
            code="invalid_type",
            details={"type": new.type},
        )
    org = _org(access, new) if new.type != "notification" else None
    partner = new.type == "partner" and new.account is not None
    account = _user(access, new.account, "account", staff=True) if partner else None
    recipient = _user(access, new.recipient, "recipient") if new.type == "notification" else None
    name = new.name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput("name must have 1 to 200 characters", code="invalid_name")
    object_id = new_id(access, new.type, new.id)
    statuses = KINDS[new.type].statuses
    store.add(
        access.session,
        access.tenant_id,
        store.NewThing(
            object_id,
            new.type,
            org,
            name,
            body_text(new.body),
            statuses[0] if statuses else "",
            None,
            access.now,
            recipient=recipient,
            account=account,
        ),
    )
    details: dict[str, object] = {"org": org, "name": name, "account": account, "recipient": recipient}
    audit.record(access, f"{new.type}.add", Ref(new.type, object_id), details=details)
    return read(access, object_id)


def _org(access: Access, new: OperatorObject) -> str:
    row = access.session.get(t.Org, (access.tenant_id, new.org or ""))
    if row is None or row.deleted != NOT_DELETED:
        raise NotFound(f"there is no org {new.org!r}", code="org_not_found", details={"id": new.org})
    return row.id


def _user(access: Access, username: str | None, what: str, *, staff: bool = False) -> str:
    if not username:
        raise InvalidInput(f"the {what} is required", code="missing_field", details={"field": what})
    found = find_by_username(access.session, access.tenant_id, username)
    if found is None or found.deleted != NOT_DELETED:
        raise NotFound(
            f"there is no account {username!r}", code="user_not_found", details={"username": username}
        )
    if staff and (found.kind != STAFF or found.status != ACTIVE):
        raise InvalidInput(
            f"a partner acts through an active staff account; {username!r} is not one",
            code="invalid_account",
            details={"username": username},
        )
    return found.id

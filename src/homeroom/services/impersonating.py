"""What an impersonation may never do, whatever the impersonated account's roles allow.

While a partner is impersonated (the caller's principal names an impersonator) Homeroom refuses, with 403
and a stable code, and audits the refusal:

* **bulk exports** (`impersonation_export_refused`): every permission whose verb exports, prints or works
  in bulk (`report.export_*`, `test.export`, `class.print_cards`, `class.print_roster`,
  `student.print_card`, `staff.create_bulk`, `roster.bulk_import`); `authorize` and the twin's lists ask
  `refuse_bulk_export` first, so no export path can forget it;
* **credentials and nesting** (`impersonation_refused`): issuing API tokens, changing passwords, and
  starting another impersonation. A token or a password would outlive the impersonation.
"""

from __future__ import annotations

from typing import Final

from homeroom.errors import Forbidden
from homeroom.policy.decisions import deny
from homeroom.policy.world import Check, Ref
from homeroom.services.access import Access
from homeroom.services.audit import denial

RULE: Final = "impersonation"


def is_bulk_export(permission: str) -> bool:
    """Does `permission` export, print or act in bulk?"""
    verb = permission.partition(".")[2]
    return "export" in verb or "bulk" in verb or verb.startswith("print")


def impersonating(access: Access) -> bool:
    return access.principal.impersonator_id is not None


def refuse_bulk_export(access: Access, permission: str, target: Ref | None) -> None:
    """Forbidden while impersonating, when `permission` is a bulk export."""
    if impersonating(access) and is_bulk_export(permission):
        _refuse(
            access,
            permission,
            target,
            f"{permission} is a bulk export, which is never run while impersonating a partner",
            code="impersonation_export_refused",
        )


def refuse_while_impersonating(access: Access, action: str, target: Ref, what: str) -> None:
    """Forbidden while impersonating: `what` (issuing a credential, starting another impersonation)."""
    if impersonating(access):
        _refuse(
            access,
            action,
            target,
            f"{what} is not possible while impersonating a partner",
            code="impersonation_refused",
        )


def _refuse(access: Access, action: str, target: Ref | None, message: str, *, code: str) -> None:
    where = target or Ref("org", "-")
    access.denials.append(denial(access, Check(access.actor, action, where), deny(RULE, message)))
    raise Forbidden(
        message,
        code=code,
        details={"permission": action, "impersonator": access.principal.impersonator_id, "rule": RULE},
    )

"""The one authorization function. Every read and write of every use case goes through `authorize`.

It loads exactly the facts the check needs (store.load_facts), asks the pure policy (`decide`), and on a
deny records the attempt for the audit log and raises: NotFound when the actor may not even know the
object exists (indistinguishable from a missing one), Forbidden when they may see it but not do this.
Lists come from the SQL twin of the same policy (`accessible_page`), never from loading everything.
"""

from __future__ import annotations

from homeroom.errors import Forbidden, NotFound
from homeroom.policy.decisions import Decision
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.visibility import can_see
from homeroom.policy.world import Check, Ref
from homeroom.services.access import Access
from homeroom.services.audit import denial
from homeroom.services.impersonating import refuse_bulk_export
from homeroom.store import twin
from homeroom.store.constraints import Request
from homeroom.store.facts import load_facts


def evaluate(access: Access, check: Check) -> tuple[Decision, Facts]:
    """The decision for `check` in the caller's tenant, and the facts it was made on. No side effects."""
    facts = load_facts(access.session, access.tenant_id, access.profile, check, snapshot=access.snapshot())
    return decide(check, facts), facts


def authorize(  # noqa: PLR0913 - the check's own arguments
    access: Access,
    permission: str,
    target: Ref,
    *,
    to: Ref | None = None,
    from_: Ref | None = None,
    role: str | None = None,
    at: Ref | None = None,
) -> Decision:
    """Allow, or raise NotFound/Forbidden after recording the denied attempt."""
    refuse_bulk_export(access, permission, target)  # whatever the roles say (services/impersonating.py)
    check = Check(access.actor, permission, target, to, from_, role, at)
    decision, facts = evaluate(access, check)
    if decision.allowed:
        return decision
    access.denials.append(denial(access, check, decision))
    for ref in (target, to, from_, at):
        if ref is not None and not can_see(facts, access.actor, ref):
            raise not_found(ref)
    raise Forbidden(
        f"{access.actor} may not {permission} {target}: {decision.reason.message}",
        details={"permission": permission, "target": str(target), "rule": decision.code},
    )


def require_visible(access: Access, ref: Ref) -> None:
    """NotFound unless the actor may know that `ref` exists."""
    check = Check(access.actor, "-", ref)
    facts = load_facts(access.session, access.tenant_id, access.profile, check, snapshot=access.snapshot())
    if not can_see(facts, access.actor, ref):
        raise not_found(ref)


def not_found(ref: Ref) -> NotFound:
    return NotFound(
        f"there is no {ref.type} {ref.id!r}", code=f"{ref.type}_not_found", details={"id": ref.id}
    )


def accessible_page(access: Access, request: Request, *, after: str | None, limit: int) -> twin.Page:
    """One page (in id order, after `after`) of the targets `request` allows: the SQL twin of decide()."""
    refuse_bulk_export(access, request.permission, Ref(request.target_type, "*"))
    return twin.page(
        access.session,
        access.tenant_id,
        access.profile,
        request,
        after=after,
        limit=limit,
        snapshot=access.snapshot(),
    )

"""Authorization as a service, for vendors' own products: check, batch check, explain, list.

A user's session or token may ask only about its own account; the tenant's service token may ask about
any account of the tenant. Batches load each actor's facts once for all of that actor's checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from homeroom.errors import Forbidden, InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.world import REF_TYPES, Check, Ref
from homeroom.services.access import Access
from homeroom.services.authorization import accessible_page
from homeroom.store.constraints import Request
from homeroom.store.facts import load_world
from homeroom.store.twin import Page


def _may_ask_about(access: Access, actor: str) -> None:
    if access.principal.user_id is not None and access.principal.user_id != actor:
        raise Forbidden(
            "an account may ask only about its own permissions; use the tenant's service token for others",
            code="not_your_account",
        )


def check(access: Access, question: Check) -> Decision:
    return check_many(access, [question])[0]


def check_many(access: Access, questions: Sequence[Check]) -> list[Decision]:
    """Decisions in the order asked; each actor's facts are loaded once for all its checks."""
    by_actor: dict[str, list[int]] = defaultdict(list)
    for index, question in enumerate(questions):
        _may_ask_about(access, question.actor)
        by_actor[question.actor].append(index)
    decisions: list[Decision | None] = [None] * len(questions)
    for actor, indexes in by_actor.items():
        asked = [questions[i] for i in indexes]
        refs = [r for q in asked for r in (q.target, q.to, q.from_, q.at) if r is not None]
        roles = [q.role for q in asked if q.role is not None]
        world = load_world(access.session, access.tenant_id, users=[actor], refs=refs, roles=roles)
        facts = Facts(world, access.profile)
        for index, question in zip(indexes, asked, strict=True):
            decisions[index] = decide(question, facts)
    return [d for d in decisions if d is not None]


def list_targets(access: Access, request: Request, *, after: str | None, limit: int) -> Page:
    """The targets of one type the actor may act on with the permission: the SQL twin, one page."""
    _may_ask_about(access, request.actor)
    if request.target_type not in REF_TYPES:
        raise InvalidInput(f"unknown target type {request.target_type!r}", code="invalid_type")
    return accessible_page(access, request, after=after, limit=limit)


def parse_ref(text: str) -> Ref:
    type_, sep, id_ = text.partition(":")
    if not sep or type_ not in REF_TYPES or not id_:
        raise InvalidInput(
            f"{text!r} is not a reference TYPE:ID (types: {', '.join(REF_TYPES)})", code="invalid_ref"
        )
    return Ref(type_, id_)

"""Authorization as a service, for vendors' own products: check, batch check, explain, list.

A user's session or token may ask only about its own account; the tenant's service token may ask about
any account of the tenant. Batches load the facts of up to GROUP checks at once.
"""

from __future__ import annotations

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

GROUP = 10_000  # checks whose facts are loaded together (a batch's at most): bounded memory
_REF_TYPES = frozenset(REF_TYPES)


def _may_ask_about(access: Access, actor: str) -> None:
    if access.principal.user_id is not None and access.principal.user_id != actor:
        raise Forbidden(
            "an account may ask only about its own permissions; use the tenant's service token for others",
            code="not_your_account",
        )


def check(access: Access, question: Check) -> Decision:
    return check_many(access, [question])[0]


def check_many(access: Access, questions: Sequence[Check]) -> list[Decision]:
    """Decisions in the order asked. The facts of a group of checks are loaded together: every user the
    group names with their links, in one query, over the tenant's snapshot (a partial world that holds
    more than one check decides each of them as the whole world would)."""
    for question in questions:
        _may_ask_about(access, question.actor)
    decisions: list[Decision] = []
    for start in range(0, len(questions), GROUP):
        group = questions[start : start + GROUP]
        refs = [r for q in group for r in (q.target, q.to, q.from_, q.at) if r is not None]
        roles = [q.role for q in group if q.role is not None]
        actors = dict.fromkeys(q.actor for q in group)
        world = load_world(
            access.session,
            access.tenant_id,
            users=actors,
            refs=refs,
            roles=roles,
            snapshot=access.snapshot(),
            classes_in_order=False,
        )
        facts = Facts(world, access.profile)
        decisions += [decide(question, facts) for question in group]
    return decisions


def list_targets(access: Access, request: Request, *, after: str | None, limit: int) -> Page:
    """The targets of one type the actor may act on with the permission: the SQL twin, one page."""
    _may_ask_about(access, request.actor)
    if request.target_type not in REF_TYPES:
        raise InvalidInput(f"unknown target type {request.target_type!r}", code="invalid_type")
    return accessible_page(access, request, after=after, limit=limit)


def parse_ref(text: str) -> Ref:
    type_, _, id_ = text.partition(":")
    if not id_ or type_ not in _REF_TYPES:
        raise InvalidInput(
            f"{text!r} is not a reference TYPE:ID (types: {', '.join(REF_TYPES)})", code="invalid_ref"
        )
    return Ref(type_, id_)

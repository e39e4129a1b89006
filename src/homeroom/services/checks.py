"""Authorization as a service, for vendors' own products: check, batch check, explain, list.

A user's session or token may ask only about its own account; the tenant's service token may ask about
any account of the tenant. Batches load the facts of up to GROUP checks at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from homeroom.errors import Forbidden, InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.engine import decide
from homeroom.policy.facts import Facts
from homeroom.policy.world import REF_TYPES, Check, Ref, User
from homeroom.services.access import Access, Principal
from homeroom.services.authorization import accessible_page
from homeroom.services.logins import digest, holder_principal
from homeroom.store.bearers import bearer_and_people
from homeroom.store.constraints import Request
from homeroom.store.facts import load_world
from homeroom.store.twin import Page

if TYPE_CHECKING:
    from homeroom.services.runtime import Homeroom

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


def check_by_token(
    app: Homeroom, secret: str, questions: Sequence[Check], *, request_id: str | None = None
) -> list[Decision]:
    """`check_many` for the holder of the API token `secret`, without a transaction: one statement reads
    the token, its tenant's revision and every user the first group names (store/bearers.py), then the
    same authentication, errors and decisions as through `Homeroom.work`."""
    names = {q.actor for q in questions[:GROUP]}
    names.update(
        r.id for q in questions[:GROUP] for r in (q.target, q.to, q.from_, q.at) if r and r.type == "user"
    )

    def authenticate(session: Session) -> tuple[Principal, dict[str, User | None]]:
        found = bearer_and_people(session, digest(secret), names)
        return holder_principal(found.holder), found.users

    return app.read(
        authenticate, lambda access, users: check_many(access, questions, known=users), request_id=request_id
    )


def check_many(
    access: Access, questions: Sequence[Check], *, known: Mapping[str, User | None] | None = None
) -> list[Decision]:
    """Decisions in the order asked. The facts of a group of checks are loaded together: every user the
    group names with their links, in one query, over the tenant's snapshot (a partial world that holds
    more than one check decides each of them as the whole world would). `known`: users the first group
    names, read already in this unit of work."""
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
            known=known if start == 0 else None,
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

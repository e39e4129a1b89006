"""SQL for SCIM searches: a filter as conditions on the users or classes table, sorted, counted and paged.

The services translate a SCIM filter into the small language below (`Compare`, `Present`, `Every`, `Some`,
`Negated`) over named fields; this module is the only place that turns it into SQL. Every leaf is
null-safe (a missing value makes a comparison false, never NULL), so `Negated` is the exact complement,
as RFC 7644 3.4.2.2 reads `not`. String tests are portable between SQLite and PostgreSQL: `co` is
`replace(x, v, '') <> x`, `sw`/`ew` compare a `substr`, so no LIKE pattern (whose case rules differ
between the two databases) is ever built from a client's value.

A search runs inside the caller's accessible set (a statement of ids from the SQL twin of the policy,
given by the services): the filter only narrows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from homeroom.errors import InvalidInput
from homeroom.policy.world import ACTIVE, NOT_DELETED
from homeroom.store import tables as t

STRING_OPERATORS: Final = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # eq ne co sw ew gt ge lt le
    value: str | bool
    case_exact: bool = True


@dataclass(frozen=True)
class Present:
    field: str


@dataclass(frozen=True)
class Every:
    terms: tuple[Condition, ...]


@dataclass(frozen=True)
class Some:
    terms: tuple[Condition, ...]


@dataclass(frozen=True)
class Negated:
    term: Condition


Condition = Compare | Present | Every | Some | Negated


@dataclass(frozen=True)
class Order:
    field: str
    descending: bool = False
    case_exact: bool = True


@dataclass(frozen=True)
class Query:
    """A filter, an order and a page (offset and size) of a search."""

    condition: Condition | None = None
    order: Order | None = None
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class Found:
    total: int
    ids: list[str]


_u, _c = t.User, t.SchoolClass
# the columns behind each field; empty text means "no value" where a column is not nullable
USER_TEXT: Final = {
    "id": "id",
    "username": "username",
    "source_id": "source_id",
    "given_name": "given_name",
    "family_name": "family_name",
    "email": "email",
    "kind": "kind",
}
CLASS_TEXT: Final = {"id": "id", "name": "name", "source_id": "source_id", "school": "school_id"}


def search_users(session: Session, tenant_id: int, visible: Sequence[Select[Any]], query: Query) -> Found:
    """The users selected by the `visible` statements (disjoint sets of ids, from the SQL twin) that
    match the query: their number, and one page of ids."""
    return _search(session, tenant_id, visible, query, USER_TEXT, _user_condition)


def search_classes(session: Session, tenant_id: int, visible: Sequence[Select[Any]], query: Query) -> Found:
    """The classes selected by the `visible` statements that match the query, as `search_users`."""
    return _search(session, tenant_id, visible, query, CLASS_TEXT, _class_condition)


Build = Callable[[int, FromClause, Condition], ColumnElement[bool]]


def _search(
    session: Session,
    tenant_id: int,
    visible: Sequence[Select[Any]],
    query: Query,
    fields: dict[str, str],
    build: Build,
) -> Found:
    """The filter joins each visible statement's own rows, so the database can start from an indexed
    comparison (`userName eq`, `externalId eq`) and test the policy's conditions on those rows only."""
    parts = []
    for statement in visible:
        rows = statement.selected_columns[0].table
        if query.condition is not None:
            statement = statement.where(build(tenant_id, rows, query.condition))  # noqa: PLW2901
        parts.append(statement.with_only_columns(rows.c.id.label("id"), *_sort(rows, fields, query.order)))
    counted = (select(func.count()).select_from(part.subquery()) for part in parts)
    total = sum(session.scalar(count) or 0 for count in counted)
    if query.limit <= 0 or query.offset >= total:
        return Found(total, [])
    found = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    order: list[Any] = []
    if query.order is not None:  # without an order, id order: the database may stop after the page
        keys = [found.c.missing, found.c.key]
        order = [key.desc() for key in keys] if query.order.descending else keys
    statement = select(found.c.id).order_by(*order, found.c.id).offset(query.offset).limit(query.limit)
    return Found(total, list(session.scalars(statement)))


def _sort(rows: FromClause, fields: dict[str, str], order: Order | None) -> list[Any]:
    """The sort keys `missing` and `key`: unassigned values sort last ascending and first descending
    (RFC 7644 3.4.2.3)."""
    if order is None:
        return []
    column = rows.c[_name(fields, order.field, "sort by")]
    value = column if order.case_exact else func.lower(column)
    return [case((or_(column.is_(None), column == ""), 1), else_=0).label("missing"), value.label("key")]


def _user_condition(tenant_id: int, rows: FromClause, condition: Condition) -> ColumnElement[bool]:
    match condition:
        case Every(terms):
            return and_(true(), *(_user_condition(tenant_id, rows, term) for term in terms))
        case Some(terms):
            return or_(false(), *(_user_condition(tenant_id, rows, term) for term in terms))
        case Negated(term):
            return not_(_user_condition(tenant_id, rows, term))
        case Present("active"):
            return true()
        case Compare("active", op, value):
            return _boolean(rows.c.status == ACTIVE, op, value)
        case Present("class"):
            return _user_in_class(tenant_id, rows, None)
        case Compare("class", "eq", str(value)):
            return _user_in_class(tenant_id, rows, value)
        case Present(name):
            return _present(rows.c[_name(USER_TEXT, name)])
        case Compare(name, op, value, case_exact):
            return _text(rows.c[_name(USER_TEXT, name)], op, value, case_exact=case_exact)
    raise _unsupported(condition)  # pragma: no cover - the match above covers every condition


def _class_condition(tenant_id: int, rows: FromClause, condition: Condition) -> ColumnElement[bool]:
    match condition:
        case Every(terms):
            return and_(true(), *(_class_condition(tenant_id, rows, term) for term in terms))
        case Some(terms):
            return or_(false(), *(_class_condition(tenant_id, rows, term) for term in terms))
        case Negated(term):
            return not_(_class_condition(tenant_id, rows, term))
        case Present("member"):
            return _class_has(tenant_id, rows, None)
        case Compare("member", "eq", str(value)):
            return _class_has(tenant_id, rows, value)
        case Present(name):
            return _present(rows.c[_name(CLASS_TEXT, name)])
        case Compare(name, op, value, case_exact):
            return _text(rows.c[_name(CLASS_TEXT, name)], op, value, case_exact=case_exact)
    raise _unsupported(condition)  # pragma: no cover - the match above covers every condition


def _user_in_class(tenant_id: int, rows: FromClause, class_id: str | None) -> ColumnElement[bool]:
    """The user row teaches or is enrolled in a live class (`class_id`, or any)."""
    return or_(
        *(
            exists(
                select(link.class_id)
                .join(_c, and_(_c.tenant_id == link.tenant_id, _c.id == link.class_id))
                .where(link.tenant_id == tenant_id, link.user_id == rows.c.id, _c.deleted == NOT_DELETED)
                .where(true() if class_id is None else link.class_id == class_id)
            )
            for link in (t.Teaching, t.Enrollment)
        )
    )


def _class_has(tenant_id: int, rows: FromClause, user_id: str | None) -> ColumnElement[bool]:
    """The class row has a live teacher or student (`user_id`, or any)."""
    return or_(
        *(
            exists(
                select(link.user_id)
                .join(_u, and_(_u.tenant_id == link.tenant_id, _u.id == link.user_id))
                .where(link.tenant_id == tenant_id, link.class_id == rows.c.id, _u.deleted == NOT_DELETED)
                .where(true() if user_id is None else link.user_id == user_id)
            )
            for link in (t.Teaching, t.Enrollment)
        )
    )


def _boolean(column: ColumnElement[bool], op: str, value: str | bool) -> ColumnElement[bool]:
    if not isinstance(value, bool) or op not in ("eq", "ne"):
        raise InvalidInput(f"a boolean compares with eq or ne to true or false, not {op} {value!r}",
                           code="scim_invalid_filter")  # fmt: skip
    return column if (op == "eq") == value else not_(column)


def _present(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), column != "")


def _text(column: Any, op: str, value: str | bool, *, case_exact: bool) -> ColumnElement[bool]:
    if not isinstance(value, str) or op not in STRING_OPERATORS:
        raise InvalidInput(
            f"{column.name} compares with a string, not {value!r}",
            code="scim_invalid_filter",
            details={"op": op},
        )
    left: ColumnElement[str] = column if case_exact else func.lower(column)
    right: ColumnElement[str] = literal(value) if case_exact else func.lower(literal(value))
    if op == "ne":
        return or_(column.is_(None), left != right)
    return and_(column.is_not(None), _compare(left, op, right, len(value)))


def _compare(left: ColumnElement[str], op: str, right: ColumnElement[str], size: int) -> ColumnElement[bool]:
    match op:
        case "eq":
            return left == right
        case "co":
            return true() if size == 0 else func.replace(left, right, "") != left
        case "sw":
            return func.substr(left, 1, size) == right
        case "ew":
            return and_(func.length(left) >= size, func.substr(left, func.length(left) - size + 1) == right)
        case "gt":
            return left > right
        case "ge":
            return left >= right
        case "lt":
            return left < right
    return left <= right  # le


def _name(fields: dict[str, str], name: str, doing: str = "filter on") -> str:
    column = fields.get(name)
    if column is None:
        raise InvalidInput(f"cannot {doing} {name!r}", code="scim_invalid_filter")
    return column


def _unsupported(condition: Condition) -> InvalidInput:
    return InvalidInput(f"cannot filter with {condition!r}", code="scim_invalid_filter")


# -- what a SCIM representation shows beyond the policy's facts ----------------------------------------


@dataclass(frozen=True)
class ClassLink:
    class_id: str
    name: str


def classes_of(
    session: Session, tenant_id: int, user_ids: Collection[str], visible: Select[Any]
) -> dict[str, list[ClassLink]]:
    """For each user, the live classes of `visible` they teach or are enrolled in, in class id order.
    The users' own classes drive the query; `visible` is only asked about those."""
    found: dict[str, list[ClassLink]] = defaultdict(list)
    if not user_ids:
        return found
    linked = union_all(
        *(
            select(link.user_id, link.class_id).where(link.tenant_id == tenant_id, link.user_id.in_(user_ids))
            for link in (t.Teaching, t.Enrollment)
        )
    ).subquery()
    rows = visible.selected_columns[0].table
    shown = visible.where(rows.c.id.in_(select(linked.c.class_id)))
    statement = (
        select(linked.c.user_id, _c.id, _c.name)
        .join(_c, and_(_c.tenant_id == tenant_id, _c.id == linked.c.class_id))
        .where(_c.deleted == NOT_DELETED, _c.id.in_(shown))
        .order_by(_c.id)
    )
    for user_id, class_id, name in session.execute(statement):
        found[user_id].append(ClassLink(class_id, name))
    return found


def users_by_id(session: Session, tenant_id: int, user_ids: Sequence[str]) -> dict[str, t.User]:
    if not user_ids:
        return {}
    rows = session.scalars(select(_u).where(_u.tenant_id == tenant_id, _u.id.in_(user_ids)))
    return {row.id: row for row in rows}


def kinds_of(session: Session, tenant_id: int, user_ids: Collection[str]) -> dict[str, str]:
    """The kind of each live user among `user_ids` (missing and deleted ones are left out)."""
    if not user_ids:
        return {}
    statement = select(_u.id, _u.kind).where(
        _u.tenant_id == tenant_id, _u.id.in_(user_ids), _u.deleted == NOT_DELETED
    )
    return {row[0]: row[1] for row in session.execute(statement)}

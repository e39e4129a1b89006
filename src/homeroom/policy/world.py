"""The objects decisions are made about: organizations, classes, accounts and the rest (model.md 2-4).

These are plain, immutable values. A `World` holds them by id; `Facts` (facts.py) indexes a world for
fast decisions. A world may be complete (a scenario file, a benchmark) or partial (the few objects the
store loads for one decision): the engine never needs more than the objects a check names, their anchors
and the chain of parents above them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NamedTuple

NOT_DELETED: Final = "none"
SOFT_DELETED: Final = "soft"
PURGED: Final = "purged"

INVITED: Final = "invited"
ACTIVE: Final = "active"
INACTIVE: Final = "inactive"

STAFF: Final = "staff"
STUDENT: Final = "student"

ORG_KINDS: Final = ("customer", "district", "school", "school_group", "organization")
ORG_LEVELS: Final[Mapping[str, int]] = MappingProxyType(
    {"customer": 4, "district": 3, "school": 2, "school_group": 0, "organization": 0}
)
ALLOWED_PARENTS: Final[Mapping[str, frozenset[str | None]]] = MappingProxyType(
    {
        "customer": frozenset({None}),
        "district": frozenset({"customer", None}),
        "school": frozenset({"district", None}),
        "school_group": frozenset({"district", "customer"}),
        "organization": frozenset({"organization", None}),
    }
)
THING_TYPES: Final = (
    "assessment",
    "question",
    "test",
    "media",
    "category",
    "workflow",
    "article",
    "product",
    "sale",
    "partner",
    "key",
    "notification",
)
REF_TYPES: Final = ("org", "class", "user", "role", *THING_TYPES)
_EMPTY: Final[Mapping[str, object]] = MappingProxyType({})


class Ref(NamedTuple):
    """A reference to an object of the world: `TYPE:ID`.

    A named tuple, not a frozen dataclass: references are dictionary keys on every check (anchors are
    cached per reference), and a tuple hashes in C where a dataclass runs a Python `__hash__`.
    """

    type: str
    id: str

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass(frozen=True, slots=True)
class Org:
    id: str
    kind: str
    parent: str | None = None
    schools: tuple[str, ...] = ()
    deleted: str = NOT_DELETED


@dataclass(frozen=True, slots=True)
class SchoolClass:
    id: str
    school: str
    status: str = ACTIVE
    created_by: str | None = None
    deleted: str = NOT_DELETED


class Assignment(NamedTuple):
    """A role held at an org: `ROLE@ORG`. The org is the assignment's scope root.

    Assignments, users and checks are named tuples, not frozen dataclasses: immutable all the same, and
    the store builds thousands of them per batch check, where a frozen dataclass costs three times as
    much to build (docs/benchmarks.md, "HTTP")."""

    role: str
    org: str

    @property
    def label(self) -> str:
        return f"{self.role}@{self.org}"

    def __str__(self) -> str:
        return f"{self.role}@{self.org}"


class User(NamedTuple):
    id: str
    kind: str
    status: str = ACTIVE
    deleted: str = NOT_DELETED
    orgs: tuple[str, ...] = ()
    roles: tuple[Assignment, ...] = ()
    teaches: tuple[str, ...] = ()
    enrolled_in: tuple[str, ...] = ()
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class Thing:
    """Any other object: an assessment, a notification, or assessment-platform content with an org."""

    id: str
    type: str
    org: str | None = None
    created_by: str | None = None
    deleted: str = NOT_DELETED
    kind: str | None = None
    number: int | None = None
    student: str | None = None
    published: bool = False
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class CustomRole:
    """A role defined by a tenant: (permission, scope) grants, held at `org` or below.

    `rank` places the role in an ordinal profile's rank order (a product extension); subset
    profiles compare permission sets instead and ignore it.
    """

    id: str
    org: str
    grants: tuple[tuple[str, str], ...]
    rank: int | None = None
    created_by: str | None = None
    deleted: str = NOT_DELETED


@dataclass(frozen=True, slots=True)
class World:
    """Everything a decision may look at, keyed by id. Settings map org -> key -> value."""

    orgs: Mapping[str, Org] = field(default_factory=dict)
    classes: Mapping[str, SchoolClass] = field(default_factory=dict)
    users: Mapping[str, User] = field(default_factory=dict)
    things: Mapping[str, Thing] = field(default_factory=dict)
    custom_roles: Mapping[str, CustomRole] = field(default_factory=dict)
    settings: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    locks: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def settings_at(self, org: str) -> Mapping[str, object]:
        return self.settings.get(org, _EMPTY)

    def entity(self, ref: Ref) -> Org | SchoolClass | User | Thing | CustomRole | None:
        """The object `ref` names, or None when there is no object of that type and id."""
        if ref.type == "org":
            return self.orgs.get(ref.id)
        if ref.type == "class":
            return self.classes.get(ref.id)
        if ref.type == "user":
            return self.users.get(ref.id)
        if ref.type == "role":
            return self.custom_roles.get(ref.id)
        thing = self.things.get(ref.id)
        return thing if thing is not None and thing.type == ref.type else None


class Check(NamedTuple):
    """One question: may `actor` do `permission` to `target` (with the secondary arguments)?"""

    actor: str
    permission: str
    target: Ref
    to: Ref | None = None
    from_: Ref | None = None
    role: str | None = None
    at: Ref | None = None

    def __str__(self) -> str:
        extra = "".join(
            f" {name}={value}"
            for name, value in (("to", self.to), ("from", self.from_), ("role", self.role), ("at", self.at))
            if value is not None
        )
        return f"{self.actor} {self.permission} {self.target}{extra}"

"""The rows a roster import stages, a chunk at a time, column by column as the parser reads them.

At size L each of users.csv, roles.csv and enrollments.csv has a million rows or more: a row object kept
alive for its whole chunk would each be found and promoted by Python's cyclic collector, whose full passes
then cost seconds. So a chunk arrives as columns (`UserRows`, `MembershipRows`, `LinkRows`), and the
services make a row only where one is needed, and drop it at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class UserRows:
    keys: Sequence[str]
    kinds: Sequence[str | None]  # None (OneRoster 1.2): decided by the user's roles
    usernames: Sequence[str]
    given_names: Sequence[str]
    family_names: Sequence[str]
    emails: Sequence[str | None]
    enabled: Sequence[bool | None]
    removed: Sequence[bool]
    lines: Sequence[int]


class Membership(NamedTuple):
    """A user's OneRoster role at an org (1.1: `role` at each of `orgSourcedIds`; 1.2: a roles.csv row)."""

    user_key: str
    org_key: str
    role: str
    primary: bool
    removed: bool
    line: int
    file: str


@dataclass(frozen=True)
class MembershipRows:
    user_keys: Sequence[str]
    org_keys: Sequence[str]
    roles: Sequence[str]
    primary: Sequence[bool]
    removed: Sequence[bool]
    lines: Sequence[int]
    file: str

    def __iter__(self) -> Iterator[Membership]:
        for user, org, role, primary, removed, line in zip(
            self.user_keys, self.org_keys, self.roles, self.primary, self.removed, self.lines, strict=True
        ):
            yield Membership(user, org, role, primary, removed, line, self.file)


class PackageLink(NamedTuple):
    class_key: str
    user_key: str
    role: str
    removed: bool
    line: int


@dataclass(frozen=True)
class LinkRows:
    class_keys: Sequence[str]
    user_keys: Sequence[str]
    roles: Sequence[str]
    removed: Sequence[bool]
    lines: Sequence[int]

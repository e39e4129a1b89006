"""Start and login cards: what a student needs to sign in, for one student or for a class.

A card shows the student's name, username, school, class, the site (tenant) and a sign-in secret. The
secret is the caller's explicit choice:

* `code` (the default): a one-time sign-in code (signin_codes.py); it replaces the student's earlier
  unused codes, and only its SHA-256 is stored;
* `password`: a freshly set password. Setting a password is an edit of the student, so every student on
  the sheet must also pass `student.edit` (`user.edit`) for the actor, checked through `authorize`.

`class.print_cards` covers the students enrolled in the class: the class permission is the product's
answer to "may this person print cards for this group" (profile-literacy #20, profile-math #34), so the
students are not checked one by one for `student.print_card`. A selection (`students`) may only name
live, active students enrolled in the class.

Each sheet writes a disclosure record and one audit entry naming the students and the kind of secret,
never the secret. Everything happens in the caller's unit of work: a failure anywhere issues no code and
changes no password.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from homeroom.errors import InvalidInput
from homeroom.policy.world import ACTIVE, Ref
from homeroom.services import audit, disclosures, signin_codes
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.services.passwords import check_password, hash_password
from homeroom.store import tables as t
from homeroom.store.student_records import StudentRecord, class_sheet, student_records
from homeroom.store.versions import update_versioned

SecretKind = Literal["code", "password"]
PASSWORD_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a password
PASSWORD_LENGTH: Final = 10
CARD_TITLES: Final = {"literacy": "Login card"}  # the math products call them start cards
DEFAULT_TITLE: Final = "Start card"
DEFAULT_PURPOSE: Final = "sign-in cards for students"


@dataclass(frozen=True)
class CardOptions:
    kind: SecretKind = "code"
    valid_days: int = signin_codes.DEFAULT_DAYS  # codes only
    purpose: str = DEFAULT_PURPOSE


@dataclass(frozen=True)
class Card:
    student_id: str
    name: str
    username: str
    school: str
    class_name: str
    secret_kind: SecretKind
    secret: str  # shown once, on the card
    expires_at: datetime | None  # codes expire; passwords do not


@dataclass(frozen=True)
class CardSheet:
    title: str
    site: str  # the tenant a student signs in to
    cards: tuple[Card, ...]


def print_student_card(access: Access, user_id: str, options: CardOptions) -> CardSheet:
    """One student's card (`student.print_card`, plus `student.edit` for a new password)."""
    target = Ref("user", user_id)
    decision = authorize(access, "student.print_card", target)
    _authorize_passwords(access, [user_id], options)
    records = _printable(access, [user_id])
    cards = _issue(access, records, options, class_name=None)
    disclosure = disclosures.disclose(
        access, [user_id], options.purpose, action="student.print_card", target=target
    )
    details: dict[str, object] = {"students": [user_id], "secret": options.kind, "disclosure": disclosure}
    audit.record(access, "student.print_card", target, decision=decision, details=details)
    return _sheet(access, cards)


def print_class_cards(
    access: Access, class_id: str, options: CardOptions, *, students: Sequence[str] | None = None
) -> CardSheet:
    """Cards for the active students of a class, or for a selection of them (`class.print_cards`)."""
    target = Ref("class", class_id)
    decision = authorize(access, "class.print_cards", target)
    sheet = class_sheet(access.session, access.tenant_id, class_id)
    enrolled = student_records(access.session, access.tenant_id, sheet.student_ids)
    active = {r.id: r for r in enrolled if r.status == ACTIVE}
    chosen = list(dict.fromkeys(students)) if students is not None else list(active)
    strangers = [s for s in chosen if s not in active]
    if strangers:
        raise InvalidInput(
            f"not an active student of class {class_id!r}: {', '.join(map(repr, strangers))}",
            code="not_in_class",
            details={"students": strangers, "class": class_id},
        )
    if not chosen:
        raise InvalidInput(
            f"class {class_id!r} has no active students to print cards for", code="empty_class"
        )
    _authorize_passwords(access, chosen, options)
    records = [active[s] for s in chosen]
    _require_usernames(records)
    cards = _issue(access, records, options, class_name=sheet.name)
    disclosure = disclosures.disclose(
        access, chosen, options.purpose, action="class.print_cards", target=target
    )
    details: dict[str, object] = {"students": chosen, "secret": options.kind, "disclosure": disclosure}
    audit.record(access, "class.print_cards", target, decision=decision, details=details)
    return _sheet(access, cards)


def _authorize_passwords(access: Access, user_ids: Sequence[str], options: CardOptions) -> None:
    """A new password is an edit of each student: authorize (and audit) it for every one of them."""
    if options.kind != "password":
        return
    permission = "student.edit" if "student.edit" in access.profile.permissions else "user.edit"
    for user_id in user_ids:
        target = Ref("user", user_id)
        decision = authorize(access, permission, target)
        audit.record(access, permission, target, decision=decision, details={"changed": ["password"]})


def _printable(access: Access, user_ids: Sequence[str]) -> list[StudentRecord]:
    records = student_records(access.session, access.tenant_id, user_ids)
    inactive = [r.id for r in records if r.status != ACTIVE]
    if inactive:
        raise InvalidInput(
            f"student {inactive[0]!r} is not active: a card would not let them sign in",
            code="student_inactive",
            details={"students": inactive},
        )
    _require_usernames(records)
    return records


def _require_usernames(records: Sequence[StudentRecord]) -> None:
    missing = [r.id for r in records if not r.username]
    if missing:
        raise InvalidInput(
            f"students without a username cannot sign in: give {', '.join(map(repr, missing))} one first",
            code="no_username",
            details={"students": missing},
        )


def _issue(
    access: Access, records: Sequence[StudentRecord], options: CardOptions, *, class_name: str | None
) -> tuple[Card, ...]:
    ids = [r.id for r in records]
    if options.kind == "password":
        given = {i: _set_password(access, i) for i in ids}
        secrets_of: dict[str, tuple[str, datetime | None]] = {i: (p, None) for i, p in given.items()}
    else:
        issued = signin_codes.issue_codes(access, ids, days=options.valid_days)
        secrets_of = {i: (c.code, c.expires_at) for i, c in issued.items()}
    return tuple(
        Card(
            r.id,
            r.name,
            r.username or "",
            "; ".join(s.name for s in r.schools),
            class_name if class_name is not None else "; ".join(c.name for c in r.classes),
            options.kind,
            *secrets_of[r.id],
        )
        for r in records
    )


def _set_password(access: Access, user_id: str) -> str:
    password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
    check_password(password, "student")
    values = {"password_hash": hash_password(access.app.passwords, password)}
    update_versioned(access.session, t.User, access.tenant_id, user_id, expected=None, values=values)
    return password


def _sheet(access: Access, cards: tuple[Card, ...]) -> CardSheet:
    return CardSheet(CARD_TITLES.get(access.profile.id, DEFAULT_TITLE), access.tenant_name, cards)

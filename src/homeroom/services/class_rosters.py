"""Printed class rosters (`class.print_roster`): the class, its school, its teachers, and its live students
with their usernames. A roster discloses student records, so it writes a disclosure record and an audit
entry naming the students."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeroom.policy.world import Ref
from homeroom.services import audit, disclosures
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.store.student_records import Person, StudentRecord, class_sheet, student_records

DEFAULT_PURPOSE: Final = "class roster"


@dataclass(frozen=True)
class ClassRoster:
    class_id: str
    class_name: str
    school: str
    teachers: tuple[Person, ...]
    students: tuple[StudentRecord, ...]  # in id order
    site: str
    printed_at: datetime


def print_roster(access: Access, class_id: str, *, purpose: str = DEFAULT_PURPOSE) -> ClassRoster:
    """The roster of a class the caller may print it for."""
    target = Ref("class", class_id)
    decision = authorize(access, "class.print_roster", target)
    sheet = class_sheet(access.session, access.tenant_id, class_id)
    students = student_records(access.session, access.tenant_id, sheet.student_ids)
    ids = [s.id for s in students]
    disclosure = disclosures.disclose(access, ids, purpose, action="class.print_roster", target=target)
    audit.record(
        access,
        "class.print_roster",
        target,
        decision=decision,
        details={"students": ids, "disclosure": disclosure},
    )
    return ClassRoster(
        class_id,
        sheet.name,
        sheet.school.name,
        sheet.teachers,
        tuple(students),
        access.tenant_name,
        access.now,
    )

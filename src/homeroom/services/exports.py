"""Student data exports (`report.export_student_data` on an org, a class or one student).

The export holds exactly the students within the target whom the actor may view (`student.view`) and may
export (`report.export_student_data` on the student): the SQL twin of both decisions, narrowed to the
target, paged in id order. Each page of records goes to the caller's `sink` (the CSV writer) and is added
to the export's disclosure record, so memory holds one page whatever the export's size, and the
disclosure names every student whose record went out. A stated purpose is required. The export is audited
once, with its purpose, its size and its disclosure id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from homeroom.errors import InvalidInput
from homeroom.policy.world import Ref
from homeroom.services import audit, disclosures
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.store.student_records import StudentRecord, exportable_students, ids_after, student_records

EXPORT: Final = "report.export_student_data"
TARGET_TYPES: Final = ("org", "class", "user")
PAGE_SIZE: Final = 500

Sink = Callable[[Sequence[StudentRecord]], None]


@dataclass(frozen=True)
class ExportSummary:
    disclosure: str
    students: int


def export_students(
    access: Access, target: Ref, purpose: str, *, sink: Sink, page_size: int = PAGE_SIZE
) -> ExportSummary:
    """Send the records of the exportable students within `target` to `sink`, page by page."""
    if target.type not in TARGET_TYPES:
        raise InvalidInput(
            f"export from an org, a class or a student, not a {target.type}",
            code="invalid_target",
            details={"target": str(target)},
        )
    purpose = disclosures.check_purpose(purpose)
    decision = authorize(access, EXPORT, target)
    view = "student.view" if "student.view" in access.profile.permissions else "user.view"
    statement = exportable_students(
        access.session,
        access.tenant_id,
        access.profile,
        actor=access.actor,
        permissions=(view, EXPORT),
        within=target,
    )
    disclosure = disclosures.begin(access, EXPORT, purpose, target)
    count, after = 0, None
    while True:
        ids = ids_after(access.session, statement, after=after, limit=page_size)
        if ids:
            records = student_records(access.session, access.tenant_id, ids)
            sink(records)
            disclosures.include(access, disclosure, [r.id for r in records])
            count += len(records)
            after = ids[-1]
        if len(ids) < page_size:
            break
    details = {"purpose": purpose, "students": count, "disclosure": disclosure}
    audit.record(access, EXPORT, target, decision=decision, details=details)
    return ExportSummary(disclosure, count)

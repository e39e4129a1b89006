"""What a student is given: products (`student.assign_product`) and a pathway (`student.enroll_pathway`).

Values come from the profile's catalogs (services/offerings.py); an unknown value is invalid input,
checked after authorization. Assigning a product twice, or removing one the student does not have,
changes nothing and is still recorded, so the audit log shows every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.services.offerings import offering, require_offered
from homeroom.store import student_offerings as store

ASSIGN_PRODUCT: Final = "student.assign_product"
ENROLL_PATHWAY: Final = "student.enroll_pathway"
STUDENT_VIEW: Final = "student.view"  # explicit or implied by student.edit in every profile with products


@dataclass(frozen=True)
class AssignedProduct:
    id: str
    name: str
    assigned_by: str | None
    assigned_at: datetime


@dataclass(frozen=True)
class StudentOfferings:
    student: str
    products: list[AssignedProduct]
    pathway: str | None


def assign_product(access: Access, user_id: str, product: str) -> StudentOfferings:
    """Give the student `product` (one of the profile's products)."""
    target = Ref("user", user_id)
    decision = authorize(access, ASSIGN_PRODUCT, target)
    require_offered(offering(access.profile.id).products, product, what="product", profile=access.profile.id)
    added = store.add_product(
        access.session, access.tenant_id, user_id, product, by=access.actor, at=access.now
    )
    details: dict[str, object] = {"product": product, "assigned": True, "changed": added}
    audit.record(access, ASSIGN_PRODUCT, target, decision=decision, details=details)
    return read_offerings(access, user_id)


def unassign_product(access: Access, user_id: str, product: str) -> StudentOfferings:
    """Take `product` away from the student."""
    target = Ref("user", user_id)
    decision = authorize(access, ASSIGN_PRODUCT, target)
    require_offered(offering(access.profile.id).products, product, what="product", profile=access.profile.id)
    removed = store.remove_product(access.session, access.tenant_id, user_id, product)
    details: dict[str, object] = {"product": product, "assigned": False, "changed": removed}
    audit.record(access, ASSIGN_PRODUCT, target, decision=decision, details=details)
    return read_offerings(access, user_id)


def enroll_pathway(access: Access, user_id: str, pathway: str) -> StudentOfferings:
    """Enroll the student in `pathway`, replacing the one they were in."""
    target = Ref("user", user_id)
    decision = authorize(access, ENROLL_PATHWAY, target)
    require_offered(offering(access.profile.id).pathways, pathway, what="pathway", profile=access.profile.id)
    previous = store.set_pathway(
        access.session, access.tenant_id, user_id, pathway, by=access.actor, at=access.now
    )
    details: dict[str, object] = {"pathway": pathway, "previous": previous}
    audit.record(access, ENROLL_PATHWAY, target, decision=decision, details=details)
    return read_offerings(access, user_id)


def get_offerings(access: Access, user_id: str) -> StudentOfferings:
    """The student's products and pathway, for whoever may view the student (a read that is audited)."""
    target = Ref("user", user_id)
    decision = authorize(access, STUDENT_VIEW, target)
    audit.record(access, STUDENT_VIEW, target, decision=decision, details={"read": "products"})
    return read_offerings(access, user_id)


def read_offerings(access: Access, user_id: str) -> StudentOfferings:
    names = offering(access.profile.id).products
    products = [
        AssignedProduct(row.product, names.get(row.product, row.product), row.assigned_by, row.assigned_at)
        for row in store.products_of(access.session, access.tenant_id, user_id)
    ]
    pathway = store.pathway_of(access.session, access.tenant_id, user_id)
    return StudentOfferings(user_id, products, pathway.pathway if pathway is not None else None)

"""A student's products and pathway (math, math-prek2, literacy)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from homeroom.api.deps import CallerDep
from homeroom.api.routes.common import ERRORS, Id, Input, PathId, UtcDatetime, checks
from homeroom.services import products
from homeroom.services.products import StudentOfferings

router = APIRouter(prefix="/users", tags=["products"], responses=ERRORS)


class ProductOut(BaseModel):
    id: str
    name: str
    assigned_by: str | None
    assigned_at: UtcDatetime


class OfferingsOut(BaseModel):
    student: str
    products: list[ProductOut]
    pathway: str | None

    @classmethod
    def of(cls, view: StudentOfferings) -> OfferingsOut:
        return cls(
            student=view.student,
            products=[ProductOut(**vars(p)) for p in view.products],
            pathway=view.pathway,
        )


class PathwayIn(Input):
    pathway: Id = Field(description="a pathway of the product's catalog (docs/operations.md)")


@router.get("/{user_id}/products", openapi_extra=checks("student.view"))
def get_products(user_id: PathId, caller: CallerDep) -> OfferingsOut:
    """The student's products and pathway."""
    return OfferingsOut.of(caller.run(lambda a: products.get_offerings(a, user_id)))


@router.put("/{user_id}/products/{product}", openapi_extra=checks("student.assign_product"))
def assign_product(user_id: PathId, product: PathId, caller: CallerDep) -> OfferingsOut:
    """Assign a product (idempotent: assigning it again changes nothing)."""
    return OfferingsOut.of(caller.run(lambda a: products.assign_product(a, user_id, product)))


@router.delete("/{user_id}/products/{product}", openapi_extra=checks("student.assign_product"))
def unassign_product(user_id: PathId, product: PathId, caller: CallerDep) -> OfferingsOut:
    """Unassign a product (idempotent)."""
    return OfferingsOut.of(caller.run(lambda a: products.unassign_product(a, user_id, product)))


@router.put("/{user_id}/pathway", openapi_extra=checks("student.enroll_pathway"))
def enroll_pathway(user_id: PathId, body: PathwayIn, caller: CallerDep) -> OfferingsOut:
    """Enroll the student in a pathway, replacing the one they were in."""
    return OfferingsOut.of(caller.run(lambda a: products.enroll_pathway(a, user_id, body.pathway)))

"""The operations routers: export credits, products and pathways, class settings, parent portal,
assessments."""

from __future__ import annotations

from fastapi import APIRouter

from homeroom.api.routes import assessments, class_settings, export_credits, parent_portal, student_offerings

OPERATIONS: list[APIRouter] = [
    export_credits.router,
    student_offerings.router,
    class_settings.router,
    parent_portal.router,
    assessments.router,
]

"""The assessment platform's reports: billing, orders and usage of one org, as rows for a CSV.

* `report.access` on the org lists the reports and which of them the caller may export.
* `report.export_billing`: the org's approved sales (amount and currency read from the sale's body).
* `report.export_orders`: the org's live sales (open or approved) and generated access keys.
* `report.export_usage`: every launch of a test placed at the org.

Each export is audited with its row count; none runs while impersonating a partner (it is a bulk export).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeroom.errors import NotFound
from homeroom.policy.world import Check, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, evaluate
from homeroom.store import content as store

ACCESS: Final = "report.access"
REPORTS: Final = {
    "billing": "report.export_billing",
    "orders": "report.export_orders",
    "usage": "report.export_usage",
}
COLUMNS: Final = {
    "billing": (
        "sale",
        "name",
        "amount",
        "currency",
        "created_by",
        "created_at",
        "approved_by",
        "approved_at",
    ),
    "orders": ("kind", "id", "name", "status", "created_by", "created_at"),
    "usage": ("launch", "test", "test_name", "user", "impersonator", "at"),
}


@dataclass(frozen=True)
class ReportEntry:
    report: str
    permission: str
    allowed: bool


def list_reports(access: Access, org: str) -> list[ReportEntry]:
    """The reports of the org (`report.access`) and whether the caller may export each."""
    target = Ref("org", org)
    authorize(access, ACCESS, target)
    return [
        ReportEntry(name, permission, evaluate(access, Check(access.actor, permission, target))[0].allowed)
        for name, permission in REPORTS.items()
    ]


@dataclass(frozen=True)
class Report:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


def export_report(access: Access, org: str, name: str) -> Report:
    """One report of the org, with the permission it names (`report.export_*`)."""
    permission = REPORTS.get(name)
    if permission is None:
        raise NotFound(f"there is no report {name!r}", code="report_not_found", details={"report": name})
    target = Ref("org", org)
    decision = authorize(access, permission, target)
    rows = {"billing": _billing, "orders": _orders, "usage": _usage}[name](access, org)
    audit.record(access, permission, target, decision=decision, details={"report": name, "rows": len(rows)})
    return Report(name, COLUMNS[name], rows)


def _text(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def _billing(access: Access, org: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for sale in store.objects_at(access.session, access.tenant_id, org, ["sale"], status="approved"):
        body = json.loads(sale.body or "{}")
        rows.append(
            (
                sale.id,
                sale.name,
                str(body.get("amount", "")),
                str(body.get("currency", "")),
                sale.created_by or "",
                _text(sale.created_at),
                sale.updated_by or "",
                _text(sale.updated_at),
            )
        )
    return rows


def _orders(access: Access, org: str) -> list[tuple[str, ...]]:
    found = store.objects_at(access.session, access.tenant_id, org, ["sale", "key"])
    return [
        (x.type, x.id, x.name, x.status or ("open" if x.type == "sale" else "active"), x.created_by or "",
         _text(x.created_at))
        for x in found
    ]  # fmt: skip


def _usage(access: Access, org: str) -> list[tuple[str, ...]]:
    return [
        (launch.id, launch.test_id, name, launch.user_id, launch.impersonator_id or "", _text(launch.at))
        for launch, name in store.launches_at(access.session, access.tenant_id, org)
    ]

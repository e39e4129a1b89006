"""The assessment platform's actions: publish, launch, export and import tests; disable products; approve
sales; read notifications; generate access keys; impersonate partners."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field, StringConstraints

from homeroom.api.deps import CSRF_COOKIE, IMPERSONATION_COOKIE, CallerDep, homeroom_of
from homeroom.api.routes import content, roles
from homeroom.api.routes.assessments import OptionalVersionDep
from homeroom.api.routes.common import ERRORS, Id, Input, PathId, UtcDatetime, checks
from homeroom.api.routes.content import Body, ContentOut, tagged
from homeroom.documents.exports import escape_cell
from homeroom.services import content_actions, impersonation, keys, platform_reports
from homeroom.services.content_actions import QuestionDocument, TestDocument
from homeroom.services.impersonation import Impersonation

router = APIRouter(tags=["content"], responses=ERRORS)
ReportName = Annotated[Literal["billing", "orders", "usage"], Path(description="which report")]


class PublishIn(Input):
    published: bool = Field(default=True, description="false withdraws the test")


@router.post("/tests/{test_id}/publish", openapi_extra=checks("test.publish"))
def publish_test(
    test_id: PathId, body: PublishIn, version: OptionalVersionDep, caller: CallerDep, response: Response
) -> ContentOut:
    """Publish a test (students and teachers may then launch it), or withdraw it."""
    view = caller.run(
        lambda a: content_actions.publish_test(a, test_id, published=body.published, expected=version)
    )
    return tagged(view, response)


class LaunchOut(BaseModel):
    id: str
    test: ContentOut
    questions: list[ContentOut]
    at: UtcDatetime


@router.post(
    "/tests/{test_id}/launch", status_code=status.HTTP_201_CREATED, openapi_extra=checks("test.launch")
)
def launch_test(test_id: PathId, caller: CallerDep) -> LaunchOut:
    """Launch (take) a published test: the launch is recorded, the test comes with its live questions."""
    launch = caller.run(lambda a: content_actions.launch_test(a, test_id), console=False)
    return LaunchOut(
        id=launch.id,
        test=ContentOut.of(launch.test),
        questions=[ContentOut.of(q) for q in launch.questions],
        at=launch.at,
    )


DocumentName = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]


class QuestionDocumentModel(Input):
    name: DocumentName = ""
    kind: Literal["standard", "simulation"] = "standard"
    body: Body = Field(default_factory=dict)


class TestDocumentModel(Input):
    format: Literal["homeroom.test/1"] = "homeroom.test/1"
    name: DocumentName = ""
    body: Body = Field(default_factory=dict)
    questions: list[QuestionDocumentModel] = Field(default_factory=list, max_length=500)

    @classmethod
    def of(cls, document: TestDocument) -> TestDocumentModel:
        return cls(
            name=document.name,
            body=dict(document.body),
            questions=[
                QuestionDocumentModel(name=q.name, kind=q.kind, body=dict(q.body)) for q in document.questions
            ],
        )

    def value(self) -> TestDocument:
        questions = [QuestionDocument(q.name, q.kind, q.body) for q in self.questions]
        return TestDocument(self.name, self.body, questions, self.format)


@router.get("/tests/{test_id}/export", openapi_extra=checks("test.export", "question.view"))
def export_test(test_id: PathId, caller: CallerDep) -> TestDocumentModel:
    """The test and its live questions as one document (never while impersonating a partner)."""
    return TestDocumentModel.of(caller.run(lambda a: content_actions.export_test(a, test_id)))


class ImportIn(Input):
    org: Id
    document: TestDocumentModel


@router.post(
    "/tests/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=checks("test.import", "question.create", "question.create_simulation"),
)
def import_test(body: ImportIn, caller: CallerDep, response: Response) -> ContentOut:
    """A new, unpublished test at `org` from an exported document, with copies of its questions."""
    view = caller.run(lambda a: content_actions.import_test(a, body.org, body.document.value()))
    response.headers["Location"] = f"/api/v1/tests/{view.id}"
    return tagged(view, response)


@router.post("/products/{product_id}/disable", openapi_extra=checks("product.disable"))
def disable_product(
    product_id: PathId, version: OptionalVersionDep, caller: CallerDep, response: Response
) -> ContentOut:
    view = caller.run(
        lambda a: content_actions.set_product_enabled(a, product_id, enabled=False, expected=version)
    )
    return tagged(view, response)


@router.post("/products/{product_id}/enable", openapi_extra=checks("product.disable"))
def enable_product(
    product_id: PathId, version: OptionalVersionDep, caller: CallerDep, response: Response
) -> ContentOut:
    view = caller.run(
        lambda a: content_actions.set_product_enabled(a, product_id, enabled=True, expected=version)
    )
    return tagged(view, response)


@router.post("/sales/{sale_id}/approve", openapi_extra=checks("sale.approve"))
def approve_sale(
    sale_id: PathId, version: OptionalVersionDep, caller: CallerDep, response: Response
) -> ContentOut:
    """Approve a sale; an approved sale no longer changes."""
    return tagged(caller.run(lambda a: content_actions.approve_sale(a, sale_id, expected=version)), response)


@router.post("/notifications/{notification_id}/read", openapi_extra=checks("notification.view"))
def read_notification(notification_id: PathId, caller: CallerDep, response: Response) -> ContentOut:
    """Mark one of your notifications read."""
    view = caller.run(lambda a: content_actions.mark_read(a, notification_id), console=False)
    return tagged(view, response)


class KeysIn(Input):
    org: Id
    count: Annotated[int, Field(ge=1, le=keys.MAX_BATCH)] = 1
    name: Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)] = ""
    body: Body = Field(default_factory=dict)


class GeneratedKeyOut(BaseModel):
    key: ContentOut
    code: str = Field(description="shown once: Homeroom keeps only its SHA-256")


class KeysOut(BaseModel):
    keys: list[GeneratedKeyOut]


@router.post("/keys", status_code=status.HTTP_201_CREATED, openapi_extra=checks("key.create"))
def generate_keys(body: KeysIn, caller: CallerDep) -> KeysOut:
    """Generate access keys at an org; their codes are shown in this response only."""
    batch = keys.KeyBatch(body.org, body.count, body.name, body.body)
    made = caller.run(lambda a: keys.generate_keys(a, batch))
    return KeysOut(keys=[GeneratedKeyOut(key=ContentOut.of(k.key), code=k.code) for k in made])


class ImpersonationOut(BaseModel):
    partner: str
    account: str = Field(description="the partner's account, which the session acts as")
    impersonator: str
    expires_at: UtcDatetime
    csrf_token: str | None = Field(None, description="send it as X-CSRF-Token while impersonating")

    @classmethod
    def of(cls, found: Impersonation) -> ImpersonationOut:
        return cls(
            partner=found.partner,
            account=found.account,
            impersonator=found.impersonator,
            expires_at=found.expires_at,
            csrf_token=found.csrf_token,
        )


@router.post(
    "/partners/{partner_id}/impersonate",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=checks("partner.impersonate"),
)
def impersonate(
    partner_id: PathId, caller: CallerDep, request: Request, response: Response
) -> ImpersonationOut:
    """Act as the partner's account until the impersonation expires or is stopped. The session travels in
    the `homeroom_impersonation` cookie; your own session stays as it was."""
    started = caller.run(lambda a: impersonation.start(a, partner_id))
    settings = homeroom_of(request).settings
    max_age = int(settings.impersonation_minutes * 60)
    for name, value, httponly in (
        (IMPERSONATION_COOKIE, started.secret or "", True),
        (CSRF_COOKIE, started.csrf_token or "", False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=httponly,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
        )
    return ImpersonationOut.of(started)


@router.get("/impersonation", openapi_extra=checks())
def current_impersonation(caller: CallerDep) -> ImpersonationOut:
    """The impersonation you are in (409 `not_impersonating` otherwise)."""
    return ImpersonationOut.of(caller.run(impersonation.current, console=False))


@router.post("/impersonation/stop", openapi_extra=checks())
def stop_impersonation(caller: CallerDep, response: Response) -> ImpersonationOut:
    """End the impersonation; requests act as you again."""
    ended = caller.run(impersonation.stop, console=False)
    response.delete_cookie(IMPERSONATION_COOKIE, path="/")
    return ImpersonationOut.of(ended)


class ReportEntryOut(BaseModel):
    report: str
    permission: str
    allowed: bool = Field(description="whether you may export it")
    href: str


@router.get("/orgs/{org_id}/reports", openapi_extra=checks("report.access"))
def list_reports(org_id: PathId, caller: CallerDep) -> list[ReportEntryOut]:
    """The org's reports (billing, orders, usage) and which of them you may export."""
    found = caller.run(lambda a: platform_reports.list_reports(a, org_id))
    return [
        ReportEntryOut(
            report=e.report,
            permission=e.permission,
            allowed=e.allowed,
            href=f"/api/v1/orgs/{org_id}/reports/{e.report}.csv",
        )
        for e in found
    ]


@router.get(
    "/orgs/{org_id}/reports/{report}.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "the report"}},
    openapi_extra=checks(*platform_reports.REPORTS.values()),
)
def export_report(org_id: PathId, report: ReportName, caller: CallerDep) -> Response:
    """A report of the org as CSV (formula-safe cells); never while impersonating a partner."""
    found = caller.run(lambda a: platform_reports.export_report(a, org_id, report))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(found.columns)
    writer.writerows([escape_cell(cell) for cell in row] for row in found.rows)
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{report}.csv"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


PLATFORM: list[APIRouter] = [router, *content.ROUTERS, roles.router]

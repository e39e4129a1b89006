"""The assessment platform's objects: one router per type, offering only the operations its profile grants.

Reads and lists are open to students too (they launch tests and read their notifications); the writes
are admin routes behind the Manager gate. Either way the use case authorizes each call.

Every type has a list and a read; questions, tests, media and categories are created, edited, soft-deleted,
recovered and purged; workflows edited and recovered; articles created; products and sales created and
edited. Their other actions (publish, launch, export, import, disable, approve, read, generate keys,
impersonate) are in platform.py.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, StringConstraints

from homeroom.api.deps import Caller, CallerDep, PageDep, VersionDep, encode_cursor, tag
from homeroom.api.routes.assessments import OptionalVersionDep
from homeroom.api.routes.common import ERRORS, Id, Input, PathId, UtcDatetime, checks
from homeroom.services import content
from homeroom.services.content import ContentChanges, ContentView, Kind, NewContent

PATHS = {
    "question": "questions",
    "test": "tests",
    "media": "media",
    "category": "categories",
    "workflow": "workflows",
    "article": "articles",
    "product": "products",
    "sale": "sales",
    "partner": "partners",
    "key": "keys",
    "notification": "notifications",
}
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
OrgFilter = Annotated[Id | None, Query(description="only the objects of this org")]
DeletedFilter = Annotated[
    bool, Query(description="the soft-deleted objects you may recover (`TYPE.recover`)")
]
LaunchableFilter = Annotated[bool, Query(description="tests: the ones you may launch (test.launch)")]
Body = Annotated[
    dict[str, Any], Field(description="the object's other fields, as a JSON object (64 KiB at most)")
]


class ContentOut(BaseModel):
    id: str
    type: str
    org: str | None
    name: str
    status: str = Field(
        description="questions: draft, in_review, approved, retired; products: active, "
        "disabled; sales: open, approved; notifications: unread, read; keys: active"
    )
    body: dict[str, Any]
    published: bool = Field(description="tests: whether it can be launched")
    workflow: str | None = Field(description="questions: the assigned workflow")
    account: str | None = Field(description="partners: the account an impersonation acts as")
    recipient: str | None = Field(description="notifications: whom it is for")
    created_by: str | None
    created_at: UtcDatetime | None
    updated_by: str | None
    updated_at: UtcDatetime | None
    deleted: bool
    version: int
    launches: int | None = Field(None, description="tests: how many times it was launched")

    @classmethod
    def of(cls, view: ContentView) -> ContentOut:
        return cls(**{**vars(view), "deleted": view.deleted != "none"})


class ContentPageOut(BaseModel):
    items: list[ContentOut]
    next_cursor: str | None


def tagged(view: ContentView, response: Response) -> ContentOut:
    tag(response, view.version)
    return ContentOut.of(view)


class ContentIn(Input):
    org: Id = Field(description="the organization the object belongs to")
    name: Title
    body: Body = Field(default_factory=dict)
    id: Id | None = Field(None, description="an id of your choice; generated when left out")


class QuestionIn(ContentIn):
    kind: Literal["standard", "simulation"] = Field(
        "standard", description="a simulation question needs question.create_simulation"
    )


class ContentPatch(Input):
    name: Title | None = None
    body: Body | None = None


class QuestionPatch(ContentPatch):
    status: Literal["draft", "in_review", "approved", "retired"] | None = Field(
        None, description="needs question.edit_status"
    )
    workflow: Id | None = Field(
        None,
        description="a workflow of the question's org, or null to remove it; needs question.assign_workflow",
    )


def content_router(kind: Kind) -> APIRouter:
    """The routes of one type: list and read, then what `kind.offers`."""
    type_, path = kind.type, PATHS[kind.type]
    router = APIRouter(prefix=f"/{path}", tags=["content"], responses=ERRORS)
    lists = [*kind.read, *([f"{type_}.recover"] if "recover" in kind.offers else [])]

    @router.get("", openapi_extra=checks(*lists), name=f"list_{path}")
    def list_objects(
        caller: CallerDep,
        page: PageDep,
        org: OrgFilter = None,
        deleted: DeletedFilter = False,
        launchable: LaunchableFilter = False,
    ) -> ContentPageOut:
        found = caller.run(
            lambda a: content.list_content(
                a,
                type_,
                org=org,
                deleted=deleted,
                launchable=launchable and type_ == "test",
                after=page.after,
                limit=page.limit,
            ),
            console=False,
        )
        return ContentPageOut(
            items=[ContentOut.of(v) for v in found.items], next_cursor=encode_cursor(found.next_after)
        )

    @router.get("/{object_id}", openapi_extra=checks(*kind.read), name=f"get_{type_}")
    def get_object(object_id: PathId, caller: CallerDep, response: Response) -> ContentOut:
        return tagged(caller.run(lambda a: content.get_content(a, type_, object_id), console=False), response)

    if "create" in kind.offers:
        _create_route(router, kind)
    if "edit" in kind.offers:
        _edit_route(router, kind)
    _lifecycle_routes(router, kind)
    return router


def _create_route(router: APIRouter, kind: Kind) -> None:
    type_, path = kind.type, PATHS[kind.type]
    extra = {"status_code": status.HTTP_201_CREATED, "name": f"create_{type_}"}

    def create(body: ContentIn, caller: CallerDep, response: Response, question_kind: str) -> ContentOut:
        new = NewContent(body.org, body.name, body.body, body.id, question_kind)
        view = caller.run(lambda a: content.create_content(a, type_, new))
        response.headers["Location"] = f"/api/v1/{path}/{view.id}"
        return tagged(view, response)

    if type_ == "question":

        @router.post("", openapi_extra=checks("question.create", "question.create_simulation"), **extra)  # type: ignore[arg-type]
        def create_question(body: QuestionIn, caller: CallerDep, response: Response) -> ContentOut:
            """Create a question; a simulation question needs question.create_simulation."""
            return create(body, caller, response, body.kind)

        return

    @router.post("", openapi_extra=checks(f"{type_}.create"), **extra)  # type: ignore[arg-type]
    def create_object(body: ContentIn, caller: CallerDep, response: Response) -> ContentOut:
        return create(body, caller, response, "standard")


def _edit_route(router: APIRouter, kind: Kind) -> None:
    type_ = kind.type

    def edit(
        object_id: str, changes: ContentChanges, version: int, caller: Caller, response: Response
    ) -> ContentOut:
        view = caller.run(lambda a: content.edit_content(a, type_, object_id, changes, expected=version))
        return tagged(view, response)

    if type_ == "question":
        permissions = ("question.edit", "question.edit_status", "question.assign_workflow")

        @router.patch("/{object_id}", openapi_extra=checks(*permissions), name="edit_question")
        def edit_question(
            object_id: PathId, body: QuestionPatch, version: VersionDep, caller: CallerDep, response: Response
        ) -> ContentOut:
            """Change a question: name and body (question.edit), status (question.edit_status), workflow
            (question.assign_workflow). If-Match carries the ETag you read."""
            changes = ContentChanges(
                name=body.name,
                body=body.body,
                status=body.status,
                **({"workflow": body.workflow} if "workflow" in body.model_fields_set else {}),
            )
            return edit(object_id, changes, version, caller, response)

        return

    @router.patch("/{object_id}", openapi_extra=checks(f"{type_}.edit"), name=f"edit_{type_}")
    def edit_object(
        object_id: PathId, body: ContentPatch, version: VersionDep, caller: CallerDep, response: Response
    ) -> ContentOut:
        """Change the name or body; If-Match carries the ETag you read."""
        return edit(object_id, ContentChanges(name=body.name, body=body.body), version, caller, response)


def _lifecycle_routes(router: APIRouter, kind: Kind) -> None:
    type_ = kind.type
    if "delete" in kind.offers:

        @router.delete(
            "/{object_id}",
            status_code=status.HTTP_204_NO_CONTENT,
            openapi_extra=checks(f"{type_}.delete"),
            name=f"delete_{type_}",
        )
        def delete_object(object_id: PathId, version: VersionDep, caller: CallerDep) -> None:
            """Soft-delete: recoverable until purged."""
            caller.run(lambda a: content.delete_content(a, type_, object_id, expected=version))

    if "recover" in kind.offers:

        @router.post(
            "/{object_id}/recover", openapi_extra=checks(f"{type_}.recover"), name=f"recover_{type_}"
        )
        def recover_object(
            object_id: PathId, version: OptionalVersionDep, caller: CallerDep, response: Response
        ) -> ContentOut:
            """Recover a soft-deleted object (list them with `?deleted=true`)."""
            view = caller.run(lambda a: content.recover_content(a, type_, object_id, expected=version))
            return tagged(view, response)

    if "purge" in kind.offers:

        @router.post(
            "/{object_id}/purge",
            status_code=status.HTTP_204_NO_CONTENT,
            openapi_extra=checks(f"{type_}.purge"),
            name=f"purge_{type_}",
        )
        def purge_object(object_id: PathId, version: OptionalVersionDep, caller: CallerDep) -> None:
            """Delete permanently, live or soft-deleted: the content is erased."""
            caller.run(lambda a: content.purge_content(a, type_, object_id, expected=version))


ROUTERS: list[APIRouter] = [content_router(kind) for kind in content.KINDS.values()]

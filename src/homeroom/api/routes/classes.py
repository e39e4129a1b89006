"""Classes, their teachers and their students."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field, model_validator

from homeroom.api.deps import CallerDep, PageDep, VersionDep, encode_cursor, tag
from homeroom.api.routes.common import ERRORS, Id, Input, Name, PathId, checks
from homeroom.api.routes.users import Password, Username
from homeroom.services import classes
from homeroom.services.classes import ClassChanges, ClassView, NewClass, NewStudent

router = APIRouter(prefix="/classes", tags=["classes"], responses=ERRORS)
VIEWS = checks(*classes.VIEW_PERMISSIONS)


class ClassOut(BaseModel):
    id: str
    school: str
    name: str
    status: str
    deleted: bool
    teachers: list[str]
    students: list[str]
    created_by: str | None
    version: int

    @classmethod
    def of(cls, view: ClassView) -> ClassOut:
        return cls(
            id=view.id,
            school=view.school,
            name=view.name,
            status=view.status,
            deleted=view.deleted != "none",
            teachers=list(view.teachers),
            students=list(view.students),
            created_by=view.created_by,
            version=view.version,
        )


def _tagged(view: ClassView, response: Response) -> ClassOut:
    tag(response, view.version)
    return ClassOut.of(view)


class ClassPageOut(BaseModel):
    items: list[ClassOut]
    next_cursor: str | None


@router.get("", openapi_extra=VIEWS)
def list_classes(
    caller: CallerDep,
    page: PageDep,
    permission: Annotated[
        str | None, Query(pattern=r"^[a-z_]+\.[a-z_]+$", description="default: class.manage or class.edit")
    ] = None,
) -> ClassPageOut:
    """The classes you may act on with `permission`, in id order (the SQL twin of the policy)."""
    found = caller.run(
        lambda a: classes.list_classes(a, permission=permission, after=page.after, limit=page.limit)
    )
    return ClassPageOut(
        items=[ClassOut.of(v) for v in found.items], next_cursor=encode_cursor(found.next_after)
    )


@router.get("/{class_id}", openapi_extra=VIEWS)
def get_class(class_id: PathId, caller: CallerDep, response: Response) -> ClassOut:
    return _tagged(caller.run(lambda a: classes.get_class(a, class_id)), response)


class ClassIn(Input):
    school: Id
    name: Name = ""
    id: Id | None = Field(None, description="an id of your choice; generated when left out")


@router.post("", status_code=status.HTTP_201_CREATED, openapi_extra=checks("class.create"))
def create_class(body: ClassIn, caller: CallerDep, response: Response) -> ClassOut:
    """Create a class at a school; a teacher creating one becomes its teacher."""
    view = caller.run(lambda a: classes.create_class(a, NewClass(body.school, body.name, body.id)))
    response.headers["Location"] = f"/api/v1/classes/{view.id}"
    return _tagged(view, response)


class ClassPatch(Input):
    name: Name | None = None
    status: Literal["active", "inactive"] | None = None


@router.patch("/{class_id}", openapi_extra=checks("class.edit", "class.set_active"))
def edit_class(
    class_id: PathId, body: ClassPatch, version: VersionDep, caller: CallerDep, response: Response
) -> ClassOut:
    """Rename a class; set `status` to activate or deactivate it."""
    changes = ClassChanges(name=body.name, status=body.status)
    return _tagged(caller.run(lambda a: classes.edit_class(a, class_id, changes, expected=version)), response)


@router.delete("/{class_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=checks("class.delete"))
def delete_class(class_id: PathId, version: VersionDep, caller: CallerDep) -> None:
    """Soft-delete a class; its teachers and students keep their accounts."""
    caller.run(lambda a: classes.delete_class(a, class_id, expected=version))


class TeacherIn(Input):
    teacher: Id


@router.post("/{class_id}/teachers", openapi_extra=checks("class.assign_teacher"))
def assign_teacher(class_id: PathId, body: TeacherIn, caller: CallerDep, response: Response) -> ClassOut:
    """Make a staff account a teacher of the class."""
    return _tagged(caller.run(lambda a: classes.assign_teacher(a, class_id, body.teacher)), response)


@router.delete("/{class_id}/teachers/{teacher_id}", openapi_extra=checks("class.assign_teacher"))
def unassign_teacher(class_id: PathId, teacher_id: PathId, caller: CallerDep, response: Response) -> ClassOut:
    """Take a teacher off the class."""
    return _tagged(caller.run(lambda a: classes.unassign_teacher(a, class_id, teacher_id)), response)


class NewStudentIn(Input):
    username: Username
    given_name: Name = ""
    family_name: Name = ""
    password: Password | None = None
    id: Id | None = Field(None, description="an id of your choice; generated when left out")


class StudentIn(Input):
    student: Id | None = Field(None, description="an existing student of the class's school")
    new: NewStudentIn | None = Field(None, description="a new student account, created in the class")

    @model_validator(mode="after")
    def exactly_one(self) -> StudentIn:
        if (self.student is None) == (self.new is None):
            message = "give exactly one of `student` (an existing account) and `new` (a new one)"
            raise ValueError(message)
        return self


class StudentAddedOut(BaseModel):
    student: str = Field(description="the enrolled student's id")
    created: bool = Field(description="whether the account was created by this request")
    roster: ClassOut


@router.post(
    "/{class_id}/students",
    openapi_extra=checks("class.add_existing_student", "class.add_new_student", "student.create"),
    responses={201: {"model": StudentAddedOut, "description": "a new student account was created"}},
)
def add_student(class_id: PathId, body: StudentIn, caller: CallerDep, response: Response) -> StudentAddedOut:
    """Enroll an existing student, or create a new student account in the class."""
    if body.new is None:
        student = str(body.student)
        view = caller.run(lambda a: classes.add_existing_student(a, class_id, student))
    else:
        n = body.new
        new = NewStudent(n.username, n.given_name, n.family_name, n.password, n.id)
        view, student = caller.run(lambda a: classes.add_new_student(a, class_id, new))
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/users/{student}"
    tag(response, view.version)
    return StudentAddedOut(student=student, created=body.new is not None, roster=ClassOut.of(view))


@router.delete("/{class_id}/students/{student_id}", openapi_extra=checks("class.remove_student"))
def remove_student(class_id: PathId, student_id: PathId, caller: CallerDep, response: Response) -> ClassOut:
    """Take a student out of the class; the account stays."""
    return _tagged(caller.run(lambda a: classes.remove_student(a, class_id, student_id)), response)


class DeletedOut(BaseModel):
    deleted: list[str] = Field(description="the students soft-deleted by this request")


@router.post("/{class_id}/delete-inactive-students", openapi_extra=checks("class.delete_inactive_students"))
def delete_inactive_students(class_id: PathId, caller: CallerDep) -> DeletedOut:
    """Soft-delete every inactive student enrolled in the class."""
    return DeletedOut(deleted=caller.run(lambda a: classes.delete_inactive_students(a, class_id)))

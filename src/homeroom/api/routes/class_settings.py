"""Classroom settings and motivational programs (math, math-prek2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from homeroom.api.deps import CallerDep, VersionDep, tag
from homeroom.api.routes.common import ERRORS, Id, Input, PathId, checks
from homeroom.services import class_settings
from homeroom.services.class_settings import MAX_GOALS, MAX_TARGET, ClassSettings, Goal, SettingsChange

router = APIRouter(prefix="/classes", tags=["class settings"], responses=ERRORS)
SETTERS = ("class.set_calculator", "class.set_goals", "class.restrict_avatar")


class GoalIO(Input):
    skill: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", description="a skill id")]
    target: Annotated[int, Field(ge=1, le=MAX_TARGET, description="for example lessons passed per week")]


class SettingsOut(BaseModel):
    class_id: str
    calculator: bool
    goals: list[GoalIO]
    avatar_restricted: bool
    motivation: dict[str, bool] = Field(description="motivational programs: running or not")
    version: int

    @classmethod
    def of(cls, view: ClassSettings) -> SettingsOut:
        return cls(
            class_id=view.class_id,
            calculator=view.calculator,
            goals=[GoalIO(skill=g.skill, target=g.target) for g in view.goals],
            avatar_restricted=view.avatar_restricted,
            motivation=view.motivation,
            version=view.version,
        )


class SettingsPatch(Input):
    calculator: bool | None = Field(None, description="needs class.set_calculator")
    goals: list[GoalIO] | None = Field(None, max_length=MAX_GOALS, description="needs class.set_goals")
    avatar_restricted: bool | None = Field(None, description="needs class.restrict_avatar")

    def change(self) -> SettingsChange:
        goals = tuple(Goal(g.skill, g.target) for g in self.goals) if self.goals is not None else None
        return SettingsChange(self.calculator, goals, self.avatar_restricted)


class MotivationIn(Input):
    program: Id = Field(description="a program of the product's catalog (docs/operations.md)")
    active: bool


def _out(view: ClassSettings, response: Response) -> SettingsOut:
    tag(response, view.version)
    return SettingsOut.of(view)


@router.get("/{class_id}/settings", openapi_extra=checks("class.manage"))
def get_settings(class_id: PathId, caller: CallerDep, response: Response) -> SettingsOut:
    """The class's settings; the ETag is the class's version."""
    return _out(caller.run(lambda a: class_settings.get_settings(a, class_id)), response)


@router.patch("/{class_id}/settings", openapi_extra=checks(*SETTERS))
def edit_settings(
    class_id: PathId, body: SettingsPatch, version: VersionDep, caller: CallerDep, response: Response
) -> SettingsOut:
    """Change settings; each field given needs its own permission, all of them or nothing is changed."""
    change = body.change()
    view = caller.run(lambda a: class_settings.edit_settings(a, class_id, change, expected=version))
    return _out(view, response)


@router.post("/{class_id}/motivation", openapi_extra=checks("class.administer_motivation"))
def administer_motivation(
    class_id: PathId, body: MotivationIn, caller: CallerDep, response: Response
) -> SettingsOut:
    """Start or stop a motivational program in the class."""
    view = caller.run(
        lambda a: class_settings.administer_motivation(a, class_id, body.program, active=body.active)
    )
    return _out(view, response)

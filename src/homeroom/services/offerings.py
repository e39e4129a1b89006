"""What each product profile offers to assign: products, pathways, motivational programs, benchmark numbers.

The charts name the actions (`student.assign_product`, `student.enroll_pathway`, ...) but not the values
they take, so these small catalogs are product data, kept here in one place and documented in
docs/operations.md. A profile that is missing here offers nothing: every value is rejected as invalid
input (after authorization, so a denied caller learns nothing about the catalog).

They are Python data rather than a YAML file because the package data list (pyproject.toml) ships only
the policy's data files; the shape is the same either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from homeroom.errors import InvalidInput


@dataclass(frozen=True)
class Offering:
    """One profile's catalogs: id -> display name (products, pathways, programs), benchmark numbers."""

    products: Mapping[str, str] = field(default_factory=dict)
    pathways: Mapping[str, str] = field(default_factory=dict)
    motivation_programs: Mapping[str, str] = field(default_factory=dict)
    benchmark_numbers: frozenset[int] = frozenset()


_MATH_GRADES: Final = {f"grade_{g}": f"Grade {g}" for g in range(3, 9)}

OFFERINGS: Final[Mapping[str, Offering]] = MappingProxyType(
    {
        "math": Offering(
            products={
                "imagine_math": "Imagine Math 3+",
                "math_facts": "Imagine Math Facts",
                "parent_portal": "Parent portal access",
            },
            pathways={**_MATH_GRADES, "algebra_1": "Algebra I", "geometry": "Geometry"},
            benchmark_numbers=frozenset({1, 2, 3}),
        ),
        "math-prek2": Offering(
            products={"imagine_math_prek2": "Imagine Math PreK-2", "parent_portal": "Parent portal access"},
            pathways={
                "prek": "PreK",
                "kindergarten": "Kindergarten",
                "grade_1": "Grade 1",
                "grade_2": "Grade 2",
            },
            motivation_programs={
                "star_tokens": "Star tokens",
                "class_celebrations": "Class celebrations",
                "reward_store": "Reward store",
            },
            benchmark_numbers=frozenset({1, 2, 3}),
        ),
        "literacy": Offering(
            products={
                "language_literacy": "Imagine Language & Literacy",
                "espanol": "Imagine Español",
                "reading": "Imagine Reading",
                "lectura": "Imagine Lectura",
            },
        ),
    }
)


def offering(profile: str) -> Offering:
    return OFFERINGS.get(profile, Offering())


def require_offered(catalog: Mapping[str, str], value: str, *, what: str, profile: str) -> None:
    """InvalidInput naming the value and the accepted ones, unless `value` is in `catalog`."""
    if value not in catalog:
        raise InvalidInput(
            f"{what} {value!r} is not offered in {profile}: expected one of {sorted(catalog)}",
            code=f"unknown_{what.replace(' ', '_')}",
            details={"value": value, "expected": sorted(catalog)},
        )

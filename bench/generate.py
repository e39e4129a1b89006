"""Deterministic, seeded synthetic tenants for the math profile at sizes tiny, S, M and L.

One customer over districts over schools. Each school has classes, teachers who teach 1-6 of its
classes, two school administrators and students enrolled in 4-7 of its classes (about 1% also take one
class at another school of their district, so some students have two anchors). Each district has three
district administrators and the customer two customer administrators. A small share of accounts is
inactive, soft-deleted or purged, a few classes are purged, and `teacher_student_creation` is switched
off at one district (with one of its schools switching it back on) and at about a tenth of the schools.

Memory matters at L (1M students, 5.6M enrollments): ids are built once and shared, students of one
school share one `orgs` tuple, and every value is a slots dataclass from homeroom.policy.world.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from homeroom.policy.world import (
    INACTIVE,
    NOT_DELETED,
    PURGED,
    SOFT_DELETED,
    STAFF,
    STUDENT,
    Assignment,
    Org,
    SchoolClass,
    User,
    World,
)

SETTING = "teacher_student_creation"


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    districts: int
    schools: int
    classes: int
    teachers: int
    students: int


# L follows the NYC-like shape; S and M keep its proportions (classes of ~140 students).
SIZES: dict[str, Size] = {
    "tiny": Size("tiny", 2, 4, 24, 30, 400),
    "S": Size("S", 2, 18, 400, 750, 10_000),
    "M": Size("M", 6, 180, 4_000, 7_500, 100_000),
    "L": Size("L", 32, 1_800, 40_000, 75_000, 1_000_000),
}


@dataclass(slots=True)
class Tenant:
    """A generated world plus the indexes the request generator needs (ids by school and by role)."""

    size: Size
    world: World
    schools: list[str]
    districts: list[str]
    classes_by_school: dict[str, list[str]]
    students_by_school: dict[str, list[str]]
    teachers_by_school: dict[str, list[str]]
    school_admins: list[str]
    district_admins: list[str]
    customer_admins: list[str]
    seconds: float = 0.0

    @property
    def enrollments(self) -> int:
        return sum(len(u.enrolled_in) for u in self.world.users.values())


def generate(size_name: str, *, seed: int = 20240901) -> Tenant:
    """Build the tenant of this size; the same seed always gives the same world."""
    started = time.perf_counter()
    size = SIZES[size_name]
    rng = random.Random(seed)
    orgs, districts, school_district = _orgs(size)
    schools = list(school_district)
    classes, by_school = _classes(size, schools, rng)
    users: dict[str, User] = {}
    teachers = _teachers(size, by_school, rng, users)
    students = _students(size, by_school, school_district, rng, users)
    admins = _admins(districts, schools, users)
    world = World(
        orgs=orgs, classes=classes, users=users, settings=_settings(districts, school_district, rng)
    )
    tenant = Tenant(size, world, schools, districts, by_school, students, teachers, *admins)
    tenant.seconds = time.perf_counter() - started
    return tenant


def _orgs(size: Size) -> tuple[dict[str, Org], list[str], dict[str, str]]:
    orgs = {"c1": Org("c1", "customer")}
    districts = [f"d{i}" for i in range(size.districts)]
    for district in districts:
        orgs[district] = Org(district, "district", parent="c1")
    school_district: dict[str, str] = {}
    for i in range(size.schools):
        school, district = f"s{i}", districts[i % size.districts]
        orgs[school] = Org(school, "school", parent=district)
        school_district[school] = district
    return orgs, districts, school_district


def _classes(
    size: Size, schools: list[str], rng: random.Random
) -> tuple[dict[str, SchoolClass], dict[str, list[str]]]:
    classes: dict[str, SchoolClass] = {}
    by_school: dict[str, list[str]] = {school: [] for school in schools}
    for i in range(size.classes):
        class_id, school = f"k{i}", schools[i % len(schools)]
        deleted = PURGED if rng.random() < 0.002 else NOT_DELETED
        classes[class_id] = SchoolClass(class_id, school, deleted=deleted)
        by_school[school].append(class_id)
    return classes, by_school


def _lifecycle(rng: random.Random) -> tuple[str, str]:
    """(status, deleted): about 2% inactive, 0.5% soft-deleted, 0.2% purged."""
    roll = rng.random()
    if roll < 0.002:
        return "active", PURGED
    if roll < 0.007:
        return "active", SOFT_DELETED
    if roll < 0.027:
        return INACTIVE, NOT_DELETED
    return "active", NOT_DELETED


def _teachers(
    size: Size, by_school: dict[str, list[str]], rng: random.Random, users: dict[str, User]
) -> dict[str, list[str]]:
    schools = list(by_school)
    teachers: dict[str, list[str]] = {school: [] for school in schools}
    for i in range(size.teachers):
        teacher_id, school = f"t{i}", schools[i % len(schools)]
        pool = by_school[school]
        teaches = tuple(rng.sample(pool, min(len(pool), rng.randint(1, 6))))
        status, deleted = _lifecycle(rng)
        roles = (Assignment("teacher", school),)
        users[teacher_id] = User(teacher_id, STAFF, status, deleted, roles=roles, teaches=teaches)
        teachers[school].append(teacher_id)
    return teachers


def _students(
    size: Size,
    by_school: dict[str, list[str]],
    school_district: dict[str, str],
    rng: random.Random,
    users: dict[str, User],
) -> dict[str, list[str]]:
    schools = list(by_school)
    home = {school: (school,) for school in schools}
    neighbours = _neighbours(school_district)
    students: dict[str, list[str]] = {school: [] for school in schools}
    for i in range(size.students):
        student_id, school = f"u{i}", schools[i % len(schools)]
        pool = by_school[school]
        enrolled = rng.sample(pool, min(len(pool), rng.randint(4, 7)))
        if rng.random() < 0.01 and len(neighbours[school]) > 1:
            other = rng.choice(neighbours[school])
            if other != school:
                enrolled.append(rng.choice(by_school[other]))
        status, deleted = _lifecycle(rng)
        users[student_id] = User(
            student_id, STUDENT, status, deleted, home[school], enrolled_in=tuple(enrolled)
        )
        students[school].append(student_id)
    return students


def _neighbours(school_district: dict[str, str]) -> dict[str, list[str]]:
    by_district: dict[str, list[str]] = {}
    for school, district in school_district.items():
        by_district.setdefault(district, []).append(school)
    return {school: by_district[district] for school, district in school_district.items()}


def _admins(
    districts: list[str], schools: list[str], users: dict[str, User]
) -> tuple[list[str], list[str], list[str]]:
    def add(prefix: str, role: str, org: str, count: int) -> list[str]:
        ids = [f"{prefix}{org}-{n}" for n in range(count)]
        for user_id in ids:
            users[user_id] = User(user_id, STAFF, roles=(Assignment(role, org),))
        return ids

    school_admins = [a for school in schools for a in add("sa", "school_admin", school, 2)]
    district_admins = [a for district in districts for a in add("da", "district_admin", district, 3)]
    return school_admins, district_admins, add("ca", "customer_admin", "c1", 2)


def _settings(
    districts: list[str], school_district: dict[str, str], rng: random.Random
) -> dict[str, dict[str, object]]:
    closed = districts[-1]
    settings: dict[str, dict[str, object]] = {closed: {SETTING: False}}
    reopened = next(school for school, district in school_district.items() if district == closed)
    settings[reopened] = {SETTING: True}
    for school in school_district:
        if school != reopened and rng.random() < 0.1:
            settings[school] = {SETTING: False}
    return settings

"""SCIM searches through HTTP: filters (every operator, and/or/not, value paths), sorting and pages,
GET and POST .search, at an endpoint and across resource types, always inside what the caller may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import DemoTenant
from tests.api.scim_helpers import ERROR, new_user, scim_client

pytestmark = pytest.mark.db
Demo = Callable[[str], DemoTenant]
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


@pytest.fixture
def dana(demo: Demo) -> TestClient:
    """The math demo's district administrator, who sees the district's nine accounts and two made here."""
    math = demo("math")
    client = scim_client(math, "dana_district")
    extra = new_user("zoe.Zimmer", externalId="ext-9", emails=[{"value": "Zoe@School.org"}])
    extra["name"] = {"givenName": "Zoe", "familyName": "Zimmer"}
    assert (
        client.post(
            "/Users", json={**extra, "urn:homeroom:scim:schemas:extension:2.0:User": {"org": "roosevelt_ms"}}
        ).status_code
        == 201
    )
    kid = new_user("kid.one", userType="student", active=False)
    kid["urn:homeroom:scim:schemas:extension:2.0:User"] = {"org": "lincoln_elem"}
    assert client.post("/Users", json=kid).status_code == 201
    return client


def names(client: TestClient, scim_filter: str, **params: Any) -> list[str]:
    response = client.get("/Users", params={"filter": scim_filter, **params})
    assert response.status_code == 200, response.text
    return [r["userName"] for r in response.json()["Resources"]]


@pytest.mark.parametrize(
    ("scim_filter", "expected"),
    [
        ('userName eq "tomas_teacher"', ["tomas_teacher"]),
        ('userName eq "TOMAS_TEACHER"', []),  # usernames are case-sensitive
        ('userName sw "ta"', ["tara_teacher"]),
        ('userName ew "_principal"', ["paul_principal", "priya_principal"]),
        ('userName co "o.o"', []),
        ('userName co "d.o"', ["kid.one"]),
        ('name.givenName eq "ZOE"', ["zoe.Zimmer"]),  # names are not
        ('name.familyName sw "stud"', ["omar_student", "sam_student", "sofia_student"]),
        ('emails.value co "school.ORG"', ["zoe.Zimmer"]),
        ('emails[value ew "@school.org"]', ["zoe.Zimmer"]),
        ("emails pr", ["kid.one", "zoe.Zimmer"]),
        ('externalId eq "ext-9"', ["zoe.Zimmer"]),
        ("externalId pr", ["zoe.Zimmer"]),
        ('userType eq "student" and active eq false', ["kid.one", "omar_student"]),
        ('userType eq "student" and not (active eq false)', ["sam_student", "sofia_student"]),
        (
            'userName eq "rosa_teacher" or groups.value eq "math_4b"',
            ["rosa_teacher", "sofia_student", "tara_teacher"],
        ),
        ('groups[value eq "algebra_7"]', ["omar_student", "rosa_teacher"]),
        ('userName gt "tara_teacher"', ["tomas_teacher", "zoe.Zimmer"]),
        ('userName le "dana_district"', ["dana_district"]),
        ('not (emails pr) and userName ne "x" and userName lt "p"', ["dana_district", "omar_student"]),
        ('id eq "sam_student"', ["sam_student"]),
        ('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "sam_student"', ["sam_student"]),
    ],
)
def test_filters(dana: TestClient, scim_filter: str, expected: list[str]) -> None:
    assert sorted(names(dana, scim_filter)) == expected


@pytest.mark.parametrize(
    ("scim_filter", "scim_type"),
    [
        ('meta.lastModified gt "2024-01-01T00:00:00Z"', "invalidFilter"),
        ('nickName eq "x"', "invalidFilter"),
        ('userName eq "x" and', "invalidFilter"),
        ("active gt true", "invalidFilter"),
    ],
)
def test_unsupported_filters_are_invalid(dana: TestClient, scim_filter: str, scim_type: str) -> None:
    refused = dana.get("/Users", params={"filter": scim_filter})
    assert refused.status_code == 400, refused.text
    assert (refused.json()["schemas"], refused.json()["scimType"]) == ([ERROR], scim_type)


def test_pages_count_everything_and_sort(dana: TestClient) -> None:
    everyone = dana.get("/Users", params={"sortBy": "userName"}).json()
    ordered = [r["userName"] for r in everyone["Resources"]]
    assert (
        everyone["totalResults"] == len(ordered) == 11
    )  # nine in the district (not carol, above it), two new
    assert ordered == sorted(ordered)
    page = dana.get("/Users", params={"sortBy": "userName", "startIndex": 4, "count": 3}).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (11, 4, 3)
    assert [r["userName"] for r in page["Resources"]] == ordered[3:6]
    last = dana.get("/Users", params={"sortBy": "userName", "startIndex": 10, "count": 5}).json()
    assert [r["userName"] for r in last["Resources"]] == ordered[9:]
    beyond = dana.get("/Users", params={"startIndex": 50}).json()
    assert (beyond["totalResults"], beyond.get("Resources", [])) == (11, [])
    none = dana.get("/Users", params={"count": 0}).json()
    assert (none["totalResults"], none.get("Resources", [])) == (11, [])
    down = dana.get(
        "/Users", params={"sortBy": "name.familyName", "sortOrder": "descending", "count": 2}
    ).json()
    assert [r["name"]["familyName"] for r in down["Resources"]] == ["Zimmer", "Teacher"]
    refused = dana.get("/Users", params={"sortBy": "groups.value"})
    assert refused.status_code == 400


def test_post_search_and_search_across_types(dana: TestClient) -> None:
    body = {
        "schemas": [SEARCH],
        "filter": 'userName sw "s"',
        "attributes": ["userName"],
        "sortBy": "userName",
    }
    found = dana.post("/Users/.search", json=body).json()
    assert [r["userName"] for r in found["Resources"]] == ["sam_student", "sofia_student"]
    assert set(found["Resources"][0]) == {"schemas", "id", "userName"}
    across = dana.post(
        "/.search", json={"schemas": [SEARCH], "filter": 'displayName eq "" or userName eq "sam_student"'}
    ).json()
    kinds = sorted((r.get("userName") or r["id"], r["meta"]["resourceType"]) for r in across["Resources"])
    assert kinds == [
        ("algebra_7", "Group"),
        ("math_4a", "Group"),
        ("math_4b", "Group"),
        ("sam_student", "User"),
    ]
    page = dana.get("/", params={"startIndex": 11, "count": 2}).json()
    assert page["totalResults"] == 14  # 11 users, then 3 classes
    assert [r["meta"]["resourceType"] for r in page["Resources"]] == ["User", "Group"]
    sorted_across = dana.get("/", params={"sortBy": "id"})
    assert sorted_across.status_code == 400


def test_searches_stay_inside_what_the_caller_may_see(demo: Demo) -> None:
    math = demo("math")
    tomas = scim_client(math, "tomas_teacher")
    seen = tomas.get("/Users").json()
    assert sorted(r["id"] for r in seen["Resources"]) == ["sam_student", "tomas_teacher"]
    assert names(tomas, 'userName eq "sofia_student"') == []
    priya = scim_client(math, "priya_principal")
    assert "rosa_teacher" not in names(priya, "userName pr")

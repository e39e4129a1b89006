"""SCIM discovery and authentication through HTTP: ServiceProviderConfig, ResourceTypes and Schemas (with
the caller's placement defaults), bearer tokens of accounts, service tokens, and SCIM errors for
everything that is not a resource."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.api.conftest import DemoTenant
from tests.api.scim_helpers import ERROR, GROUP_EXT, SCIM_JSON, USER_EXT, in_tenant, new_user, scim_client

from homeroom.services.logins import issue_service_token

pytestmark = pytest.mark.db
Demo = Callable[[str], DemoTenant]


def test_the_service_provider_config_says_what_is_supported(demo: Demo) -> None:
    config = scim_client(demo("math"), "priya_principal").get("/ServiceProviderConfig")
    assert config.status_code == 200
    assert config.headers["content-type"] == SCIM_JSON
    body = config.json()
    assert body["patch"] == {"supported": True}
    assert body["filter"] == {"supported": True, "maxResults": 500}
    assert (body["sort"], body["etag"], body["changePassword"]) == ({"supported": True},) * 2 + (
        {"supported": False},
    )
    assert body["bulk"]["supported"] is False
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_resource_types_and_schemas(demo: Demo) -> None:
    priya = scim_client(demo("math"), "priya_principal")
    types = {r["id"]: r for r in priya.get("/ResourceTypes").json()["Resources"]}
    assert sorted(types) == ["Group", "User"]
    assert types["User"]["schemaExtensions"] == [{"schema": USER_EXT, "required": True}]
    assert priya.get("/ResourceTypes/Group").json()["endpoint"] == "/Groups"
    schemas = {s["id"] for s in priya.get("/Schemas").json()["Resources"]}
    assert schemas == {
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:core:2.0:Group",
        USER_EXT,
        GROUP_EXT,
    }
    user = priya.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    attributes = {a["name"]: a for a in user["attributes"]}
    assert sorted(attributes) == ["active", "emails", "groups", "name", "userName", "userType"]
    assert (attributes["userName"]["caseExact"], attributes["userName"]["uniqueness"]) == (True, "server")
    assert attributes["groups"]["mutability"] == "readOnly"
    assert priya.get("/Schemas/urn:example:nothing").status_code == 404
    assert priya.get("/Schemas", params={"filter": 'id eq "x"'}).status_code == 403


def test_the_schemas_suggest_the_callers_own_placement(demo: Demo) -> None:
    math = demo("math")

    def suggested(persona: str) -> dict[str, list[str] | None]:
        client = scim_client(math, persona)
        found = {}
        for urn in (USER_EXT, GROUP_EXT):
            for attribute in client.get(f"/Schemas/{urn}").json()["attributes"]:
                found[attribute["name"]] = attribute.get("canonicalValues")
        return found

    assert suggested("priya_principal") == {
        "org": ["lincoln_elem"],
        "role": ["teacher"],
        "roles": None,
        "school": ["lincoln_elem"],
    }
    assert suggested("dana_district") == {
        "org": ["maple_valley"],
        "role": None,
        "roles": None,
        "school": None,
    }


def test_without_a_valid_token_everything_is_401(demo: Demo) -> None:
    math = demo("math")
    for client in (scim_client(math), scim_client(math, token="hr_not-a-token")):
        for path in ("/ServiceProviderConfig", "/Users", "/Users/sam_student"):
            refused = client.get(path)
            assert refused.status_code == 401
            assert refused.headers["WWW-Authenticate"].startswith("Bearer")
            assert refused.json()["schemas"] == [ERROR]
    assert "Bearer hr_" in scim_client(math).get("/Users").json()["detail"]
    session_only = math.login("priya_principal")  # a browser session is not a SCIM credential
    assert session_only.get("/scim/v2/Users").status_code == 401


def test_bodies_over_the_limit_are_scim_errors(demo: Demo) -> None:
    priya = scim_client(demo("math"), "priya_principal")
    huge = new_user("big", displayName="x" * (2 * 1024 * 1024))
    refused = priya.post("/Users", json=huge)
    assert (refused.status_code, refused.headers["content-type"]) == (413, SCIM_JSON)
    assert refused.json()["schemas"] == [ERROR]
    streamed = priya.post(
        "/Users", content=iter([b"{" + b" " * (2 * 1024 * 1024) + b"}"])
    )  # no Content-Length
    assert (streamed.status_code, streamed.headers["content-type"]) == (413, SCIM_JSON)


def test_a_service_token_reads_discovery_only(demo: Demo) -> None:
    math = demo("math")

    def issue(session: object, tenant_id: int) -> str:
        return issue_service_token(session, tenant_id, "idp", math.homeroom.clock()).token  # type: ignore[arg-type]

    service = scim_client(math, token=in_tenant(math, issue))
    assert service.get("/ServiceProviderConfig").status_code == 200
    schemas = service.get(f"/Schemas/{USER_EXT}").json()
    assert all("canonicalValues" not in a for a in schemas["attributes"])
    for method, path in (("GET", "/Users"), ("POST", "/Users"), ("GET", "/Groups/math_4a")):
        refused = service.request(method, path, json=new_user("x") if method == "POST" else None)
        assert refused.status_code == 403
        assert "service token" in refused.json()["detail"]


def test_unknown_paths_and_methods_are_scim_errors(demo: Demo) -> None:
    priya = scim_client(demo("math"), "priya_principal")
    missing = priya.get("/Nothing/here")
    assert (missing.status_code, missing.headers["content-type"]) == (404, SCIM_JSON)
    assert missing.json()["schemas"] == [ERROR]
    assert priya.get("/Users/no_such_user").status_code == 404
    wrong = priya.delete("/Users")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]
    bulk = priya.post(
        "/Bulk", json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []}
    )
    assert bulk.status_code == 501
    assert priya.get("/Me").status_code == 501


def test_the_routes_are_published_with_their_permissions(demo: Demo) -> None:
    document = scim_client(demo("math")).get("http://testserver/openapi.json").json()
    users = document["paths"]["/scim/v2/Users/{resource_id}"]
    assert set(users) == {"get", "put", "patch", "delete"}
    assert "staff.set_active" in users["patch"]["x-permissions"]
    assert "staff.delete" in users["delete"]["x-permissions"]

"""Every operation of the API declares its authorization entry, read from the published OpenAPI document
(the public contract: a route missing from it could not be called by clients generated from it either)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from homeroom.policy import registry

PUBLIC = {
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/invitations/accept"),
    ("post", "/api/v1/auth/code-login"),
}


def _operations(api: FastAPI) -> Iterator[tuple[str, str, dict[str, Any]]]:
    document = TestClient(api).get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_the_document_lists_every_router(api: FastAPI) -> None:
    paths = {path for _, path, _ in _operations(api)}
    for prefix in ("/api/v1/auth/", "/api/v1/users", "/api/v1/authz/", "/api/v1/audit", "/scim/v2/Users"):
        assert any(p.startswith(prefix) for p in paths), prefix


def test_every_operation_has_an_authorization_entry(api: FastAPI) -> None:
    missing = [f"{method} {path}" for method, path, op in _operations(api) if "x-permissions" not in op]
    assert missing == []


def test_named_permissions_exist_in_the_catalog(api: FastAPI) -> None:
    known = set(registry.catalog().permissions)
    for method, path, operation in _operations(api):
        named = set(operation["x-permissions"])
        assert named <= known, f"{method} {path}: {named - known}"


def test_only_the_sign_in_routes_are_public(api: FastAPI) -> None:
    public = {(method, path) for method, path, op in _operations(api) if op.get("x-public")}
    assert public == PUBLIC


def test_errors_are_documented_as_problem_details(api: FastAPI) -> None:
    for method, path, operation in _operations(api):
        if path.startswith("/scim/v2"):  # SCIM answers its own error documents (RFC 7644 3.12)
            content = operation["responses"].get("400", {}).get("content", {})
            assert "application/scim+json" in content, f"{method} {path}"
            continue
        content = operation["responses"].get("422", {}).get("content", {})
        assert "application/problem+json" in content, f"{method} {path}"

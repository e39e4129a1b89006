"""One SCIM request, served as the caller in its unit of work: scim2-server's handler over Homeroom.

What Homeroom adds to scim2-server's protocol:

* the caller's placement defaults (placement.py) are published as `canonicalValues` in `/Schemas`, and
  fill the attributes an identity provider leaves out of a POST (`userType` staff, `active` true, the
  extension's `org`; a Group's `school`); a PUT that leaves them out keeps the stored values;
* Groups are served where the tenant's product has classes;
* only staff accounts that may use the Manager provision (as the admin API); a service token reads the
  discovery endpoints only, since SCIM writes must act as an account for the policy to decide.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from http import HTTPStatus
from typing import Any, Union, cast

from scim2_models import (
    Context,
    ListResponse,
    PatchOp,
    Resource,
    ResourceType,
    ResponseParameters,
    Schema,
    ScimProvider,
    SearchRequest,
)
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.routing import Operation
from scim2_server.service import ScimService
from scim2_server.storage import ScimStorage
from scim2_server.utils import parametrize

from homeroom.errors import Forbidden
from homeroom.services.access import Access
from homeroom.services.console import require_console
from homeroom.services.scim import models
from homeroom.services.scim.models import (
    GROUP_EXTENSION,
    GROUP_SCHEMA,
    USER_EXTENSION,
    HomeroomGroup,
    HomeroomUser,
)
from homeroom.services.scim.placement import Placement, placement
from homeroom.services.scim.storage import HomeroomStorage

DISCOVERY = frozenset(
    {Operation.service_provider_config, Operation.resource_types, Operation.resource_type}
    | {Operation.schemas, Operation.schema}
)


def serve(access: Access, request: ScimRequest) -> ScimResponse:
    """Answer one SCIM request as the caller; protocol errors raise SCIMException, domain ones
    HomeroomError (both turned into SCIM errors by the API)."""
    if access.principal.user_id is not None:
        require_console(access)
    elif ScimService.match(request).operation not in DISCOVERY:
        raise Forbidden(
            "a service token acts for no account: provision with an account's API token, so that the "
            "policy decides what it may do",
            code="service_token",
        )
    default = cache(lambda: placement(access))  # only discovery and creations need it
    provider = provider_for("class.create" in access.profile.permissions)
    service = HomeroomService(provider, default)
    return HomeroomHandler(service, HomeroomStorage(access, provider, default)).handle(request)


@cache
def provider_for(groups: bool) -> ScimProvider:
    """The provider, and the generic message classes scim2-server builds from its models on every
    request, built once here and kept: pydantic caches them only while something holds them."""
    provider = models.provider(groups=groups)
    kept = _KEPT.setdefault(groups, [])
    served = [provider.model_for(t) for t in provider.resource_types]
    for model in served:
        kept += [parametrize(generic, model) for generic in (PatchOp, ResponseParameters, SearchRequest)]
    every: Any = Union[tuple(served)]  # noqa: UP007 - the union scim2-server builds
    kept += [parametrize(ListResponse, every), parametrize(SearchRequest, every)]
    return provider


_KEPT: dict[bool, list[object]] = {}


class HomeroomService(ScimService):
    def __init__(self, provider: ScimProvider, default: Callable[[], Placement]) -> None:
        super().__init__(provider)
        self.placement = default

    @property
    def default(self) -> Placement:
        return self.placement()

    # -- discovery: the caller's defaults as canonical values --------------------------------------

    def published_schemas(self) -> list[Schema]:
        suggested = {
            (USER_EXTENSION, "org"): self.default.org,
            (USER_EXTENSION, "role"): self.default.role,
            (GROUP_EXTENSION, "school"): self.default.school,
        }
        published = []
        for schema in self.provider.schemas:
            copy = schema.model_copy(deep=True)
            for attribute in copy.attributes or []:
                value = suggested.get((str(copy.id), str(attribute.name)))
                if value is not None:
                    attribute.canonical_values = [value]
            published.append(copy)
        return published

    def schemas(self, location: str, query: Mapping[str, str]) -> ScimResponse:
        self.forbid_filter(query)
        schemas = self.published_schemas()
        response = ListResponse[Schema](
            total_results=len(schemas),
            items_per_page=len(schemas),
            start_index=1,
            resources=[self.locate(s, f"{location}/{s.id}") for s in schemas],
        )
        return ScimResponse(HTTPStatus.OK, response.model_dump())

    def schema(self, location: str, schema_id: str, query: Mapping[str, str]) -> ScimResponse:
        self.forbid_filter(query)
        for schema in self.published_schemas():
            if schema.id == schema_id:
                return self.discovery_response(self.locate(schema, location))
        return super().schema(location, schema_id, query)  # answers 404

    def patch_response(
        self, base_url: str, resource: Resource[Any], response_parameters: ResponseParameters[Any]
    ) -> ScimResponse:
        """200 with the resource, as most identity providers expect (RFC 7644 3.5.2 allows it or 204)."""
        return self.resource_response(
            self.publish(base_url, resource), Context.RESOURCE_PATCH_RESPONSE, response_parameters
        )

    # -- defaults for what identity providers leave out -------------------------------------------

    def read_creation(
        self, resource_type: ResourceType, body: bytes, content_type: str | None
    ) -> Resource[Any]:
        payload = self.decode_body(body, content_type)
        if isinstance(payload, dict):
            _fill(payload, resource_type, self._creation_defaults(resource_type))
        return self._validate(resource_type, payload, Context.RESOURCE_CREATION_REQUEST)

    def read_replacement_of(
        self, resource_type: ResourceType, body: bytes, content_type: str | None, current: Resource[Any]
    ) -> Resource[Any]:
        payload = self.decode_body(body, content_type)
        if isinstance(payload, dict):
            _fill(payload, resource_type, _held(resource_type, current))
        return self._validate(resource_type, payload, Context.RESOURCE_REPLACEMENT_REQUEST)

    def _validate(self, resource_type: ResourceType, payload: Any, context: Context) -> Resource[Any]:
        """Validate the completed payload as the server validates a body (same errors, same context)."""
        return self.read_body(self.get_model(resource_type), json.dumps(payload).encode(), None, context)

    def _creation_defaults(self, resource_type: ResourceType) -> dict[str, Any]:
        if resource_type.schema_ == GROUP_SCHEMA:
            return {"extension": {"school": self.default.school}}
        return {"userType": models.STAFF_TYPE, "active": True, "extension": {"org": self.default.org}}


class HomeroomHandler(ScimHandler):
    """scim2-server's handler, with a PUT that keeps the required values it leaves out."""

    def __init__(self, service: HomeroomService, storage: ScimStorage) -> None:
        super().__init__(service, storage)
        self.homeroom = service

    def replace(self, request: ScimRequest) -> ScimResponse:
        with self.service.provider:
            target = self.service.route(request, Operation.replace)
            resource_type = self.service.resource_type_at(cast("str", target.endpoint))
            self.service.authorize(request, target, resource_type)
            response_parameters = self.service.read_response_parameters(resource_type, request.query)
            with self.storage.operation():
                current = self.storage.get(resource_type, cast("str", target.resource_id))
                replacement = self.homeroom.read_replacement_of(
                    resource_type, request.body, request.header("Content-Type"), current
                )
                conditions = self.service.read_conditions(request)
                resource = self.replace_resource(resource_type, current, replacement, conditions)
            return self.service.replacement_response(request.base_url, resource, response_parameters)


def _held(resource_type: ResourceType, current: Resource[Any]) -> dict[str, Any]:
    """The stored values of the required attributes, for a PUT that leaves them out."""
    if resource_type.schema_ == GROUP_SCHEMA:
        return {"extension": {"school": current[HomeroomGroup].school}}
    return {
        "userType": current["userType"],
        "active": current["active"],
        "extension": {"org": current[HomeroomUser].org},
    }


def _fill(payload: dict[str, Any], resource_type: ResourceType, defaults: dict[str, Any]) -> None:
    """Give `payload` the defaults of the required attributes it lacks (attribute names are
    case-insensitive in SCIM); the extension's are added under its URN, listed in `schemas`."""
    names = {key.lower() for key in payload}
    payload |= {
        name: value
        for name, value in defaults.items()
        if name != "extension" and name.lower() not in names and value is not None
    }
    extension_urn = GROUP_EXTENSION if resource_type.schema_ == GROUP_SCHEMA else USER_EXTENSION
    wanted = {k: v for k, v in defaults["extension"].items() if v is not None}
    key = next((k for k in payload if k.lower() == extension_urn.lower()), extension_urn)
    extension = payload.get(key)
    if not isinstance(extension, dict):
        if extension is not None or not wanted:
            return
        extension = payload[key] = {}
    present = {k.lower() for k in extension}
    for name, value in wanted.items():
        if name.lower() not in present:
            extension[name] = value
    schemas = payload.get("schemas")
    if (
        isinstance(schemas, list)
        and extension
        and not any(str(s).lower() == extension_urn.lower() for s in schemas)
    ):
        schemas.append(extension_urn)

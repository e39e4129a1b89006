"""The storage scim2-server reads and writes through: Homeroom's use cases, as the caller.

scim2-server handles the protocol (validation, PATCH and PUT semantics, conditional requests, attribute
selection, list responses); it hands this storage whole resources. Each method runs inside the request's
unit of work (`Homeroom.work`), so a request is all or nothing, and the services it calls authorize
and audit every read and write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scim2_models import Resource, ResourceType, ResponseParameters, ScimProvider, SearchRequest
from scim2_server.storage import ScimStorage, SearchPage

from homeroom.errors import InvalidInput
from homeroom.services.access import Access
from homeroom.services.scim import filters, groups, users
from homeroom.services.scim.placement import Placement
from homeroom.store.scim import Query

USER = "User"


class HomeroomStorage(ScimStorage):
    def __init__(self, access: Access, provider: ScimProvider, default: Callable[[], Placement]) -> None:
        self.access = access
        self.provider = provider
        self.default = default

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        # the server passes response parameters only when the client reads the resource (a GET); the
        # read a PUT, PATCH or DELETE starts with is not a disclosure of it
        model = self._model(resource_type)
        if resource_type.name == USER:
            disclose = response_parameters is not None
            return users.read_user(self.access, model, resource_id, disclose=disclose)  # type: ignore[no-any-return]
        return groups.read_group(self.access, model, resource_id)  # type: ignore[no-any-return]

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,  # noqa: ARG002 - paged by index only (no cursors announced)
    ) -> SearchPage:
        """Users, then Groups at the root: `startIndex` and `count` run over that concatenation."""
        across = len(resource_types) > 1
        if across and search_request.sort_by is not None:
            raise InvalidInput("a search across resource types cannot be sorted", code="scim_invalid_value")
        offset = max((search_request.start_index or 1) - 1, 0)
        limit = search_request.count if search_request.count is not None else 0
        node = search_request.filter.ast if search_request.filter is not None else None
        descending = search_request.sort_order == SearchRequest.SortOrder.descending
        total, found = 0, list[Resource[Any]]()
        for resource_type in resource_types:
            name = resource_type.name or ""
            condition = filters.condition(name, node, lenient=across) if node is not None else None
            order = (
                filters.order(name, search_request.sort_by, descending=descending)
                if search_request.sort_by is not None
                else None
            )
            search = users.search_users if name == USER else groups.search_groups
            query = Query(condition, order, offset=max(offset - total, 0), limit=limit - len(found))
            count, page = search(self.access, self._model(resource_type), query)
            total += count
            found += page
        return SearchPage(total, found)

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        model = self._model(resource_type)
        if resource_type.name == USER:
            return users.create_user(self.access, model, resource, self.default())  # type: ignore[no-any-return]
        return groups.create_group(self.access, model, resource, self.default())  # type: ignore[no-any-return]

    def update(
        self, resource_type: ResourceType, resource: Resource[Any], *, expected_version: str | None = None
    ) -> Resource[Any]:
        model = self._model(resource_type)
        expected = _version(expected_version)
        if resource_type.name == USER:
            return users.replace_user(self.access, model, resource, expected=expected)  # type: ignore[no-any-return]
        return groups.replace_group(self.access, model, resource, expected=expected)  # type: ignore[no-any-return]

    def delete(
        self, resource_type: ResourceType, resource_id: str, *, expected_version: str | None = None
    ) -> None:
        expected = _version(expected_version)
        if resource_type.name == USER:
            users.delete_user(self.access, resource_id, expected=expected)
        else:
            groups.delete_group(self.access, resource_id, expected=expected)

    def _model(self, resource_type: ResourceType) -> type[Resource[Any]]:
        model = self.provider.model_for(resource_type)
        assert model is not None  # noqa: S101 - the server routes only to the provider's resource types
        return model  # type: ignore[return-value]


def _version(etag: str | None) -> int:
    """The integer version of a `W/"3"` entity tag (the one this storage gave the resource it read)."""
    text = (etag or "").strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput(f"{etag!r} is not a version of this server", code="scim_invalid_value")
    return int(text)

"""SCIM filters and sort orders as conditions the store turns into SQL (store/scim.py).

The server has parsed and checked the filter against the resource's model (scim2-models); this module
maps each attribute path to the field that holds it. Supported, on Users: `id`, `userName`, `externalId`,
`name.givenName`, `name.familyName`, `emails` / `emails.value`, `active`, `userType`, `groups` /
`groups.value`; on Groups: `id`, `externalId`, `displayName`, `members` / `members.value` and the
extension's `school`. Every operator of RFC 7644 3.4.2.2 (`eq ne co sw ew gt ge lt le pr`), `and`, `or`,
`not` and value paths such as `emails[value co "@school.org"]`. Anything else answers 400 invalidFilter;
in a search across resource types, an attribute a type does not have matches none of its resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from scim2_models.path import AttrPath, Comparison, LogicalExpr, LogicalOperator, Not, Present, ValuePath

from homeroom.errors import InvalidInput
from homeroom.services.scim.models import GROUP_EXTENSION, GROUP_SCHEMA, USER_EXTENSION, USER_SCHEMA
from homeroom.store import scim as store


@dataclass(frozen=True)
class Field:
    name: str
    case_exact: bool


USER_FIELDS: Final = {
    "id": Field("id", case_exact=True),
    "username": Field("username", case_exact=True),
    "externalid": Field("source_id", case_exact=True),
    "name.givenname": Field("given_name", case_exact=False),
    "name.familyname": Field("family_name", case_exact=False),
    "emails": Field("email", case_exact=False),
    "emails.value": Field("email", case_exact=False),
    "active": Field("active", case_exact=True),
    "usertype": Field("kind", case_exact=False),
    "groups": Field("class", case_exact=True),
    "groups.value": Field("class", case_exact=True),
}
GROUP_FIELDS: Final = {
    "id": Field("id", case_exact=True),
    "externalid": Field("source_id", case_exact=True),
    "displayname": Field("name", case_exact=False),
    "members": Field("member", case_exact=True),
    "members.value": Field("member", case_exact=True),
    f"{GROUP_EXTENSION.lower()}:school": Field("school", case_exact=True),
}
FIELDS: Final = {"User": USER_FIELDS, "Group": GROUP_FIELDS}
SCHEMAS: Final = {"User": (USER_SCHEMA, USER_EXTENSION), "Group": (GROUP_SCHEMA, GROUP_EXTENSION)}


def condition(resource_type: str, node: Any, *, lenient: bool) -> store.Condition:
    """The store's condition for a parsed filter on `resource_type`. `lenient` (a search across types):
    an attribute this type does not know matches nothing instead of being an error."""
    return _Translator(resource_type, lenient=lenient).translate(node, prefix=None)


def order(resource_type: str, sort_by: Any, *, descending: bool) -> store.Order:
    field = _field(resource_type, str(sort_by), lenient=True)
    if field is None or field.name in ("active", "class", "member"):
        raise InvalidInput(f"cannot sort by {sort_by!s}", code="scim_invalid_value")
    return store.Order(field.name, descending=descending, case_exact=field.case_exact)


class _Translator:
    def __init__(self, resource_type: str, *, lenient: bool) -> None:
        self.resource_type = resource_type
        self.lenient = lenient

    def translate(self, node: Any, *, prefix: AttrPath | None) -> store.Condition:
        match node:
            case LogicalExpr(op, terms):
                parts = tuple(self.translate(term, prefix=prefix) for term in terms)
                return store.Every(parts) if op == LogicalOperator.and_ else store.Some(parts)
            case Not(expr):
                return store.Negated(self.translate(expr, prefix=prefix))
            case ValuePath(attr_path, val_filter) if prefix is None:
                return self.translate(val_filter, prefix=attr_path)
            case Present(attr_path):
                field = self._field(attr_path, prefix)
                return store.Some(()) if field is None else store.Present(field.name)
            case Comparison(attr_path, op, value):
                field = self._field(attr_path, prefix)
                if field is None:
                    return store.Some(())
                if not isinstance(value, str | bool):
                    raise InvalidInput(
                        f"cannot compare {attr_path} with {value!r}", code="scim_invalid_filter"
                    )
                return store.Compare(field.name, str(op), value, field.case_exact)
        raise InvalidInput(f"this filter is not supported: {node}", code="scim_invalid_filter")

    def _field(self, attr_path: AttrPath, prefix: AttrPath | None) -> Field | None:
        if prefix is not None:  # emails[value eq "x"]: the filter's attributes are sub-attributes
            if attr_path.uri is not None or attr_path.sub_attr is not None:
                raise InvalidInput(f"cannot filter on {prefix}[{attr_path}]", code="scim_invalid_filter")
            attr_path = AttrPath(prefix.attr, attr_path.attr, prefix.uri)
        return _field(self.resource_type, str(attr_path), lenient=self.lenient)


def _field(resource_type: str, path: str, *, lenient: bool) -> Field | None:
    key = path.lower()
    for schema in SCHEMAS[resource_type]:
        if key.startswith(schema.lower() + ":") and schema in (USER_SCHEMA, GROUP_SCHEMA):
            key = key[len(schema) + 1 :]
    field = FIELDS[resource_type].get(key)
    if field is None and not lenient:
        raise InvalidInput(f"cannot filter or sort {resource_type}s on {path}", code="scim_invalid_filter")
    return field

"""The use case of a roster export: authorize, audit, then stream the anchor's subtree from the store.

The rows are Homeroom's; `homeroom.sync.exports` turns them into OneRoster 1.2 records with the tenant's
mapping read backwards, so that importing the export changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.roster_config import RosterConfig, config_from_json
from homeroom.services.roster_sync import authorize_roster, root_org
from homeroom.store import roster_export
from homeroom.store.roster_settings import read_config


@dataclass(frozen=True)
class ExportSource:
    """What an export reads, each a fresh stream over the caller's transaction."""

    access: Access
    anchor: str
    config: RosterConfig

    def orgs(self) -> Iterator[tuple[Any, ...]]:
        return roster_export.orgs(self.access.session, self.access.tenant_id, self.anchor)

    def classes(self) -> Iterator[tuple[Any, ...]]:
        return roster_export.classes(self.access.session, self.access.tenant_id, self.anchor)

    def users(self) -> Iterator[tuple[Any, ...]]:
        return roster_export.users(self.access.session, self.access.tenant_id, self.anchor)

    def memberships(self) -> Iterator[tuple[Any, ...]]:
        return roster_export.memberships(self.access.session, self.access.tenant_id, self.anchor)

    def links(self) -> Iterator[tuple[Any, ...]]:
        return roster_export.links(self.access.session, self.access.tenant_id, self.anchor)


def open_export(access: Access, anchor: str | None, *, job: str | None = None) -> ExportSource:
    """Authorize an export of the subtree of `anchor` (default: the tenant's root org) and audit it."""
    anchor = anchor or root_org(access)
    authorize_roster(access, anchor)
    audit.record(access, "roster.export", Ref("org", anchor), details={"job": job})
    config = config_from_json(access.profile, read_config(access.session, access.tenant_id))
    return ExportSource(access, anchor, config)

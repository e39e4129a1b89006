"""Read and change a tenant's roster import settings (services/roster_config.py says what they mean).

Who may import at the tenant's root org may change them (operators always); every change is audited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.roster_config import config_from_json, merge
from homeroom.services.roster_sync import authorize_roster, root_org
from homeroom.services.runtime import Authenticate, Homeroom
from homeroom.store import roster_settings as stored


def settings_view(access: Access) -> dict[str, Any]:
    authorize_roster(access, root_org(access))
    config = config_from_json(access.profile, stored.read_config(access.session, access.tenant_id))
    return {"version": stored.read_version(access.session, access.tenant_id), "settings": config.as_json()}


def update_settings(access: Access, changes: Mapping[str, Any], *, expected: int | None) -> dict[str, Any]:
    root = root_org(access)
    authorize_roster(access, root)
    current = config_from_json(access.profile, stored.read_config(access.session, access.tenant_id))
    config = merge(access.profile, current, changes)
    document = config.as_json()
    document.pop("admin_roles")
    version = stored.write_config(access.session, access.tenant_id, json.dumps(document), expected=expected)
    audit.record(access, "roster.configure", Ref("org", root), details={"changes": dict(changes)})
    return {"version": version, "settings": config.as_json()}


def read_settings(app: Homeroom, authenticate: Authenticate) -> dict[str, Any]:
    return app.work(authenticate, settings_view)


def change_settings(
    app: Homeroom, authenticate: Authenticate, changes: Mapping[str, Any], *, expected: int | None
) -> dict[str, Any]:
    return app.work(authenticate, lambda access: update_settings(access, changes, expected=expected))

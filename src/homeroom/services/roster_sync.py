"""The use case of a roster import: authorize, stage, plan, and (unless held or a dry run) apply and audit.

The adapter (`homeroom.sync`) reads the package and feeds this module plain rows in dependency order:
orgs, classes, users, memberships (a user's role at an org), links (enrollments). Orgs and classes are
planned in memory (services/roster_orgs.py); users and links stream into staging tables and are diffed
in SQL (store/roster_diff.py). Everything happens in the caller's one transaction: a dry run, a held plan
or any problem rolls it back, so nothing is written unless all of it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from homeroom.errors import Forbidden
from homeroom.policy.world import Check, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize, evaluate
from homeroom.services.roster_config import STUDENT_ROLE, RosterConfig, config_from_json
from homeroom.services.roster_orgs import (
    ClassPlan,
    Issue,
    OrgPlan,
    PackageClass,
    PackageOrg,
    candidate_id,
    hashed_id,
)
from homeroom.services.roster_rows import LinkRows, Membership, MembershipRows, PackageLink, UserRows
from homeroom.store import reach, references, roster_diff, roster_objects, roster_session
from homeroom.store import roster_stage as rs
from homeroom.store import tables as t
from homeroom.store.roster_settings import read_config
from homeroom.store.tenants import advance_revision

IMPORT_PERMISSION: Final = "roster.bulk_import"
USERS_FILE: Final = "users.csv"
ENROLLMENTS_FILE: Final = "enrollments.csv"
TEACHING_ROLES: Final = frozenset({"teacher", "proctor", "administrator", "aide"})
MAX_ISSUES: Final = 1000
BULK_CREATION: Final = 1000  # new accounts and classes above which PostgreSQL's statistics are refreshed


@dataclass(frozen=True)
class Modes:
    """Which files are bulk (complete: absence removes) rather than delta."""

    orgs: bool
    classes: bool
    users: bool
    enrollments: bool


@dataclass
class Plan:
    counts: dict[str, dict[str, int]]
    issues: list[Issue]
    held: list[str]
    skipped: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def changes(self) -> int:
        """Objects and links the plan creates, updates or removes: what `apply` writes."""
        return sum(sum(by_change.values()) for by_change in self.counts.values())


@dataclass
class RosterSync:
    access: Access
    anchor: Ref
    config: RosterConfig
    modes: Modes
    orgs: OrgPlan
    classes: ClassPlan
    issues: list[Issue] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    _present_orgs: set[str] = field(default_factory=set)
    _present_classes: set[str] = field(default_factory=set)

    # -- orgs and classes -----------------------------------------------------------------------------

    def add_orgs(self, orgs: list[PackageOrg]) -> None:
        self.orgs.add(orgs)
        self._present_orgs = {self.orgs.keys[o.key] for o in orgs if self.orgs.keys.get(o.key)}
        if self.modes.orgs:
            self.orgs.absent(self._present_orgs, self.config.include_hand_made, self.config.absent)
        self.issues += self.orgs.issues

    def add_classes(self, classes: list[PackageClass]) -> None:
        self.classes.add(classes, self.orgs, self.config.tobedeleted)
        self._present_classes = {self.classes.keys[c.key] for c in classes if c.key in self.classes.keys}
        if self.modes.classes:
            self.classes.absent(
                self._present_classes, self.orgs, self.config.include_hand_made, self.config.absent
            )
        self.issues += self.classes.issues

    # -- users ------------------------------------------------------------------------------------------

    def add_users(self, users: UserRows) -> None:
        """Stage a chunk of users (at most `rs.CHUNK`), with the ids they have or will have."""
        session, tenant = self.access.session, self.access.tenant_id
        keys = users.keys
        by_source = rs.users_by_source(session, tenant, keys)
        by_id = rs.users_by_id(session, tenant, [candidate_id(k) for k in keys if k not in by_source])
        deactivate, delete = self.config.tobedeleted == "deactivate", self.config.tobedeleted == "delete"
        rows = []
        for key, kind, username, given, family, email, enabled, removed, line in zip(
            keys, users.kinds, users.usernames, users.given_names, users.family_names, users.emails,
            users.enabled, users.removed, users.lines, strict=True,
        ):  # fmt: skip
            user_id, is_new = _resolve(key, by_source, by_id)
            status = "inactive" if (removed and deactivate) or not enabled else "active"
            deleted = "soft" if removed and delete else "none"
            rows.append(
                (user_id, key, kind, status, deleted, username or None, given[:100], family[:100], email,
                 is_new, line)
            )  # fmt: skip
        rs.stage_rows(session, rs.USERS, rows)

    def add_memberships(self, rows: MembershipRows) -> None:
        """Stage a chunk of home orgs, role assignments and account kinds; `settle_memberships` after the
        last. Of two memberships that give the same home org or role, the first in the package wins."""
        session = self.access.session
        users = self._users_of(list(rows.user_keys))
        staged = _Memberships([], [], [])
        for m in rows:
            self._membership(m, users, staged)
        rs.stage_rows(session, rs.USER_ORGS, staged.orgs)
        rs.stage_rows(session, rs.ROLES, staged.roles)
        rs.stage_rows(session, rs.ACCOUNTS, staged.accounts)

    def settle_memberships(self) -> None:
        """After the last membership: report users with both student and staff roles; decide the kind of
        users whose package did not say it (OneRoster 1.2), and skip those with no imported role."""
        session = self.access.session
        for table in (rs.USER_ORGS, rs.ROLES, rs.ACCOUNTS):
            rs.index_staged(session, table)
        for line, key in rs.mixed_accounts(session, MAX_ISSUES):
            self._issue(
                Issue(
                    "roles.csv",
                    line,
                    "role",
                    key,
                    "role_account_kind",
                    "student roles or staff roles, not both",
                )
            )
        self.skipped.update(rs.settle_kinds(session))

    def _membership(
        self, m: Membership, users: dict[str, tuple[str, str | None]], staged: _Memberships
    ) -> None:
        by_kind = self.config.roles.get(m.role)
        found = users.get(m.user_key)
        org_id = self.orgs.resolve(m.org_key)
        if by_kind is None or found is None or org_id is None:
            self._skip(f"role {m.role}" if by_kind is None else "membership of an unknown user or org")
            return
        user_id, kind = found
        account = "student" if m.role == STUDENT_ROLE else "staff"
        if kind is not None and kind != account:
            self._issue(
                Issue(m.file, m.line, "role", m.role, "role_account_kind", f"a role for a {kind} account")
            )
            return
        role = by_kind.get(self.orgs.kind_of(org_id))
        position = 0 if m.primary else 1
        if not m.removed:
            staged.accounts.append((user_id, account))
        if not m.removed and (account == STUDENT_ROLE or role is None):
            # A student's school is a home org; staff are placed by their roles (as when made by hand),
            # and only staff without a role at an org get it as a home org.
            staged.orgs.append((user_id, org_id, position, m.line))
        if role is not None:
            staged.roles.append((user_id, role, org_id, position, m.removed, m.line))

    def _users_of(self, keys: list[str]) -> dict[str, tuple[str, str | None]]:
        """Users by package key: staged ones, else stored ones (a delta row may name a stored user)."""
        session, tenant = self.access.session, self.access.tenant_id
        found = rs.staged_users(session, keys)
        missing = [k for k in keys if k not in found]
        if missing:
            for key, user_id in rs.users_by_source(session, tenant, missing).items():
                found[key] = (user_id, None)
            rest = [k for k in missing if k not in found]
            for user_id, (source_id, _kind) in rs.users_by_id(session, tenant, rest).items():
                if source_id is None:
                    found[user_id] = (user_id, None)
            stored_ids = [found[k][0] for k in missing if k in found]
            kinds = {i: kind for i, (_s, kind) in rs.users_by_id(session, tenant, stored_ids).items()}
            for key in missing:
                if key in found:
                    found[key] = (found[key][0], kinds.get(found[key][0]))
        return found

    # -- links ------------------------------------------------------------------------------------------

    def add_links(self, links: LinkRows) -> None:
        """Stage a chunk of teaching assignments and enrollments; `settle_links` after the last. Of two rows
        for the same class and user, the first in the package wins."""
        session, classes = self.access.session, self.classes.keys
        users = self._users_of(list(links.user_keys))
        rows: list[tuple[object, ...]] = []
        for class_key, user_key, role, removed, line in zip(
            links.class_keys, links.user_keys, links.roles, links.removed, links.lines, strict=True
        ):
            # The common case inline: a student's enrollment, every key resolved.
            class_id, found = classes.get(class_key), users.get(user_key)
            if class_id and found and role == STUDENT_ROLE and found[1] in (None, "student"):
                rows.append(("enroll", class_id, found[0], 0, removed, line, ENROLLMENTS_FILE))
            elif (
                row := self._link_row(PackageLink(class_key, user_key, role, removed, line), users)
            ) is not None:
                rows.append(row)
        rs.stage_rows(session, rs.LINKS, rows)

    def settle_links(self) -> None:
        """After the last link (or none): index them for the plan."""
        rs.index_staged(self.access.session, rs.LINKS)

    def _link_row(
        self, link: PackageLink, users: dict[str, tuple[str, str | None]]
    ) -> tuple[object, ...] | None:
        """A row of `rs_links`, in its column order, or None (skipped, or an issue)."""
        class_id = self.classes.resolve(link.class_key)
        found = users.get(link.user_key)
        if class_id is None or found is None:
            self._skip("enrollment of a user or class not imported")
            return None
        user_id, kind = found
        kind_needed = "student" if link.role == STUDENT_ROLE else "staff"
        if link.role != STUDENT_ROLE and link.role not in TEACHING_ROLES:
            self._skip(f"enrollment role {link.role}")
            return None
        if kind is not None and kind != kind_needed:
            expected = "a student account" if kind_needed == "student" else "a staff account"
            self._issue(
                Issue(ENROLLMENTS_FILE, link.line, "role", link.role, "enrollment_account_kind", expected)
            )
            return None
        kind_of_link = "enroll" if kind_needed == "student" else "teach"
        return (kind_of_link, class_id, user_id, 0, link.removed, link.line, ENROLLMENTS_FILE)

    # -- plan and apply ------------------------------------------------------------------------------

    @property
    def created_users(self) -> int:
        return rs.new_users(self.access.session)

    def plan(self) -> Plan:
        session = self.access.session
        rs.analyze_staging(session)
        for clash in roster_diff.clashes(session, self.access.tenant_id, limit=MAX_ISSUES):
            self._issue(Issue(USERS_FILE, clash.line, "username", clash.value, clash.code, clash.expected))
        self._check_grants()
        scope = self._scope()
        users = roster_diff.count_users(session, scope, self.config.admin_roles)
        links = roster_diff.count_links(session, scope)
        org_new, org_changed = self.orgs.changes()
        class_new, class_changed = self.classes.changes()
        counts = {
            "orgs": _count(len(org_new), len(org_changed), self.orgs.removed_count()),
            "classes": _count(len(class_new), len(class_changed), self.classes.removed_count()),
            "staff": _count(
                users.created.get("staff", 0), users.updated.get("staff", 0), users.removed.get("staff", 0)
            ),
            "students": _count(
                users.created.get("student", 0),
                users.updated.get("student", 0),
                users.removed.get("student", 0),
            ),
            "roles": _count(links.roles_added, 0, links.roles_removed),
            "user_orgs": _count(links.orgs_added, 0, links.orgs_removed),
            "teaching": _count(links.teaching_added, 0, links.teaching_removed),
            "enrollments": _count(links.enrollments_added, 0, links.enrollments_removed),
        }
        live = {
            "orgs": self.orgs.live_count(),
            "classes": self.classes.live_count(self.orgs),
            "staff": users.stored.get("staff", 0),
            "students": users.stored.get("student", 0),
        }
        return Plan(
            counts, list(self.issues), self._holds(counts, live, users.admins_removed), dict(self.skipped)
        )

    def _holds(self, counts: dict[str, dict[str, int]], live: dict[str, int], admins: int) -> list[str]:
        share = self.config.max_removal_share
        held = [
            f"{counts[kind]['removed']} of {n} {kind} would be deactivated or deleted (more than {share:.0%})"
            for kind, n in live.items()
            if n and counts[kind]["removed"] / n > share
        ]
        if admins and self.config.hold_admin_removal:
            held.append(f"{admins} administrator account(s) or role(s) would be removed")
        return held

    def apply(self) -> None:
        """Write the plan: orgs (parents first), classes, users, then their links."""
        session, tenant = self.access.session, self.access.tenant_id
        org_new, org_changed = self.orgs.changes()
        roster_objects.add_roster_orgs(session, tenant, org_new)
        for before, after in org_changed:
            roster_objects.change_org(session, tenant, before, after)
        class_new, class_changed = self.classes.changes()
        roster_objects.add_classes(session, tenant, class_new)
        for stored_class, planned_class in class_changed:
            roster_objects.change_class(session, tenant, stored_class, planned_class)
        self._apply_rows(len(class_new) + self.created_users > BULK_CREATION)
        advance_revision(session, tenant)

    def _apply_rows(self, many: bool) -> None:
        """Users, their links and the reach, where permitted with the triggers off and the references
        proven by set before commit (store/references.py). The reach of an import below the root is
        refreshed with the triggers on: proving it would read the whole tenant's reach."""
        session, tenant, scope = self.access.session, self.access.tenant_id, self._scope()
        whole = scope.anchor is None
        with references.triggers_off(session, enabled=references.may_skip_triggers(session)) as off:
            roster_diff.apply_users(session, scope)
            if many:
                rs.refresh_statistics(session)
            roster_diff.apply_links(session, scope)
            if whole:
                roster_diff.refresh_reach(session, scope)
        if off:
            proven = (*rs.REFERENCES, *(reach.references(tenant) if whole else ()))
            references.references_proven(session, tenant, proven)
        if not whole:
            roster_diff.refresh_reach(session, scope)

    def _scope(self) -> roster_diff.Scope:
        mapped = {role for by_kind in self.config.roles.values() for role in by_kind.values() if role}
        return roster_diff.Scope(
            tenant_id=self.access.tenant_id,
            anchor=None if self.orgs.anchor.parent_id is None else self.orgs.anchor.id,
            removal=self.config.absent,
            include_hand_made=self.config.include_hand_made,
            bulk_users=self.modes.users,
            bulk_links=self.modes.enrollments,
            mapped_roles=sorted(mapped),
        )

    def close(self) -> None:
        """Drop the staging tables (PostgreSQL drops them at commit; SQLite keeps them per connection)."""
        rs.drop_staging(self.access.session)

    def release(self) -> None:
        """Whatever the outcome: give the session back the settings it had before the import."""
        roster_session.untune_session(self.access.session)

    def _check_grants(self) -> None:
        """An account may only give the roles it could give one by one (`staff.create` at that org)."""
        if is_operator(self.access) or "staff.create" not in self.access.profile.permissions:
            return
        for role, org_id, line in rs.granted_pairs(self.access.session):
            check = Check(self.access.actor, "staff.create", Ref("org", org_id), role=role)
            decision, _facts = evaluate(self.access, check)
            if not decision.allowed:
                self._issue(
                    Issue("roles.csv", line, "role", role, "role_not_grantable",
                          f"a role you may give at {org_id} ({decision.reason.message})")
                )  # fmt: skip

    def _issue(self, issue: Issue) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)

    def _skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


@dataclass
class _Memberships:
    """Rows of one chunk of memberships for `rs_user_orgs`, `rs_roles` and `rs_accounts`."""

    orgs: list[tuple[str, str, int, int]]
    roles: list[tuple[str, str, str, int, bool, int]]
    accounts: list[tuple[str, str]]


def _resolve(
    key: str, by_source: dict[str, str], by_id: dict[str, tuple[str | None, str]]
) -> tuple[str, bool]:
    """The user id for `key` and whether the account is new (see roster_orgs for the matching rules)."""
    if key in by_source:
        return by_source[key], False
    candidate = candidate_id(key)
    if candidate in by_id:
        source_id, _kind = by_id[candidate]
        if source_id is None and candidate == key:
            return key, False
        return hashed_id(key), True
    return candidate, True


def _count(created: int, updated: int, removed: int) -> dict[str, int]:
    return {"created": created, "updated": updated, "removed": removed}


def authorize_roster(access: Access, anchor: str) -> None:
    """Importing into (or exporting) the subtree of `anchor`: `roster.bulk_import` there; operators may."""
    if is_operator(access):
        return
    if IMPORT_PERMISSION not in access.profile.permissions:
        raise Forbidden(
            f"the {access.profile.id} chart has no bulk import: operators import from the command line",
            code="import_not_charted",
        )
    authorize(access, IMPORT_PERMISSION, Ref("org", anchor))


def is_operator(access: Access) -> bool:
    """The command line without an account: whoever holds the database (services/operators.py)."""
    return access.principal.via == "cli" and access.principal.user_id is None


def open_sync(access: Access, anchor: str, modes: Modes) -> RosterSync:
    """Authorize an import anchored at org `anchor` and start its staging."""
    authorize_roster(access, anchor)
    session, tenant = access.session, access.tenant_id
    config = config_from_json(access.profile, read_config(session, tenant))
    orgs = OrgPlan.start(anchor, roster_objects.stored_orgs(session, tenant), config, config.tobedeleted)
    classes = ClassPlan.start(roster_objects.stored_classes(session, tenant))
    roster_session.tune_session(session)  # first: PostgreSQL sizes temporary buffers before the first table
    rs.create_staging(session)
    return RosterSync(access, Ref("org", anchor), config, modes, orgs, classes)


def record(access: Access, sync: RosterSync, plan: Plan, written: int, details: dict[str, object]) -> None:
    audit.record(
        access,
        "roster.import",
        sync.anchor,
        details={"counts": plan.counts, "rows_written": written, **details},
    )


def known_ids(access: Access) -> Callable[[str, str], bool]:
    """For the parser: whether the tenant holds a record a delta package references but does not carry.

    Orgs, users and classes are looked up by external id (or, for hand-made ones, id). Homeroom keeps no
    courses, academic sessions or user profiles, so references to those cannot be checked and are taken.
    """
    tables: dict[str, type[t.Org | t.User | t.SchoolClass]] = {
        "orgs": t.Org,
        "users": t.User,
        "classes": t.SchoolClass,
    }

    def known(kind: str, sourced_id: str) -> bool:
        table = tables.get(kind)
        if table is None:
            return True
        return rs.holds(access.session, table, access.tenant_id, sourced_id)

    return known


def root_org(access: Access) -> str:
    """The tenant's root org: where an import is anchored unless told otherwise."""
    return rs.root_org(access.session, access.tenant_id)

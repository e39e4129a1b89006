"""The schema: SQLAlchemy 2 typed mappings. Alembic migrations build it; these describe it.

Every table carries `tenant_id` and its keys start with it, so every lookup and join is scoped to one
tenant by its index. Objects keep the ids the policy uses (`Org.id`, `User.id`...) as text, unique per
tenant; references between objects are composite foreign keys `(tenant_id, id)`, so a row can never
point into another tenant. `org_closure` holds every (ancestor, descendant) pair of the org tree, the org
itself included at depth 0: "x lies in subtree(A)" is one indexed probe. No relationships are mapped:
queries say what they load.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID = String(64)
DELETED_VALUES = "deleted IN ('none', 'soft', 'purged')"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _tenant() -> Mapped[int]:
    return mapped_column(Integer, ForeignKey("tenants.id"), primary_key=True)


def _version() -> Mapped[int]:
    """Optimistic concurrency: every update bumps it; ETags and If-Match carry it."""
    return mapped_column(Integer, default=1, server_default="1")


def _ref(table: str, *columns: str) -> ForeignKeyConstraint:
    """A same-tenant reference: (tenant_id, columns...) -> table (tenant_id, id)."""
    return ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"])


class Tenant(Base):
    """A customer. `revision` advances on every write, so caches keyed by it are never stale."""

    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    profile: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_head: Mapped[str] = mapped_column(String(64), default="", server_default="")


class Org(Base):
    __tablename__ = "orgs"
    __table_args__ = (
        _ref("orgs", "parent_id"),
        UniqueConstraint("tenant_id", "source_id"),
        Index(None, "tenant_id", "parent_id"),
        CheckConstraint(
            "kind IN ('customer', 'district', 'school', 'school_group', 'organization')", name="kind"
        ),
        CheckConstraint(DELETED_VALUES, name="deleted"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(ID)
    deleted: Mapped[str] = mapped_column(String(8), default="none")
    source_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    version: Mapped[int] = _version()


class OrgClosure(Base):
    """Every (ancestor, descendant) pair of the tree, depth 0 for the org itself."""

    __tablename__ = "org_closure"
    __table_args__ = (
        _ref("orgs", "ancestor_id"),
        _ref("orgs", "descendant_id"),
        Index(None, "tenant_id", "ancestor_id", "descendant_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    descendant_id: Mapped[str] = mapped_column(ID, primary_key=True)
    ancestor_id: Mapped[str] = mapped_column(ID, primary_key=True)
    depth: Mapped[int] = mapped_column(Integer)


class SchoolGroupMember(Base):
    __tablename__ = "school_group_members"
    __table_args__ = (_ref("orgs", "group_id"), _ref("orgs", "school_id"))
    tenant_id: Mapped[int] = _tenant()
    group_id: Mapped[str] = mapped_column(ID, primary_key=True)
    school_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        _ref("users", "created_by"),
        UniqueConstraint("tenant_id", "source_id"),
        UniqueConstraint("tenant_id", "username"),
        Index(None, "tenant_id", "created_by"),
        Index(None, "tenant_id", "kind", "deleted", "id"),  # keyset pages of one kind of user (0005)
        CheckConstraint("kind IN ('staff', 'student')", name="kind"),
        CheckConstraint("status IN ('invited', 'active', 'inactive')", name="status"),
        CheckConstraint(DELETED_VALUES, name="deleted"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="active")
    deleted: Mapped[str] = mapped_column(String(8), default="none")
    created_by: Mapped[str | None] = mapped_column(ID)
    source_id: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    family_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = _version()


class SchoolClass(Base):
    __tablename__ = "classes"
    __table_args__ = (
        _ref("orgs", "school_id"),
        _ref("users", "created_by"),
        UniqueConstraint("tenant_id", "source_id"),
        Index(None, "tenant_id", "school_id"),
        Index(None, "tenant_id", "created_by"),
        CheckConstraint("status IN ('active', 'inactive')", name="status"),
        CheckConstraint(DELETED_VALUES, name="deleted"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    school_id: Mapped[str] = mapped_column(ID)
    status: Mapped[str] = mapped_column(String(8), default="active")
    deleted: Mapped[str] = mapped_column(String(8), default="none")
    created_by: Mapped[str | None] = mapped_column(ID)
    source_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    version: Mapped[int] = _version()


class UserOrg(Base):
    """A user's home orgs (model.md 3: `orgs`)."""

    __tablename__ = "user_orgs"
    __table_args__ = (
        _ref("users", "user_id"),
        _ref("orgs", "org_id"),
        Index(None, "tenant_id", "org_id", "user_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RoleAssignment(Base):
    """`ROLE@ORG`: a built-in role id of the tenant's profile, or a custom role id."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        _ref("users", "user_id"),
        _ref("orgs", "org_id"),
        Index(None, "tenant_id", "org_id", "user_id"),
        Index(None, "tenant_id", "role"),
    )
    tenant_id: Mapped[int] = _tenant()
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    role: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Teaching(Base):
    __tablename__ = "teaching"
    __table_args__ = (
        _ref("users", "user_id"),
        _ref("classes", "class_id"),
        Index(None, "tenant_id", "class_id", "user_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    class_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        _ref("users", "user_id"),
        _ref("classes", "class_id"),
        Index(None, "tenant_id", "class_id", "user_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    class_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class UserReach(Base):
    """Every org a user is reached from: each ancestor (the org itself included) of each anchor of the
    user (home orgs, role assignment orgs, schools of the non-purged classes taught or enrolled in).

    Derived from the link tables and the closure, and rewritten with them by `store/reach.py` in the same
    transaction (migration 0008). `kind` is the user's (accounts never change kind): lists of one kind of
    user under an org are one range of (tenant, org, kind, user), in id order.
    """

    __tablename__ = "user_reach"
    __table_args__ = (
        _ref("users", "user_id"),
        _ref("orgs", "org_id"),
        Index(None, "tenant_id", "org_id", "kind", "user_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))


class CustomRole(Base):
    __tablename__ = "custom_roles"
    __table_args__ = (
        _ref("orgs", "org_id"),
        _ref("users", "created_by"),
        Index(None, "tenant_id", "org_id"),
        CheckConstraint(DELETED_VALUES, name="deleted"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID)
    rank: Mapped[int | None] = mapped_column(Integer)
    deleted: Mapped[str] = mapped_column(String(8), default="none")
    created_by: Mapped[str | None] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    version: Mapped[int] = _version()


class CustomRoleGrant(Base):
    """A custom role's grants as written: a permission and its scope text (`assigned, created`)."""

    __tablename__ = "custom_role_grants"
    __table_args__ = (_ref("custom_roles", "role_id"),)
    tenant_id: Mapped[int] = _tenant()
    role_id: Mapped[str] = mapped_column(ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    permission: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(80))


class Setting(Base):
    """A value set at an org (`is_set`), a lock on the key there (`locked`), or both. JSON text values."""

    __tablename__ = "settings"
    __table_args__ = (_ref("orgs", "org_id"), Index(None, "tenant_id", "key", "org_id"))
    tenant_id: Mapped[int] = _tenant()
    org_id: Mapped[str] = mapped_column(ID, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    is_set: Mapped[bool] = mapped_column(Boolean, default=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = _version()


class Assessment(Base):
    """A benchmark, pretest or placement result of one student."""

    __tablename__ = "assessments"
    __table_args__ = (
        _ref("users", "student_id"),
        _ref("users", "created_by"),
        Index(None, "tenant_id", "student_id"),
        CheckConstraint("kind IN ('benchmark', 'pretest', 'placement')", name="kind"),
        CheckConstraint(DELETED_VALUES, name="deleted"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    number: Mapped[int | None] = mapped_column(Integer)
    student_id: Mapped[str] = mapped_column(ID)
    deleted: Mapped[str] = mapped_column(String(8), default="none")
    created_by: Mapped[str | None] = mapped_column(ID)
    version: Mapped[int] = _version()


class Thing(Base):
    """Assessment-platform objects (question, test, media, ... notification): one org or one recipient.

    The content columns (migration 0007): `name`, `status` (a question's review state, a product's
    `active`/`disabled`, a sale's `open`/`approved`, a notification's `unread`/`read`), `body` (the type's
    other fields as a JSON object), a question's `workflow_id`, a partner's `account_id` (the account an
    impersonation acts as) and a key's `secret_hash` (SHA-256 of the code, which is shown once).
    """

    __tablename__ = "objects"
    __table_args__ = (
        _ref("orgs", "org_id"),
        _ref("users", "created_by"),
        _ref("users", "recipient_id"),
        _ref("users", "account_id"),
        _ref("users", "updated_by"),
        _ref("objects", "workflow_id"),
        Index(None, "tenant_id", "org_id", "type"),
        Index(None, "tenant_id", "type", "id"),
        Index(None, "tenant_id", "created_by"),
        Index(None, "tenant_id", "recipient_id"),
        UniqueConstraint("secret_hash"),
        CheckConstraint(DELETED_VALUES, name="deleted"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[str | None] = mapped_column(ID)
    deleted: Mapped[str] = mapped_column(String(8), default="none")
    created_by: Mapped[str | None] = mapped_column(ID)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    recipient_id: Mapped[str | None] = mapped_column(ID)
    source_id: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = _version()
    name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="", server_default="")
    body: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    workflow_id: Mapped[str | None] = mapped_column(ID)
    account_id: Mapped[str | None] = mapped_column(ID)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(ID)


def _when() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True))


class LoginSession(Base):
    """A browser session: the cookie's secret is stored only as its SHA-256."""

    __tablename__ = "login_sessions"
    __table_args__ = (_ref("users", "user_id"), Index(None, "tenant_id", "user_id"), UniqueConstraint("id"))
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's secret
    user_id: Mapped[str] = mapped_column(ID)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _when()
    expires_at: Mapped[datetime] = _when()
    impersonator_id: Mapped[str | None] = mapped_column(ID)
    partner_id: Mapped[str | None] = mapped_column(ID)  # the partner an impersonation acts for (0007)


class ApiToken(Base):
    """An integration token of one account, or (no user) a tenant's service token for SCIM and authz."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        _ref("users", "user_id"),
        Index(None, "tenant_id", "user_id"),
        UniqueConstraint("secret_hash"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = _when()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Invitation(Base):
    """A one-time, expiring invitation for an invited staff account to set its password."""

    __tablename__ = "invitations"
    __table_args__ = (_ref("users", "user_id"), Index(None, "tenant_id", "user_id"), UniqueConstraint("id"))
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the secret
    user_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = _when()
    expires_at: Mapped[datetime] = _when()
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """One failed login, counted per account and per address for throttling."""

    __tablename__ = "login_failures"
    __table_args__ = (Index(None, "tenant_id", "subject", "at"),)
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime] = _when()


class AuditEntry(Base):
    """The append-only, hash-chained audit log: `hash` = SHA-256(previous hash + this entry's fields)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "tenant_id", "target_type", "target_id"),)
    tenant_id: Mapped[int] = _tenant()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = _when()
    request_id: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[str | None] = mapped_column(ID)
    impersonator_id: Mapped[str | None] = mapped_column(ID)
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(String(255))
    allowed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)
    hash: Mapped[str] = mapped_column(String(64))


# -- operations (migration 0003): export credits, products, class settings, parent portal, assessments --


class CreditBalance(Base):
    """The export credits one holder has: an org's pool (district or school) or an account.

    A debit is `UPDATE ... SET balance = balance - :n WHERE balance >= :n`, so the balance never goes below
    zero and two debits can never spend the same credit; `entries` numbers the holder's ledger rows. The
    holder is polymorphic (`org` or `user`), so the store checks that it exists before the first write.
    """

    __tablename__ = "credit_balances"
    __table_args__ = (
        CheckConstraint("holder_type IN ('org', 'user')", name="holder_type"),
        CheckConstraint("balance >= 0", name="balance"),
    )
    tenant_id: Mapped[int] = _tenant()
    holder_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ID, primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    entries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CreditEntry(Base):
    """The append-only credit ledger: one row per change of one holder's balance (a transfer has two)."""

    __tablename__ = "credit_ledger"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "holder_type", "holder_id"],
            ["credit_balances.tenant_id", "credit_balances.holder_type", "credit_balances.holder_id"],
        ),
        _ref("users", "actor_id"),
        UniqueConstraint("tenant_id", "holder_type", "holder_id", "seq"),
        Index(None, "tenant_id", "request_id"),
        CheckConstraint("delta <> 0", name="delta"),
        CheckConstraint("balance_after >= 0", name="balance_after"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder_type: Mapped[str] = mapped_column(String(8))
    holder_id: Mapped[str] = mapped_column(ID)
    seq: Mapped[int] = mapped_column(Integer)
    delta: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    counterpart: Mapped[str | None] = mapped_column(String(80))  # `org:ID` / `user:ID` of a transfer
    actor_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(500))
    request_id: Mapped[str] = mapped_column(String(64))


class StudentProduct(Base):
    """A product (an id of the profile's product catalog) assigned to a student."""

    __tablename__ = "student_products"
    __table_args__ = (_ref("users", "student_id"), _ref("users", "assigned_by"))
    tenant_id: Mapped[int] = _tenant()
    student_id: Mapped[str] = mapped_column(ID, primary_key=True)
    product: Mapped[str] = mapped_column(String(40), primary_key=True)
    assigned_by: Mapped[str | None] = mapped_column(ID)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StudentPathway(Base):
    """The one pathway a student is enrolled in."""

    __tablename__ = "student_pathways"
    __table_args__ = (_ref("users", "student_id"), _ref("users", "enrolled_by"))
    tenant_id: Mapped[int] = _tenant()
    student_id: Mapped[str] = mapped_column(ID, primary_key=True)
    pathway: Mapped[str] = mapped_column(String(40))
    enrolled_by: Mapped[str | None] = mapped_column(ID)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClassSetting(Base):
    """A class's classroom settings; a class without a row has the defaults. Goals are JSON text."""

    __tablename__ = "class_settings"
    __table_args__ = (_ref("classes", "class_id"), _ref("users", "updated_by"))
    tenant_id: Mapped[int] = _tenant()
    class_id: Mapped[str] = mapped_column(ID, primary_key=True)
    calculator: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    avatar_restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    goals: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    updated_by: Mapped[str | None] = mapped_column(ID)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClassMotivation(Base):
    """Whether a motivational program runs in a class."""

    __tablename__ = "class_motivation"
    __table_args__ = (_ref("classes", "class_id"), _ref("users", "updated_by"))
    tenant_id: Mapped[int] = _tenant()
    class_id: Mapped[str] = mapped_column(ID, primary_key=True)
    program: Mapped[str] = mapped_column(String(40), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str | None] = mapped_column(ID)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ParentPortalLogo(Base):
    """The logo an org shows in the parent portal: the image bytes (PNG or JPEG, at most 1 MiB)."""

    __tablename__ = "parent_portal_logos"
    __table_args__ = (
        _ref("orgs", "org_id"),
        _ref("users", "uploaded_by"),
        CheckConstraint("media_type IN ('image/png', 'image/jpeg')", name="media_type"),
    )
    tenant_id: Mapped[int] = _tenant()
    org_id: Mapped[str] = mapped_column(ID, primary_key=True)
    media_type: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str | None] = mapped_column(ID)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ParentRegistration(Base):
    """A parent's self-registration at an org (the parent portal writes these; Homeroom only reads)."""

    __tablename__ = "parent_registrations"
    __table_args__ = (
        _ref("orgs", "org_id"),
        _ref("users", "student_id"),
        Index(None, "tenant_id", "org_id", "id"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ID)
    student_id: Mapped[str | None] = mapped_column(ID)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssessmentEvent(Base):
    """Every state change of an assessment; `version` is the assessment's version the change produced."""

    __tablename__ = "assessment_history"
    __table_args__ = (
        _ref("assessments", "assessment_id"),
        _ref("users", "actor_id"),
        CheckConstraint("event IN ('assigned', 'reassigned', 'invalidated', 'unassigned')", name="event"),
    )
    tenant_id: Mapped[int] = _tenant()
    assessment_id: Mapped[str] = mapped_column(ID, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(String(64))


class BenchmarkSchedule(Base):
    """A testing window of the literacy benchmark, for an org or for one class."""

    __tablename__ = "benchmark_schedules"
    __table_args__ = (
        _ref("orgs", "org_id"),
        _ref("classes", "class_id"),
        _ref("users", "created_by"),
        Index(None, "tenant_id", "org_id"),
        Index(None, "tenant_id", "class_id"),
        CheckConstraint(
            "(org_id IS NULL AND class_id IS NOT NULL) OR (org_id IS NOT NULL AND class_id IS NULL)",
            name="one_target",
        ),
        CheckConstraint("window_end >= window_start", name="window"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    org_id: Mapped[str | None] = mapped_column(ID)
    class_id: Mapped[str | None] = mapped_column(ID)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- documents (migration 0004): one-time sign-in codes on students' cards, disclosure records --


class SigninCode(Base):
    """A one-time sign-in code printed on a student's card: stored only as SHA-256 of (tenant, user, code)."""

    __tablename__ = "signin_codes"
    __table_args__ = (
        _ref("users", "user_id"),
        _ref("users", "issued_by"),
        Index(None, "tenant_id", "user_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the digest
    user_id: Mapped[str] = mapped_column(ID)
    issued_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = _when()
    expires_at: Mapped[datetime] = _when()
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Disclosure(Base):
    """A disclosure of student records (FERPA 34 CFR 99.32): who, when, through which action, and why."""

    __tablename__ = "disclosures"
    __table_args__ = (_ref("users", "actor_id"),)
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # time first: id order is time order
    at: Mapped[datetime] = _when()
    actor_id: Mapped[str] = mapped_column(ID)
    impersonator_id: Mapped[str | None] = mapped_column(ID)
    request_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[str | None] = mapped_column(ID)
    purpose: Mapped[str] = mapped_column(String(200))
    students: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DisclosedStudent(Base):
    """A student whose records a disclosure included."""

    __tablename__ = "disclosed_students"
    __table_args__ = (
        _ref("disclosures", "disclosure_id"),
        _ref("users", "student_id"),
        Index(None, "tenant_id", "student_id", "disclosure_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    disclosure_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    student_id: Mapped[str] = mapped_column(ID, primary_key=True)


# -- rostering (migration 0006): a tenant's import settings and its import and export jobs --


class RosterSettings(Base):
    """How a tenant's OneRoster imports map roles and org types and treat absent records (JSON text)."""

    __tablename__ = "roster_settings"
    tenant_id: Mapped[int] = _tenant()
    config: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = _version()


class RosterJob(Base):
    """One import or export run through the API: its state, the stored package and the report (JSON)."""

    __tablename__ = "roster_jobs"
    __table_args__ = (
        _ref("users", "created_by"),
        Index(None, "tenant_id", "created_at"),
        CheckConstraint("kind IN ('import', 'export')", name="kind"),
        CheckConstraint(
            "status IN ('queued', 'running', 'planned', 'held', 'rejected', 'applied', 'failed', 'done')",
            name="status",
        ),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(10))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[str] = mapped_column(ID)
    created_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = _when()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    file_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    path: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = _version()


# -- assessment platform (migration 0007): content columns on objects, impersonated partners, test launches --


class Launch(Base):
    """One launch (a sitting) of a published test by an account."""

    __tablename__ = "test_launches"
    __table_args__ = (
        _ref("objects", "test_id"),
        _ref("users", "user_id"),
        Index(None, "tenant_id", "test_id", "id"),
        Index(None, "tenant_id", "user_id"),
    )
    tenant_id: Mapped[int] = _tenant()
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # time first: id order is time order
    test_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    impersonator_id: Mapped[str | None] = mapped_column(ID)
    at: Mapped[datetime] = _when()
    request_id: Mapped[str] = mapped_column(String(64))

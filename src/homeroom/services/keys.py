"""Access keys: generated in batches at an org (`key.create`), shown once, stored only as SHA-256.

A key is 100 random bits written as four groups of five Crockford base-32 characters
(`7K3QF-M2XR9-D0W4T-HV8BC`): no I, L, O or U, so it survives being read aloud or typed from paper, and
`normalize` accepts it in any case, with or without dashes, with I/L read as 1 and O as 0. The object keeps
the SHA-256 of the normalized code (a unique column) and, as `hint`, its last four characters, so a key can
be recognized in lists without being recoverable. 100 random bits need no salt or slow hash.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from homeroom.errors import InvalidInput
from homeroom.policy.world import Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.services.content import ContentView, read
from homeroom.services.content_values import body_text, new_id
from homeroom.store import content as store

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
GROUPS: Final = 4
GROUP_SIZE: Final = 5
MAX_BATCH: Final = 500
_READ_AS: Final = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE)) for _ in range(GROUPS))
    return "-".join(groups)


def normalize(code: str) -> str:
    """The code as stored for hashing: upper case, no dashes or spaces, I/L as 1 and O as 0."""
    return "".join(code.upper().split()).replace("-", "").translate(_READ_AS)


def digest(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()


@dataclass(frozen=True)
class KeyBatch:
    org: str
    count: int = 1
    name: str = ""
    body: Mapping[str, Any] = field(default_factory=dict)  # e.g. the product or licence the keys unlock


@dataclass(frozen=True)
class GeneratedKey:
    key: ContentView
    code: str  # shown once


def generate_keys(access: Access, batch: KeyBatch) -> list[GeneratedKey]:
    """`count` new keys at `org` (`key.create`); their codes are returned here and never again."""
    decision = authorize(access, "key.create", Ref("org", batch.org))
    if not 1 <= batch.count <= MAX_BATCH:
        raise InvalidInput(
            f"count must be between 1 and {MAX_BATCH}", code="invalid_count", details={"count": batch.count}
        )
    made = []
    for _ in range(batch.count):
        code = new_code()
        secret = digest(code)
        store.require_unused_hash(access.session, secret)
        key_id = new_id(access, "key", None)
        body = body_text({**batch.body, "hint": code[-4:]})
        name = batch.name.strip()[:200] or f"Key ...{code[-4:]}"
        store.add(
            access.session,
            access.tenant_id,
            store.NewThing(
                key_id, "key", batch.org, name, body, "active", access.actor, access.now, secret_hash=secret
            ),
        )
        made.append(GeneratedKey(read(access, key_id), code))
    details = {"org": batch.org, "count": batch.count, "keys": [k.key.id for k in made]}
    audit.record(access, "key.create", Ref("org", batch.org), decision=decision, details=details)
    return made

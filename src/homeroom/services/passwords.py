"""Passwords: argon2id hashes (argon2-cffi), never stored or logged in plain text."""

from __future__ import annotations

from functools import cache
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from homeroom.errors import InvalidInput

MIN_LENGTH: Final = {"staff": 8, "student": 4}
MAX_LENGTH: Final = 256
# verified against when the account does not exist, so both paths cost one argon2 verification
_DUMMY_PASSWORD: Final = "no such account"  # noqa: S105 - a decoy, not a credential


def check_password(password: str, kind: str) -> None:
    """Raise InvalidInput when `password` is too short or too long for an account of `kind`."""
    least = MIN_LENGTH.get(kind, 8)
    if not least <= len(password) <= MAX_LENGTH:
        raise InvalidInput(
            f"a {kind} password needs {least} to {MAX_LENGTH} characters, this one has {len(password)}",
            code="weak_password",
            details={"min_length": least, "max_length": MAX_LENGTH},
        )


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; a missing hash still costs one verification."""
    try:
        if stored is None:
            hasher.verify(_dummy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism), password)
            return False
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(_DUMMY_PASSWORD)

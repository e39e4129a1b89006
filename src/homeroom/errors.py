"""One error hierarchy for the whole domain, with stable codes.

Codes are part of the public contract (API problem details, CLI output, reports): never rename one.
Only the API maps errors to HTTP statuses; nothing here knows about transports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar


class HomeroomError(Exception):
    """Base of every error Homeroom raises on purpose. `code` is stable; `message` is for people."""

    code: ClassVar[str] = "homeroom_error"

    def __init__(
        self, message: str, *, code: str | None = None, details: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.details: Mapping[str, object] = dict(details or {})


class InvalidInput(HomeroomError):
    """The input is malformed or breaks a rule of the model; nothing was changed."""

    code = "invalid_input"


class InvalidProfile(InvalidInput):
    """A profile or catalog data file contradicts itself or the catalog."""

    code = "invalid_profile"


class InvalidWorld(InvalidInput):
    """A world breaks model.md 13 (ids, references, parents, placement, settings). Carries every problem."""

    code = "invalid_world"

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        first_path, first_message = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first_path}: {first_message}{more}", details={"problems": problems})


class NotFound(HomeroomError):
    """The object does not exist, or the actor may not know that it exists."""

    code = "not_found"


class Forbidden(HomeroomError):
    """The actor can see the object but may not do this to it."""

    code = "forbidden"


class Conflict(HomeroomError):
    """The write conflicts with stored data (a duplicate key, a stale version)."""

    code = "conflict"


class StaleVersion(Conflict):
    """The caller's version of the object (If-Match) is not the stored one: someone wrote in between."""

    code = "stale_version"


class PreconditionRequired(InvalidInput):
    """An update or delete came without the version it was based on (If-Match)."""

    code = "precondition_required"


class TooLarge(InvalidInput):
    """The request or upload exceeds a configured size limit."""

    code = "payload_too_large"


class Unauthenticated(HomeroomError):
    """No valid session or token, or the credentials are wrong."""

    code = "unauthenticated"


class Throttled(HomeroomError):
    """Too many failed attempts; `retry_after` seconds until the next one is considered."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after

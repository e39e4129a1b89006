"""SCIM 2.0 (RFC 7643, RFC 7644) at /scim/v2: the HTTP adapter over services/scim.

Each route hands the raw request to the SCIM service in the caller's unit of work and turns what comes
back, or the error raised, into an `application/scim+json` response. Authentication is an account's API
token (`Authorization: Bearer hr_...`): SCIM acts as that account, and the policy decides. See docs/scim.md.
"""

from homeroom.api.scim.routes import router

__all__ = ["router"]

"""The values the assessment platform's objects hold: ids, names and bodies, checked before they are stored.

A body is a JSON object of at most 64 KiB, nested at most 32 deep, with finite numbers only. A question's
body keeps the kind it was created with (`standard` or `simulation`: the latter needs its own create
permission), and a test's body may list its questions (`questions`), live questions of the test's org.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Final

from homeroom.errors import Conflict, InvalidInput
from homeroom.services.access import Access
from homeroom.store import content as store

MAX_BODY_BYTES: Final = 64 * 1024
MAX_BODY_DEPTH: Final = 32  # JSON objects and arrays inside one another: deeper is not content but an attack
QUESTION_KINDS: Final = ("standard", "simulation")


def new_id(access: Access, type_: str, wanted: str | None) -> str:
    """`wanted` if no object or assessment holds it yet (facts load both by id), else a fresh `TYPE-...`."""
    if wanted is None:
        return f"{type_}-{secrets.token_hex(6)}"
    if store.id_taken(access.session, access.tenant_id, wanted):
        raise Conflict(f"the id {wanted!r} is taken", code="id_taken", details={"id": wanted})
    return wanted


def checked_name(name: str) -> str:
    """The name without surrounding spaces: 1 to 200 characters."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput(
            "name must have 1 to 200 characters", code="invalid_name", details={"field": "name"}
        )
    return name


def body_text(body: Mapping[str, Any]) -> str:
    """The body as stored: canonical JSON text of at most MAX_BODY_BYTES, nested at most MAX_BODY_DEPTH."""
    if _depth(body) > MAX_BODY_DEPTH:
        raise InvalidInput(
            f"body nests objects and arrays more than {MAX_BODY_DEPTH} deep",
            code="body_too_deep",
            details={"limit": MAX_BODY_DEPTH},
        )
    try:
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (ValueError, RecursionError) as error:
        raise InvalidInput(
            "body must be a JSON object of finite numbers",
            code="invalid_body",
        ) from error
    if len(text.encode()) > MAX_BODY_BYTES:
        raise InvalidInput(
            f"body is larger than {MAX_BODY_BYTES} bytes",
            code="body_too_large",
            details={"limit": MAX_BODY_BYTES},
        )
    return text


def _depth(value: object) -> int:
    """How deeply objects and arrays nest in `value` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_BODY_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def validated_body(
    access: Access, type_: str, org: str, body: Mapping[str, Any], *, current: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The body to store: a question keeps its kind, a test's `questions` are live questions of its org."""
    result = dict(body)
    if type_ == "question":
        stored = (current or {}).get("kind", "standard")
        if current is not None and result.get("kind", stored) != stored:
            raise InvalidInput(
                "a question's kind is fixed when it is created", code="kind_fixed", details={"kind": stored}
            )
        result.pop("kind", None)
        if current is not None:
            result["kind"] = stored
    if type_ == "test" and "questions" in result:
        result["questions"] = _questions(access, org, result["questions"])
    return result


def _questions(access: Access, org: str, given: object) -> list[str]:
    if not isinstance(given, list) or not all(isinstance(q, str) for q in given):
        raise InvalidInput("body.questions must be a list of question ids", code="invalid_questions")
    if len(set(given)) != len(given):
        raise InvalidInput("body.questions lists a question twice", code="invalid_questions")
    live = store.live_in_org(access.session, access.tenant_id, "question", org, given)
    missing = [q for q in given if q not in live]
    if missing:
        raise InvalidInput(
            f"{missing[0]!r} is not a live question of org {org!r}",
            code="invalid_questions",
            details={"questions": missing},
        )
    return list(given)


def invalid(name: str, value: object, expected: Sequence[str]) -> InvalidInput:
    """The error for a value outside its choices (`invalid_kind`, `invalid_status`)."""
    return InvalidInput(
        f"{name} {value!r} is not one of {', '.join(expected)}",
        code=f"invalid_{name}",
        details={"field": name, "value": value, "expected": list(expected)},
    )

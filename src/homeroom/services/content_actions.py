"""What the assessment platform does with its objects beyond editing them: publish and launch tests, export
and import them, disable products, approve sales, read notifications.

* `test.publish` publishes or withdraws a test; `test.launch` (P-PUBLISHED: a published, live test) records
  a launch and hands out the test with its live questions.
* `test.export` gives a test and the content of its live questions as one JSON document; the questions'
  content needs `question.view` on each. `test.import` makes a new, unpublished test in an org from such a
  document, with new copies of its questions (`question.create` too, `question.create_simulation` for
  simulation questions).
* `product.disable` disables and re-enables a product; `sale.approve` approves a sale once (an approved sale
  no longer changes); `notification.view` lets the recipient mark a notification read.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from homeroom.errors import Conflict, InvalidInput
from homeroom.policy.decisions import Decision
from homeroom.policy.world import NOT_DELETED, Ref
from homeroom.services import audit
from homeroom.services.access import Access
from homeroom.services.authorization import authorize
from homeroom.services.content import ContentView, authorize_on, kind_of, read, require_row
from homeroom.services.content_values import QUESTION_KINDS, body_text, new_id, validated_body
from homeroom.store import content as store

DOCUMENT_FORMAT: Final = "homeroom.test/1"


def _act(access: Access, type_: str, object_id: str, permission: str) -> tuple[Decision, Ref]:
    require_row(access, type_, object_id)
    ref = Ref(type_, object_id)
    return authorize_on(access, permission, ref, ref), ref


def _write(  # noqa: PLR0913 - one state change and its record
    access: Access,
    ref: Ref,
    permission: str,
    decision: Decision,
    values: dict[str, Any],
    *,
    expected: int | None,
    facts_changed: bool = False,
) -> ContentView:
    values = {**values, "updated_at": access.now, "updated_by": access.actor}
    store.change(
        access.session,
        access.tenant_id,
        ref.id,
        expected=expected,
        values=values,
        facts_changed=facts_changed,
    )
    details = {k: v for k, v in values.items() if k not in ("updated_at", "updated_by")}
    audit.record(access, permission, ref, decision=decision, details=details)
    return read(access, ref.id)


def publish_test(access: Access, test_id: str, *, published: bool, expected: int | None) -> ContentView:
    """Publish (or, with `published=False`, withdraw) a test: `test.publish`."""
    decision, ref = _act(access, "test", test_id, "test.publish")
    values = {"published": published}
    return _write(access, ref, "test.publish", decision, values, expected=expected, facts_changed=True)


def set_product_enabled(
    access: Access, product_id: str, *, enabled: bool, expected: int | None
) -> ContentView:
    """Disable or re-enable a product: `product.disable`."""
    decision, ref = _act(access, "product", product_id, "product.disable")
    values = {"status": "active" if enabled else "disabled"}
    return _write(access, ref, "product.disable", decision, values, expected=expected)


def approve_sale(access: Access, sale_id: str, *, expected: int | None) -> ContentView:
    """Approve a sale: `sale.approve`. An approved sale is final."""
    decision, ref = _act(access, "sale", sale_id, "sale.approve")
    if require_row(access, "sale", sale_id).status == "approved":
        raise Conflict(f"sale {sale_id!r} is already approved", code="sale_approved")
    return _write(access, ref, "sale.approve", decision, {"status": "approved"}, expected=expected)


def mark_read(access: Access, notification_id: str) -> ContentView:
    """The recipient marks a notification read: `notification.view` (scope `self`)."""
    decision, ref = _act(access, "notification", notification_id, "notification.view")
    return _write(access, ref, "notification.view", decision, {"status": "read"}, expected=None)


@dataclass(frozen=True)
class Launch:
    id: str
    test: ContentView
    questions: list[ContentView]
    at: datetime


def launch_test(access: Access, test_id: str) -> Launch:
    """Launch (take) a published test: `test.launch`; the launch is recorded and audited."""
    decision, ref = _act(access, "test", test_id, "test.launch")
    launch_id = f"{access.now.strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}"
    store.add_launch(
        access.session,
        access.tenant_id,
        store.NewLaunch(
            launch_id, test_id, access.actor, access.principal.impersonator_id, access.now, access.request_id
        ),
    )
    audit.record(access, "test.launch", ref, decision=decision, details={"launch": launch_id})
    test = read(access, test_id)
    return Launch(launch_id, test, _live_questions(access, test), access.now)


def _live_questions(access: Access, test: ContentView) -> list[ContentView]:
    ids = [q for q in test.body.get("questions", []) if isinstance(q, str)]
    rows = store.rows(access.session, access.tenant_id, ids)
    return [read(access, r.id) for r in rows if r.deleted == NOT_DELETED and r.type == "question"]


@dataclass(frozen=True)
class QuestionDocument:
    name: str
    kind: str = "standard"
    body: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TestDocument:
    name: str
    body: Mapping[str, Any] = field(default_factory=dict)
    questions: Sequence[QuestionDocument] = ()
    format: str = DOCUMENT_FORMAT


def export_test(access: Access, test_id: str) -> TestDocument:
    """A test and its live questions as one document: `test.export`, and `question.view` on each question."""
    decision, ref = _act(access, "test", test_id, "test.export")
    test = read(access, test_id)
    questions = _live_questions(access, test)
    for question in questions:
        qref = Ref("question", question.id)
        authorize_on(access, "question.view", qref, qref)
    audit.record(
        access, "test.export", ref, decision=decision, details={"questions": [q.id for q in questions]}
    )
    body = {k: v for k, v in test.body.items() if k != "questions"}
    return TestDocument(
        test.name,
        body,
        [
            QuestionDocument(
                q.name, str(q.body.get("kind", "standard")), {k: v for k, v in q.body.items() if k != "kind"}
            )
            for q in questions
        ],
    )


def import_test(access: Access, org: str, document: TestDocument) -> ContentView:
    """A new, unpublished test at `org` from an exported document, with new copies of its questions."""
    if document.format != DOCUMENT_FORMAT:
        raise Conflict(
            f"a test document of format {document.format!r} cannot be imported: expected {DOCUMENT_FORMAT}",
            code="unknown_document_format",
        )
    target = Ref("org", org)
    decision = authorize(access, "test.import", target)
    for permission in sorted({_create_permission(q) for q in document.questions}):
        authorize(access, permission, target)
    question_ids = [_import_question(access, org, q) for q in document.questions]
    test_id = new_id(access, "test", None)
    body = validated_body(access, "test", org, {**document.body, "questions": question_ids}, current=None)
    name = document.name.strip() or "Imported test"
    store.add(
        access.session,
        access.tenant_id,
        store.NewThing(test_id, "test", org, name[:200], body_text(body), "", access.actor, access.now),
    )
    details: dict[str, object] = {"org": org, "questions": question_ids}
    audit.record(access, "test.import", Ref("test", test_id), decision=decision, details=details)
    return read(access, test_id)


def _create_permission(question: QuestionDocument) -> str:
    return "question.create_simulation" if question.kind == "simulation" else "question.create"


def _import_question(access: Access, org: str, question: QuestionDocument) -> str:
    question_id = new_id(access, "question", None)
    kind = question.kind
    if kind not in QUESTION_KINDS:
        raise InvalidInput(
            f"question kind {kind!r} is not one of {', '.join(QUESTION_KINDS)}",
            code="invalid_kind",
            details={"kind": kind},
        )
    body = {**validated_body(access, "question", org, question.body, current=None), "kind": kind}
    status = kind_of("question").statuses[0]
    name = question.name.strip() or "Imported question"
    store.add(
        access.session,
        access.tenant_id,
        store.NewThing(
            question_id, "question", org, name[:200], body_text(body), status, access.actor, access.now
        ),
    )
    return question_id

"""The fast path (plain.py, References.take_plain) against the reference reading, row by row through Cells.

The fast path may refuse a clean chunk, never accept one the reference reading faults, and what it accepts
must leave the same state behind. Rows are drawn mostly from valid values of each column, with a share of
odd ones (formulas, plain numbers, bad dates, `ext:` tokens, blanks in required columns...).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from roster_packages import found, package_1_1, package_1_2, parse_files, write_folder

from homeroom.rostering import KINDS, USERS, Kind, Limits, parse_package
from homeroom.rostering import parsing as parsing_module
from homeroom.rostering import rows as rows_module
from homeroom.rostering.batches import Batch
from homeroom.rostering.columns import (
    CLASS_TYPES,
    ENROLLMENT_ROLES,
    ORG_TYPES,
    ROLE_TYPES,
    ROLES_1_2,
    SESSION_TYPES,
    USER_ROLES_1_1,
)
from homeroom.rostering.kinds import Context
from homeroom.rostering.manifests import Manifest
from homeroom.rostering.packages import MeteredStream
from homeroom.rostering.plain import PlainRows
from homeroom.rostering.problems import ProblemLog
from homeroom.rostering.readers import outcomes
from homeroom.rostering.references import References
from homeroom.rostering.rows import Chunk, Header, read_chunks

ODD = (
    "", " ", "-5", "+1555", "=1+2", "@x", "\tx", "\rx", "-x", "ext:thing", "ext:", "2023-02-30", "2023-13-01",
    "1/05/2023", "\uff12\uff10\uff12\uff13-01-01", "yes", "TRUE", "24", "{bad", ",", " , ", "a,,b",
    "Inactive", "active ", "2023-05-01T25:00", "x\x00=y", "2024", "2023-05-01", "{LDAP:1}", "a1",
)  # fmt: skip
TEXT = ("", "Ann", "O'Brien", "x y", "s1", "a-b")
LISTS = ("", "t1", "t1,t2", " t1 , t2 ")
DATES = ("", "2023-08-01", "2024-06-30")
BY_COLUMN: dict[str, tuple[str, ...]] = {
    "sourcedId": ("a1", "a2", "a3", "-0"),
    "status": ("", "active", "tobedeleted", "inactive"),
    "dateLastModified": ("", "2023-05-01T18:25:43.511Z", "2023-05-01", "2023-05-01 10:00+02:00"),
    "enabledUser": ("true", "FALSE"),
    "primary": ("", "true", "False"),
    "startDate": DATES[1:],
    "endDate": DATES,
    "beginDate": DATES,
    "schoolYear": ("2024",),
    "userIds": ("", "{LDAP:12}", "{a:b},{c:d}"),
    "roleType": ROLE_TYPES,
    "classType": CLASS_TYPES,
}
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("orgs", "type"): ORG_TYPES,
    ("academicSessions", "type"): SESSION_TYPES,
    ("users", "role"): USER_ROLES_1_1,
    ("roles", "role"): ROLES_1_2,
    ("enrollments", "role"): ENROLLMENT_ROLES,
}
CONTEXTS = [
    (kind, Context(version, mode))  # type: ignore[arg-type]
    for kind in KINDS
    for version in ("1.1", "1.2")
    for mode in ("bulk", "delta")
    if kind.header(version) is not None  # type: ignore[arg-type]
]


def _valid(kind: Kind[Any], column: str) -> tuple[str, ...]:
    if (kind.name, column) in ENUMS:
        return ENUMS[(kind.name, column)]
    if column in BY_COLUMN:
        return BY_COLUMN[column]
    return LISTS if column.endswith(("SourcedIds", "grades", "subjects", "subjectCodes", "periods")) else TEXT


@st.composite
def chunks(draw: st.DrawFn, kind: Kind[Any], context: Context, *, odd: bool = True) -> Chunk:
    header = kind.header(context.version)
    assert header is not None
    optional = draw(st.lists(st.sampled_from(header.optional), unique=True))
    extra = draw(st.lists(st.sampled_from(["metadata.note", "ext_custom"]), unique=True))
    names = draw(st.permutations([*header.required, *optional, *extra]))
    count = draw(st.integers(1, 4))
    percent = draw(st.sampled_from([0, 2, 10, 30])) if odd else 0  # of odd cells

    def cell(column: str) -> str:
        if percent and draw(st.integers(0, 99)) < percent:
            return draw(st.sampled_from(ODD))
        return draw(st.sampled_from(_valid(kind, column)))

    cells = [[cell(name) for name in names] for _ in range(count)]
    metadata = tuple(name for name in names if name.startswith("metadata."))
    return Chunk(list(names), metadata, list(range(2, 2 + count)), cells)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), case=st.sampled_from(CONTEXTS))
def test_an_accepted_chunk_has_no_problem_row_by_row(
    data: st.DataObject, case: tuple[Kind[Any], Context]
) -> None:
    kind, context = case
    chunk = data.draw(chunks(kind, context))
    log = ProblemLog(cap=100)
    records = [outcome.record for outcome in outcomes(chunk, kind, context, log)]
    if PlainRows(kind, context, chunk.names).accepts(chunk):
        assert log.errors == 0, log.kept
        assert list(Batch(kind, context, chunk).records()) == records


@settings(max_examples=100, deadline=None)
@given(data=st.data(), case=st.sampled_from(CONTEXTS))
def test_clean_rows_of_ordinary_values_are_accepted(
    data: st.DataObject, case: tuple[Kind[Any], Context]
) -> None:
    kind, context = case
    chunk = data.draw(chunks(kind, context, odd=False))
    log = ProblemLog(cap=100)
    list(outcomes(chunk, kind, context, log))
    if log.errors == 0:
        assert PlainRows(kind, context, chunk.names).accepts(chunk)


# -- references ---------------------------------------------------------------------------------------

IDS = ("a1", "a2", "a3", "o1", "o2", "u1", "u2", "k1", "x9", "")
STORED = {"orgs": {"o1", "o2"}, "users": {"u1", "u2"}, "classes": {"k1"}, "courses": {"c1"}}


def _references(context: Context, before: dict[str, set[str]], roles: dict[str, str]) -> References:
    files = {kind.name: context.mode for kind in KINDS}
    manifest = Manifest("1.0", context.version, context.version, files, None, None, {})
    references = References(manifest, [kind.file for kind in KINDS], ProblemLog(cap=100), None)
    for name, ids in before.items():
        references.start(name)
        for number, sourced_id in enumerate(sorted(ids), start=2):
            references.add_id(number, sourced_id)
    for user, role in roles.items():
        references._note_role(user, role)
    return references


def _state(references: References) -> tuple[Any, ...]:
    log = references._log
    return (
        references.ids,
        references._parents,
        references._students,
        references._non_students,
        [(p.file, p.line, p.column, p.value, p.code) for p in log.kept],
    )


@settings(max_examples=400, deadline=None)
@given(data=st.data(), case=st.sampled_from(CONTEXTS))
def test_references_taken_by_columns_leave_what_row_by_row_leaves(
    data: st.DataObject, case: tuple[Kind[Any], Context]
) -> None:
    kind, context = case
    chunk = data.draw(chunks(kind, context, odd=False))
    for name in {link.column for link in kind.links} & set(chunk.names):
        index = chunk.names.index(name)
        for row in chunk.cells:
            row[index] = data.draw(st.sampled_from(IDS))
    roles = data.draw(st.dictionaries(st.sampled_from(["u1", "u2"]), st.sampled_from(["student", "teacher"])))
    fast, slow, before = (_references(context, STORED, roles) for _ in range(3))
    for references in (fast, slow, before):
        references.start(kind.name)
    log = ProblemLog(cap=100)
    plain = PlainRows(kind, context, chunk.names).accepts(chunk)  # as parsing does: cells first
    taken = plain and fast.take_plain(chunk.lines, chunk.column, kind.links)
    for outcome in outcomes(chunk, kind, context, log):
        slow.add_id(outcome.line, outcome.sourced_id)
        if outcome.record is not None:
            slow.check(outcome.line, outcome.record, kind.references(outcome.record))
    if taken:
        assert not slow._log.kept
        fast.finish()
        slow.finish()
        assert _state(fast) == _state(slow)
    else:
        assert _state(fast) == _state(before)  # nothing remembered: the chunk is read row by row


# -- whole packages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("files", [package_1_2(), package_1_1()])
def test_a_clean_package_is_read_by_columns_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str | bytes]
) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("a chunk of a clean package was read row by row")

    monkeypatch.setattr(parsing_module, "_validate_rows", refuse)
    assert parse_files(tmp_path, files).report.ok


class _Collect:
    def __init__(self) -> None:
        self.batches: list[Batch[Any]] = []
        self.events: list[str] = []

    def start(self, manifest: Manifest) -> None:
        self.events.append(f"start {manifest.version}")

    def rows(self, batch: Batch[Any]) -> None:
        self.batches.append(batch)
        self.events.append(f"rows {batch.kind.name} {len(batch)}")

    def done(self, kind: Kind[Any]) -> None:
        self.events.append(f"done {kind.name}")


def test_a_sink_is_handed_every_row_once_in_file_order_and_reads_them_as_the_records(tmp_path: Path) -> None:
    sink = _Collect()
    root = write_folder(tmp_path / "package", package_1_2())
    parsed = parse_package(root, Limits(), sink=sink)
    assert parsed.report.ok
    assert sink.events[0] == "start 1.2"
    assert [e for e in sink.events if e.startswith("done")] == [f"done {kind.name}" for kind in KINDS]
    users = next(b for b in sink.batches if b.kind is USERS)
    assert list(users.records()) == list(parsed.records(USERS))
    records = list(parsed.records(USERS))
    assert users.lines == [r.line for r in records]
    assert users.texts("email") == [r.email for r in records]
    assert users.booleans("enabledUser") == [r.enabled_user for r in records]
    assert users.items("grades") == [r.grades for r in records]
    assert users.column("username") == tuple(r.username for r in records)
    assert users.column("not a column") == ("", "")


def test_a_sink_hears_nothing_more_once_an_error_is_found(tmp_path: Path) -> None:
    files = package_1_2()
    files["users.csv"] = str(files["users.csv"]).replace("u2,,,true", "u2,,,maybe")
    sink = _Collect()
    parsed = parse_package(write_folder(tmp_path / "package", files), Limits(), sink=sink)
    assert found(parsed) == [("users.csv", 3, "enabledUser", "bad_boolean")]
    assert sink.events[-1] == "done classes"


# -- lines cut from blocks ------------------------------------------------------------------------------

PIECES = [b"a", b"b", b",", b'"', b"\n", b"\r\n", b"\r", b"\xc3\xa9", b"\xff", b" ", b"\n\n", b"\xef\xbb\xbf"]


def _read(data: bytes, max_line: int, max_file: int) -> tuple[Any, ...]:
    log = ProblemLog(cap=100)
    stream = MeteredStream(io.BytesIO(data), max_file)
    header = Header(required=("sourcedId",), optional=("name",))
    limits = Limits(max_line_bytes=max_line, max_file_bytes=max_file)
    read = [
        (chunk.lines, chunk.cells, sorted(chunk.undecodable), chunk.misshapen)
        for chunk in read_chunks(stream, "orgs.csv", header, limits, log, size=3)
    ]
    return read, [(p.line, p.column, p.value, p.code) for p in log.kept], stream.count <= max_file


@settings(max_examples=300, deadline=None)
@given(
    body=st.lists(st.sampled_from(PIECES), max_size=80).map(b"".join),
    max_line=st.integers(1, 40),
    max_file=st.integers(1, 400),
)
def test_lines_cut_from_blocks_of_any_size_read_alike(body: bytes, max_line: int, max_file: int) -> None:
    data = b"sourcedId,name\n" + body
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rows_module, "BLOCK_BYTES", 1)
        reference = _read(data, max_line, max_file)
        for size in (2, 7, 64 << 10):
            patch.setattr(rows_module, "BLOCK_BYTES", size)
            assert _read(data, max_line, max_file)[:2] == reference[:2], size

"""The CSV text of a file: encodings, headers, row shapes, broken quoting and overlong lines."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from roster_packages import ORGS, found, package_1_2, parse_files, with_rows

from homeroom.rostering import ORGS as ORG_KIND
from homeroom.rostering import USERS, Limits
from homeroom.rostering.packages import FileTooLarge, MeteredStream


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    files = {**package_1_2(), "orgs.csv": b"\xef\xbb\xbf" + ORGS.encode()}
    parsed = parse_files(tmp_path, files)
    assert parsed.report.ok
    assert [org.sourced_id for org in parsed.records(ORG_KIND)] == ["d1", "s1"]


def test_a_latin1_row_is_reported_on_its_line_and_column(tmp_path: Path) -> None:
    orgs = ORGS.encode() + "s2,,,Escuela Peña,school,,d1\n".encode("latin-1")
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert found(parsed) == [("orgs.csv", 4, "name", "bad_encoding")]
    assert parsed.report.problems[0].value == "Escuela Pe\ufffda"
    assert [org.sourced_id for org in parsed.records(ORG_KIND)] == ["d1", "s1"]
    report = parsed.report.file("orgs.csv")
    assert report is not None
    assert (report.rows, report.accepted, report.rejected) == (3, 2, 1)


def test_a_utf16_file_is_reported_on_line_one(tmp_path: Path) -> None:
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": ORGS.encode("utf-16")})
    assert found(parsed)[0] == ("orgs.csv", 1, None, "bad_encoding")
    assert "UTF-16" in parsed.report.problems[0].expected
    assert list(parsed.records(ORG_KIND)) == []


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n", b",,,\n"])
def test_an_empty_file(tmp_path: Path, content: bytes) -> None:
    parsed = parse_files(tmp_path, {**package_1_2(), "enrollments.csv": content})
    assert found(parsed) == [("enrollments.csv", None, None, "empty_file")]


def test_a_header_only_file_has_no_rows_and_no_problem(tmp_path: Path) -> None:
    header = ORGS.splitlines()[0] + "\n"
    files = package_1_2()
    files = {name: content for name, content in files.items() if name in {"manifest.csv", "orgs.csv"}}
    files["manifest.csv"] = (
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.orgs,bulk\n"
    )
    files["orgs.csv"] = header
    parsed = parse_files(tmp_path, files)
    assert parsed.report.ok
    assert parsed.report.file("orgs.csv") is not None
    assert parsed.report.file("orgs.csv").rows == 0  # type: ignore[union-attr]


def test_a_missing_required_column_rejects_the_whole_file(tmp_path: Path) -> None:
    orgs = ORGS.replace(
        "sourcedId,status,dateLastModified,name,type", "sourcedId,status,dateLastModified,name,kind"
    )
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert found(parsed) == [
        ("orgs.csv", 1, "kind", "unknown_column"),
        ("orgs.csv", 1, "type", "missing_header"),
    ]
    report = parsed.report.file("orgs.csv")
    assert report is not None
    assert (report.rows, report.accepted) == (2, 0)
    assert list(parsed.records(ORG_KIND)) == []
    # the ids of the rejected rows still count: no cascade of unknown references
    assert not any(p.code == "unknown_reference" for p in parsed.report.problems)


def test_optional_columns_may_be_left_out_and_columns_come_in_any_order(tmp_path: Path) -> None:
    orgs = "type,name,sourcedId\ndistrict,District One,d1\nschool,School One,s1\n"
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert parsed.report.ok
    school = list(parsed.records(ORG_KIND))[1]
    assert (school.sourced_id, school.name, school.type, school.parent_sourced_id) == (
        "s1",
        "School One",
        "school",
        None,
    )


def test_unknown_columns_warn_with_a_suggestion_and_metadata_columns_are_kept(tmp_path: Path) -> None:
    orgs = (
        "sourcedId,name,type,parentSourceId,metadata.nces,ext_vendor\n"
        "d1,District One,district,,123,x\n"
        "s1,School One,school,d1,,y\n"
    )
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert found(parsed) == [
        ("orgs.csv", 1, "parentSourceId", "unknown_column"),
        ("orgs.csv", 1, "ext_vendor", "unknown_column"),
    ]
    assert "did you mean parentSourcedId?" in parsed.report.problems[0].expected
    assert parsed.report.ok
    district, school = parsed.records(ORG_KIND)
    assert district.metadata == (("nces", "123"),)
    assert school.metadata == ()
    assert school.parent_sourced_id is None  # the misspelled column is ignored, not guessed


def test_a_duplicate_column_rejects_the_file(tmp_path: Path) -> None:
    orgs = "sourcedId,name,type,name\nd1,A,district,B\n"
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert found(parsed)[0] == ("orgs.csv", 1, "name", "duplicate_column")
    assert list(parsed.records(ORG_KIND)) == []


@pytest.mark.parametrize("row", ["s2,,,School Two,school,,d1,extra", "s2,,,School Two,school"])
def test_a_row_with_the_wrong_number_of_cells(tmp_path: Path, row: str) -> None:
    parsed = parse_files(tmp_path, with_rows(package_1_2(), "orgs.csv", row))
    assert found(parsed) == [("orgs.csv", 4, None, "bad_row_length")]
    assert parsed.report.problems[0].value == str(row.count(",") + 1)
    assert [org.sourced_id for org in parsed.records(ORG_KIND)] == ["d1", "s1"]


def test_a_quoted_cell_spanning_lines_keeps_the_line_numbers_of_later_rows(tmp_path: Path) -> None:
    orgs = ORGS + 's2,,,"School\nTwo",school,,d1\ns3,,,School Three,shop,,d1\n'
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert found(parsed) == [("orgs.csv", 6, "type", "bad_enum")]
    assert [(org.sourced_id, org.name, org.line) for org in parsed.records(ORG_KIND)][2] == (
        "s2",
        "School\nTwo",
        4,
    )


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    orgs = ORGS.replace("\ns1", "\n\n\ns1") + "\n\n"
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert parsed.report.ok
    assert [(org.sourced_id, org.line) for org in parsed.records(ORG_KIND)] == [("d1", 2), ("s1", 5)]


def test_broken_quoting_stops_and_rejects_the_file(tmp_path: Path) -> None:
    orgs = ORGS + 's2,,,"School" Two,school,,d1\n'
    parsed = parse_files(tmp_path, {**package_1_2(), "orgs.csv": orgs})
    assert found(parsed)[0] == ("orgs.csv", 4, None, "bad_csv")
    assert list(parsed.records(ORG_KIND)) == []
    assert parsed.report.file("orgs.csv").accepted == 0  # type: ignore[union-attr]


def test_an_overlong_line_stops_and_rejects_the_file(tmp_path: Path) -> None:
    files = with_rows(package_1_2(), "users.csv", "u3,,,true,x,,A,B" + "," * 15 + "z" * 500)
    parsed = parse_files(tmp_path, files, limits=Limits(max_line_bytes=400))
    assert found(parsed)[0] == ("users.csv", 4, None, "line_too_long")
    assert list(parsed.records(USERS)) == []


def test_a_stream_that_grows_past_the_limit_stops() -> None:
    stream = MeteredStream(io.BytesIO(b"a,b\n" * 10), limit=10)
    assert stream.readline(100) == b"a,b\n"
    assert stream.readline(100) == b"a,b\n"
    with pytest.raises(FileTooLarge):
        stream.readline(100)

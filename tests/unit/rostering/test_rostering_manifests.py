"""The manifest: versions, file modes, and files that do not match what it says."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_packages import found, manifest, package_1_1, package_1_2, parse_files

from homeroom.rostering import ORGS, USERS


@pytest.mark.parametrize(
    ("declared", "version"), [("1.0", "1.1"), ("1.1", "1.1"), ("1.2", "1.2"), ("1.2.1", "1.2")]
)
def test_versions_are_normalized(tmp_path: Path, declared: str, version: str) -> None:
    files = package_1_2() if version == "1.2" else package_1_1()
    text = files["manifest.csv"]
    assert isinstance(text, str)
    files["manifest.csv"] = text.replace(f"oneroster.version,{version}", f"oneroster.version,{declared}")
    parsed = parse_files(tmp_path, files)
    assert parsed.report.ok, parsed.report.problems
    assert parsed.manifest is not None
    assert (parsed.manifest.version, parsed.manifest.declared_version) == (version, declared)
    assert parsed.manifest.system_name == "Test SIS"
    assert parsed.manifest.system_code is None
    assert parsed.report.version == version


def test_an_unknown_oneroster_version_stops_the_import(tmp_path: Path) -> None:
    files = {**package_1_2(), "manifest.csv": manifest("2.0", files={"orgs": "bulk"})}
    parsed = parse_files(tmp_path, files)
    assert [(p.file, p.line, p.column, p.value, p.code) for p in parsed.report.problems] == [
        ("manifest.csv", 3, "value", "2.0", "unknown_version")
    ]
    assert parsed.manifest is None
    assert list(parsed.records(ORGS)) == []


def test_an_unknown_manifest_version_is_reported(tmp_path: Path) -> None:
    files = package_1_2()
    files["manifest.csv"] = str(files["manifest.csv"]).replace("manifest.version,1.0", "manifest.version,3")
    assert found(parse_files(tmp_path, files)) == [("manifest.csv", 2, "value", "unknown_version")]


def test_a_missing_version_property(tmp_path: Path) -> None:
    files = {**package_1_2(), "manifest.csv": "propertyName,value\nmanifest.version,1.0\nfile.orgs,bulk\n"}
    parsed = parse_files(tmp_path, files)
    assert found(parsed) == [("manifest.csv", None, "propertyName", "missing_property")]
    assert parsed.report.problems[0].expected == "a row for oneroster.version"


def test_a_blank_version(tmp_path: Path) -> None:
    files = {
        **package_1_2(),
        "manifest.csv": "propertyName,value\nmanifest.version,1.0\noneroster.version,\n",
    }
    assert found(parse_files(tmp_path, files)) == [("manifest.csv", 3, "value", "missing_value")]


def test_a_property_given_twice(tmp_path: Path) -> None:
    files = package_1_2()
    files["manifest.csv"] = str(files["manifest.csv"]) + "file.orgs,delta\n"
    parsed = parse_files(tmp_path, files)
    assert [(p.line, p.column, p.value, p.code) for p in parsed.report.problems] == [
        (12, "propertyName", "file.orgs", "duplicate_property")
    ]
    assert parsed.report.problems[0].expected == "each property once (first on line 4)"
    assert parsed.manifest is not None
    assert parsed.manifest.mode("orgs") == "bulk"


def test_a_bad_file_mode_is_reported_and_read_as_absent(tmp_path: Path) -> None:
    files = package_1_2()
    files["manifest.csv"] = str(files["manifest.csv"]).replace("file.orgs,bulk", "file.orgs,full")
    parsed = parse_files(tmp_path, files)
    assert found(parsed)[:2] == [
        ("manifest.csv", 4, "value", "bad_enum"),
        ("manifest.csv", 4, "value", "file_marked_absent"),
    ]
    assert parsed.report.file("orgs.csv") is None


def test_a_listed_file_that_is_missing(tmp_path: Path) -> None:
    files = package_1_2()
    del files["courses.csv"]
    parsed = parse_files(tmp_path, files)
    assert found(parsed)[0] == ("manifest.csv", 6, "value", "missing_file")
    assert parsed.report.problems[0].value == "bulk"
    # classes then point at courses that exist nowhere (no stored ones were offered either)
    assert found(parsed)[1:] == [("classes.csv", 2, "courseSourcedId", "unknown_reference")]


def test_a_present_file_marked_absent(tmp_path: Path) -> None:
    files = package_1_2()
    files["manifest.csv"] = str(files["manifest.csv"]) + "file.demographics,absent\n"
    files["demographics.csv"] = "sourcedId,status,dateLastModified,birthDate\n"
    assert found(parse_files(tmp_path, files)) == [("manifest.csv", 12, "value", "file_marked_absent")]


def test_unlisted_and_misspelled_files_are_ignored_with_a_warning(tmp_path: Path) -> None:
    files = {**package_1_2(), "userprofiles.csv": "x\n", "notes.txt": "hello"}
    parsed = parse_files(tmp_path, files)
    assert found(parsed) == [
        ("notes.txt", None, None, "unlisted_file"),
        ("userprofiles.csv", None, None, "unlisted_file"),
    ]
    assert parsed.report.ok
    assert parsed.report.problems[1].severity == "warning"
    assert "userProfiles.csv" in parsed.report.problems[1].expected


def test_an_unknown_property_is_a_warning(tmp_path: Path) -> None:
    files = package_1_1()
    files["manifest.csv"] = str(files["manifest.csv"]) + "file.roles,bulk\n"
    parsed = parse_files(tmp_path, files)
    # roles.csv is a 1.2 file: in a 1.1 manifest its property means nothing
    assert found(parsed) == [("manifest.csv", 11, "propertyName", "unknown_property")]
    assert parsed.report.ok


def test_a_manifest_with_a_wrong_header(tmp_path: Path) -> None:
    files = {**package_1_2(), "manifest.csv": "name,value\noneroster.version,1.2\n"}
    parsed = parse_files(tmp_path, files)
    assert found(parsed) == [
        ("manifest.csv", 1, "name", "unknown_column"),
        ("manifest.csv", 1, "propertyName", "missing_header"),
        ("manifest.csv", None, "propertyName", "missing_property"),
        ("manifest.csv", None, "propertyName", "missing_property"),
    ]
    assert list(parsed.records(USERS)) == []

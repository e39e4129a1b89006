"""Corrupt packages through the whole import: each is reported precisely and the database is unchanged.

Every case starts from a tenant that already holds an imported roster, so "unchanged" is tested against
real data, not an empty tenant. The parser's own unit tests (tests/unit/rostering) cover each rule in
depth; here every kind of bad input goes end to end, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sync.conftest import District
from tests.unit.rostering.roster_packages import package_1_1, package_1_2, with_rows, write_folder, write_zip
from tests.unit.rostering.test_rostering_samples import SAMPLES

from homeroom.rostering import Limits

pytestmark = pytest.mark.db

Files = dict[str, str | bytes]


def _replace(files: Files, name: str, old: str, new: str) -> Files:
    text = files[name]
    assert isinstance(text, str)
    assert old in text
    return {**files, name: text.replace(old, new)}


CORPUS: dict[str, tuple[Callable[[], Files], str]] = {
    "wrong header": (lambda: _replace(package_1_1(), "users.csv", "givenName", "givenNam"), "missing_header"),
    "missing header": (lambda: _replace(package_1_1(), "orgs.csv", "sourcedId,", ""), "missing_header"),
    "non-UTF-8": (
        lambda: {
            **package_1_1(),
            "users.csv": str(package_1_1()["users.csv"]).replace("Ortiz", "Ort\xedz").encode("latin-1"),
        },
        "bad_encoding",
    ),
    "bad date": (
        lambda: _replace(
            package_1_2(), "academicSessions.csv", "2023-08-01,2024-06-30", "08/01/2023,2024-06-30"
        ),
        "bad_date",
    ),
    "bad enumeration": (lambda: _replace(package_1_1(), "orgs.csv", "school,,d1", "campus,,d1"), "bad_enum"),
    "duplicate sourcedId": (
        lambda: with_rows(package_1_1(), "users.csv", "u2,,,true,s1,student,ben9,,Ben,Twin,,,,,,,07,"),
        "duplicate_sourced_id",
    ),
    "unknown org": (
        lambda: _replace(package_1_1(), "users.csv", "u2,,,true,s1,", "u2,,,true,s9,"),
        "unknown_reference",
    ),
    "cycle in the org tree": (
        lambda: _replace(
            package_1_1(), "orgs.csv", "d1,,,District One,district,,", "d1,,,District One,district,,s1"
        ),
        "org_cycle",
    ),
    "student enrolled as teacher": (
        lambda: _replace(package_1_1(), "enrollments.csv", "u2,student", "u2,teacher"),
        "enrollment_role_conflict",
    ),
    "formula injection": (
        lambda: _replace(package_1_1(), "users.csv", "Ben,Ortiz", "=cmd|' /C calc'!A0,Ortiz"),
        "formula_injection",
    ),
    "empty file": (lambda: {**package_1_1(), "users.csv": ""}, "empty_file"),
}


@pytest.fixture
def seeded(tmp_path: Path, district: Callable[..., District]) -> District:
    d = district()
    assert d.run(write_folder(tmp_path / "seed", package_1_1())).status == "applied"
    return d


def _codes(report: dict[str, object]) -> set[str]:
    return {str(p["code"]) for p in report["problems"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_a_corrupt_package_is_reported_and_changes_nothing(
    case: str, tmp_path: Path, seeded: District
) -> None:
    make, code = CORPUS[case]
    before = seeded.snapshot()
    outcome = seeded.run(write_folder(tmp_path / "bad", make()))
    assert outcome.status == "rejected"
    report = outcome.as_json()
    assert code in _codes(report), report["problems"]
    problem = next(p for p in report["problems"] if p["code"] == code)
    assert problem["file"]
    assert problem["expected"]
    assert seeded.snapshot() == before


def test_a_bom_is_accepted(tmp_path: Path, seeded: District) -> None:
    files = {**package_1_1(), "users.csv": b"\xef\xbb\xbf" + str(package_1_1()["users.csv"]).encode()}
    assert seeded.run(write_folder(tmp_path / "bom", files)).status == "unchanged"


def test_zip_slip_is_refused(tmp_path: Path, seeded: District) -> None:
    before = seeded.snapshot()
    path = write_zip(tmp_path / "slip.zip", {**package_1_1(), "../../evil.csv": "x"})
    outcome = seeded.run(path)
    assert outcome.status == "rejected"
    assert "zip_slip" in _codes(outcome.as_json())
    assert seeded.snapshot() == before
    assert not (tmp_path.parent / "evil.csv").exists()


def test_a_zip_bomb_is_refused(tmp_path: Path, seeded: District) -> None:
    before = seeded.snapshot()
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in package_1_1().items():
            archive.writestr(name, content)
        archive.writestr("demographics.csv", b"0" * (64 * 1024 * 1024))
    outcome = seeded.run(path)
    assert outcome.status == "rejected"
    assert "zip_bomb" in _codes(outcome.as_json())
    assert seeded.snapshot() == before


def test_a_file_ten_times_too_large_is_refused(tmp_path: Path, seeded: District) -> None:
    before = seeded.snapshot()
    files = with_rows(
        package_1_1(), "users.csv", *[f"x{i},,,true,s1,student,x{i},,X,Y,,,,,,,07," for i in range(300)]
    )
    size = len(str(files["users.csv"]))
    outcome = seeded.run(write_folder(tmp_path / "large", files), limits=Limits(max_file_bytes=size // 10))
    assert outcome.status == "rejected"
    assert "file_too_large" in _codes(outcome.as_json())
    assert seeded.snapshot() == before


def test_another_tenants_org_is_an_unknown_reference(
    tmp_path: Path, seeded: District, district: Callable[..., District]
) -> None:
    other = district()
    theirs = {
        name: (c.replace("s1", "s77") if isinstance(c, str) else c) for name, c in package_1_1().items()
    }
    assert other.run(write_folder(tmp_path / "other", theirs)).status == "applied"
    header = str(package_1_1()["users.csv"]).splitlines()[0]
    delta: Files = {
        "manifest.csv": "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,delta\n",
        "users.csv": f"{header}\nz1,active,2024-01-01T00:00:00Z,true,s77,student,zed,,Z,Ed,,,,,,,07,\n",
    }
    before = seeded.snapshot()
    outcome = seeded.run(write_folder(tmp_path / "delta", delta))
    assert outcome.status == "rejected"
    problem = next(p for p in outcome.as_json()["problems"] if p["code"] == "unknown_reference")
    assert problem["value"] == "s77"
    assert seeded.snapshot() == before


SAMPLE_OUTCOMES = {
    "Test_full_data_set.zip": ("rejected", {"unknown_reference", "bad_enum"}),
    "Test_minimal_data_set.zip": ("rejected", {"bad_enum"}),
    "v1p2_full_dataset.zip": ("rejected", {"bad_enum", "unlisted_file", "unknown_reference"}),
    "oat-sa-1.1-base": ("rejected", {"missing_header", "unknown_column"}),
}


@pytest.mark.parametrize("name", sorted(SAMPLE_OUTCOMES))
def test_messy_real_world_samples_are_reported_and_change_nothing(name: str, seeded: District) -> None:
    status, codes = SAMPLE_OUTCOMES[name]
    before = seeded.snapshot()
    outcome = seeded.run(SAMPLES / name)
    assert outcome.status == status
    assert codes <= _codes(outcome.as_json())
    assert seeded.snapshot() == before


def test_the_clean_real_world_sample_imports(district: Callable[..., District]) -> None:
    d = district()
    outcome = d.run(SAMPLES / "oneroster_test_data.zip")
    assert outcome.status == "applied", outcome.as_json()
    counts = outcome.as_json()["plan"]["counts"]
    assert counts["students"]["created"] + counts["staff"]["created"] == 1
    assert counts["enrollments"]["created"] + counts["teaching"]["created"] == 1
    assert d.run(SAMPLES / "oneroster_test_data.zip").status == "unchanged"

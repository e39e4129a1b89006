"""Opening a package: folders and zips, and every way a package can be unsafe to read."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest
from roster_packages import found, package_1_2, write_folder, write_zip

from homeroom.rostering import Limits, parse_package


def _zip_with(path: Path, extra: dict[str, bytes]) -> Path:
    """A valid package zip plus raw members (written as given, no name cleaning)."""
    write_zip(path, package_1_2())
    with zipfile.ZipFile(path, "a") as archive:
        for name, data in extra.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def test_a_folder_and_a_zip_of_the_same_files_parse_alike(tmp_path: Path) -> None:
    folder = parse_package(write_folder(tmp_path / "f", package_1_2()), Limits())
    zipped = parse_package(write_zip(tmp_path / "p.zip", package_1_2()), Limits())
    assert folder.report.ok
    assert zipped.report.ok
    assert folder.report.files == zipped.report.files
    assert [f.rows for f in zipped.report.files] == [2, 2, 1, 1, 2, 2, 2]


def test_a_zip_with_one_top_level_folder_is_read_from_that_folder(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", package_1_2(), prefix="export-2024/")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("__MACOSX/export-2024/._users.csv", b"\x00\x05")
    parsed = parse_package(path, Limits())
    assert parsed.report.ok
    assert parsed.report.file("users.csv") is not None


def test_a_zip_with_two_top_level_folders_has_no_manifest(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", package_1_2(), prefix="a/")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("b/manifest.csv", "propertyName,value\n")
    assert found(parse_package(path, Limits())) == [("manifest.csv", None, None, "missing_manifest")]


def test_a_folder_without_manifest(tmp_path: Path) -> None:
    files = package_1_2()
    del files["manifest.csv"]
    parsed = parse_package(write_folder(tmp_path / "f", files), Limits())
    assert found(parsed) == [("manifest.csv", None, None, "missing_manifest")]
    assert parsed.manifest is None
    assert parsed.report.files == ()


@pytest.mark.parametrize(
    "name",
    ["../evil.csv", "ok/../../evil.csv", "/etc/evil.csv", "\\windows\\evil.csv", "C:evil.csv", "..\\x.csv"],
)
def test_zip_slip_member_names_are_rejected(tmp_path: Path, name: str) -> None:
    parsed = parse_package(_zip_with(tmp_path / "p.zip", {name: b"x"}), Limits())
    assert [(p.file, p.code, p.value) for p in parsed.report.problems] == [(name, "zip_slip", name)]
    assert parsed.manifest is None
    assert parsed.report.files == ()


def test_a_symlink_member_is_rejected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", package_1_2())
    link = zipfile.ZipInfo("users-link.csv")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    assert found(parse_package(path, Limits())) == [("users-link.csv", None, None, "symlink")]


def test_a_symlink_in_a_folder_is_rejected(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "f", package_1_2())
    (tmp_path / "secret.csv").write_text("x")
    (root / "users2.csv").symlink_to(tmp_path / "secret.csv")
    assert found(parse_package(root, Limits())) == [("users2.csv", None, None, "symlink")]


def test_a_highly_compressed_member_is_a_zip_bomb(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", {**package_1_2(), "results.csv": b"\x00" * 3_000_000})
    parsed = parse_package(path, Limits(max_ratio=200, ratio_floor_bytes=1_000_000))
    assert [(p.file, p.code) for p in parsed.report.problems] == [("results.csv", "zip_bomb")]
    assert parsed.report.problems[0].value is not None
    assert int(parsed.report.problems[0].value.split(":")[0]) > 200


def test_a_small_member_is_never_counted_as_a_bomb(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", {**package_1_2(), "results.csv": b"," * 500_000})
    parsed = parse_package(path, Limits(max_ratio=200, ratio_floor_bytes=1_000_000))
    assert [p.code for p in parsed.report.problems] == ["unlisted_file"]


def test_a_zip_expanding_beyond_the_total_limit_is_a_zip_bomb(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", {**package_1_2(), "results.csv": b"abc" * 10_000})
    parsed = parse_package(path, Limits(max_total_bytes=20_000))
    assert found(parsed) == [("", None, None, "zip_bomb")]


def test_a_folder_larger_than_the_total_limit(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "f", {**package_1_2(), "results.csv": b"abc" * 10_000})
    assert found(parse_package(root, Limits(max_total_bytes=20_000))) == [
        ("", None, None, "package_too_large")
    ]


@pytest.mark.parametrize("zipped", [True, False])
def test_a_file_over_the_per_file_limit(tmp_path: Path, zipped: bool) -> None:
    files = {**package_1_2(), "results.csv": b"r" * 5_000}
    path = write_zip(tmp_path / "p.zip", files) if zipped else write_folder(tmp_path / "f", files)
    parsed = parse_package(path, Limits(max_file_bytes=4_000))
    assert [(p.file, p.code, p.value) for p in parsed.report.problems] == [
        ("results.csv", "file_too_large", "5000")
    ]


@pytest.mark.parametrize("zipped", [True, False])
def test_too_many_members(tmp_path: Path, zipped: bool) -> None:
    files = package_1_2()  # 8 files
    path = write_zip(tmp_path / "p.zip", files) if zipped else write_folder(tmp_path / "f", files)
    parsed = parse_package(path, Limits(max_members=7))
    assert [(p.file, p.code, p.value) for p in parsed.report.problems] == [("", "too_many_members", "8")]


def test_an_encrypted_member_is_a_bad_zip(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", package_1_2())
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag of the first member in its central directory entry.
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1
    path.write_bytes(bytes(data))
    assert found(parse_package(path, Limits())) == [("orgs.csv", None, None, "bad_zip")]


def test_a_corrupt_member_stops_that_file_as_bad_zip(tmp_path: Path) -> None:
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in package_1_2().items():
            archive.writestr(name, content)
    data = bytearray(path.read_bytes())
    start = data.index(b"d1,,,District One")
    data[start : start + 2] = b"XX"  # the CRC no longer matches
    path.write_bytes(bytes(data))
    parsed = parse_package(path, Limits())
    assert ("orgs.csv", None, None, "bad_zip") in found(parsed)
    assert parsed.report.file("orgs.csv") is not None
    assert parsed.report.file("orgs.csv").accepted == 0  # type: ignore[union-attr]


def test_a_path_that_is_neither_folder_nor_zip(tmp_path: Path) -> None:
    text = tmp_path / "roster.csv"
    text.write_text("a,b\n")
    assert found(parse_package(text, Limits())) == [("", None, None, "unreadable_package")]
    assert found(parse_package(tmp_path / "missing.zip", Limits())) == [
        ("", None, None, "unreadable_package")
    ]


def test_a_truncated_zip_is_a_bad_zip(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "p.zip", package_1_2())
    data = path.read_bytes()
    end = data.rindex(b"PK\x05\x06")
    # Keep the end record (so it still looks like a zip) but cut the central directory it points to.
    path.write_bytes(data[: end - 40] + data[end:])
    assert [p.code for p in parse_package(path, Limits()).report.problems] == ["bad_zip"]


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_ratio"):
        Limits(max_ratio=0)

"""Small valid OneRoster packages (1.1 and 1.2) to break one thing at a time, and ways to write them out."""

from __future__ import annotations

import zipfile
from pathlib import Path

from homeroom.rostering import Limits, ParsedPackage, parse_package
from homeroom.rostering.references import KnownIds

ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
d1,,,District One,district,,
s1,,,School One,school,,d1
"""
SESSIONS = """sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
y1,,,2024,schoolYear,2023-08-01,2024-06-30,,2024
t1,,,Fall,term,2023-08-01,2023-12-20,y1,2024
"""
COURSES = (
    "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,orgSourcedId,subjects,"
    "subjectCodes\nc1,,,y1,Math 7,M7,07,s1,Math,\n"
)
CLASSES = (
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
    "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
    "k1,,,Math 7 A,07,c1,M7A,scheduled,Room 1,s1,t1,,,1\n"
)
USERS_1_2 = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,"
    "identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,"
    "preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n"
    "u1,,,true,ana,{LDAP:1},Ana,Lee,,,ana@example.org,,,,,secret,,,,,,s1,\n"
    "u2,,,true,ben,,Ben,Ortiz,,,,,,,07,,,,,,,s1,\n"
)
ROLES = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,"
    "userProfileSourcedId\nr1,,,u1,primary,teacher,,,s1,\nr2,,,u2,primary,student,,,s1,\n"
)
ENROLLMENTS = (
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,"
    "endDate\ne1,,,k1,s1,u1,teacher,true,,\ne2,,,k1,s1,u2,student,false,,\n"
)
USERS_1_1 = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
    "u1,,,true,s1,teacher,ana,,Ana,Lee,,,,,,,,\n"
    "u2,,,true,s1,student,ben,,Ben,Ortiz,,,,,,,07,\n"
)


def manifest(version: str = "1.2", files: dict[str, str] | None = None) -> str:
    """A manifest giving each file of `files` (by name without .csv) its mode."""
    lines = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    lines += [f"file.{name},{value}" for name, value in (files or {}).items()]
    lines += ["source.systemName,Test SIS"]
    return "\r\n".join(lines) + "\r\n"


def package_1_2(mode: str = "bulk") -> dict[str, str | bytes]:
    names = {
        "orgs.csv": ORGS,
        "academicSessions.csv": SESSIONS,
        "courses.csv": COURSES,
        "classes.csv": CLASSES,
        "users.csv": USERS_1_2,
        "roles.csv": ROLES,
        "enrollments.csv": ENROLLMENTS,
    }
    files: dict[str, str | bytes] = dict(names)
    files["manifest.csv"] = manifest("1.2", files={name.removesuffix(".csv"): mode for name in names})
    return files


def package_1_1(mode: str = "bulk") -> dict[str, str | bytes]:
    names = {
        "orgs.csv": ORGS,
        "academicSessions.csv": SESSIONS,
        "courses.csv": COURSES,
        "classes.csv": CLASSES,
        "users.csv": USERS_1_1,
        "enrollments.csv": ENROLLMENTS,
    }
    files: dict[str, str | bytes] = dict(names)
    files["manifest.csv"] = manifest("1.1", files={name.removesuffix(".csv"): mode for name in names})
    return files


def with_rows(files: dict[str, str | bytes], name: str, *rows: str) -> dict[str, str | bytes]:
    """A copy of `files` with rows appended to one file."""
    text = files[name]
    assert isinstance(text, str)
    return {**files, name: text + "".join(row + "\n" for row in rows)}


def write_folder(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        (root / name).write_bytes(data)
    return root


def write_zip(path: Path, files: dict[str, str | bytes], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(prefix + name, content)
    return path


def parse_files(
    tmp_path: Path, files: dict[str, str | bytes], limits: Limits | None = None, known: KnownIds | None = None
) -> ParsedPackage:
    root = write_folder(tmp_path / "package", files)
    return parse_package(root, limits or Limits(), known=known)


def found(parsed: ParsedPackage) -> list[tuple[str, int | None, str | None, str]]:
    """Problems as (file, line, column, code), in the order found."""
    return [(p.file, p.line, p.column, p.code) for p in parsed.report.problems]

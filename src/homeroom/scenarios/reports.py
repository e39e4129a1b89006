"""How results of policy test files are shown: text lines and JSON documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from homeroom.scenarios.runner import CheckResult, FileResult


def check_line(file: str, result: CheckResult) -> str:
    status = "PASS" if result.passed else "FAIL"
    got = result.got
    expected = "" if result.passed else f" (expected {result.expected.expect}): {got.reason.message}"
    where = f"{file}#{result.expected.index}"
    return f"{status} {where} {result.expected.check} -> {got.effect} {got.code}{expected}"


def file_lines(result: FileResult, *, quiet: bool = False) -> Iterator[str]:
    if result.error is not None:
        yield f"ERROR {result.file}: invalid policy test file"
        for path, message in result.error.problems:
            yield f"  {path}: {message}"
        return
    for check in result.results:
        if not (quiet and check.passed):
            yield check_line(result.file, check)


def summary_line(results: Iterable[FileResult]) -> str:
    results = list(results)
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    broken = sum(r.error is not None for r in results)
    prefix = f"{broken} file error{'s' if broken != 1 else ''}\n" if broken else ""
    return f"{prefix}{passed} passed, {failed} failed"


def file_as_json(result: FileResult) -> dict[str, Any]:
    if result.error is not None:
        problems = [{"path": path, "message": message} for path, message in result.error.problems]
        return {"file": result.file, "error": {"code": result.error.code, "problems": problems}, "checks": []}
    return {
        "file": result.file,
        "name": result.name,
        "profile": result.profile,
        "error": None,
        "checks": [_check_json(c) for c in result.results],
    }


def _check_json(result: CheckResult) -> dict[str, Any]:
    check, got = result.expected.check, result.got
    return {
        "index": result.expected.index,
        "as": check.actor,
        "can": check.permission,
        "target": str(check.target),
        "to": str(check.to) if check.to else None,
        "from": str(check.from_) if check.from_ else None,
        "role": check.role,
        "at": str(check.at) if check.at else None,
        "expect": result.expected.expect,
        "got": got.effect,
        "passed": result.passed,
        "rule": got.reason.rule,
        "assignment": got.reason.assignment,
        "scope": got.reason.scope,
        "code": got.code,
        "message": got.reason.message,
    }

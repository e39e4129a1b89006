"""The package's own rules: pure (no database, web framework or environment), small modules, honest docs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from homeroom.rostering import CODES

ROOT = Path(__file__).parents[3]
PACKAGE = ROOT / "src" / "homeroom" / "rostering"
FORBIDDEN = (
    "sqlalchemy", "alembic", "psycopg", "fastapi", "starlette", "pydantic", "typer", "rich", "os",
    "homeroom.store", "homeroom.services", "homeroom.api", "homeroom.web", "homeroom.cli",
)  # fmt: skip


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_rostering_is_pure() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 10
    for module in modules:
        for name in _imports(module):
            assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN), (
                module.name,
                name,
            )
        text = module.read_text(encoding="utf-8")
        assert "environ[" not in text, module.name
        assert "getenv" not in text, module.name


def test_modules_stay_under_400_lines() -> None:
    for module in PACKAGE.glob("*.py"):
        assert len(module.read_text(encoding="utf-8").splitlines()) < 400, module.name


def test_the_doc_explains_every_problem_code_and_no_other() -> None:
    doc = (ROOT / "docs" / "rostering.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z_]+)` \| (error|warning) \|", doc, flags=re.MULTILINE)
    assert sorted(documented) == sorted((code, severity) for code, (severity, _) in CODES.items())

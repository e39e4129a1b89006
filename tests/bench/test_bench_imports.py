"""Smoke test of the import benchmark on the tiny world: the raw load, the import of the generated package
in a child process, and the unchanged re-import, on SQLite; no timing assertions."""

from bench.generate import generate
from bench.imports import render_imports, run_imports


def test_the_import_benchmark_imports_the_package_then_writes_nothing_again():
    (run,) = run_imports(generate("tiny"), ("sqlite",))
    assert run.status == "applied"
    assert run.import_rows > 0
    assert run.raw_rows > 0
    assert run.again_status == "unchanged"
    assert run.again_written == 0
    assert {"validate", "plan", "apply"} <= set(run.stages)
    lines = render_imports([run])
    assert lines[2].startswith("| tiny | sqlite | ")
    assert "(applied)" in lines[2]
    assert "(unchanged) | 0 |" in lines[2]

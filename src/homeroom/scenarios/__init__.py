"""Policy test files (spec/scenarios.md): parsing, validation and running them through an engine."""

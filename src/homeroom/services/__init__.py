"""Use cases: load facts, decide, validate, write and audit, in one transaction each."""

"""IdSet: a set of ids kept as pairs of hashes, against Python's set of the strings themselves."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homeroom.rostering.idsets import IdSet


@settings(max_examples=200, deadline=None)
@given(
    added=st.lists(st.text(max_size=8), max_size=3000),
    asked=st.lists(st.text(max_size=8), max_size=50),
)
def test_an_id_set_answers_as_a_set_of_the_strings(added: list[str], asked: list[str]) -> None:
    ids, strings = IdSet(), set()
    for value in added:
        assert ids.add(value) == (value not in strings)  # grows from 1,024 slots along the way
        strings.add(value)
    assert len(ids) == len(strings)
    for value in [*added[:50], *asked]:
        assert (value in ids) == (value in strings)
    assert ids == IdSet(reversed(added))
    assert 1 not in ids
    batched = IdSet()
    batched.update(added)
    assert batched == ids
    assert batched.has_all(added)
    assert batched.has_any(asked) == any(value in strings for value in asked)
    fresh = [value for value in dict.fromkeys(asked) if value not in strings]
    batched.add_absent(fresh)
    assert len(batched) == len(strings | set(fresh))


def test_a_million_ids_take_under_40_bytes_each() -> None:
    ids = IdSet(f"enr-k{i % 40_000}-u{i}" for i in range(1_000_000))
    assert len(ids) == 1_000_000
    assert "enr-k1-u1" in ids
    assert "enr-k1-u2" not in ids
    assert ids._table.itemsize * len(ids._table) <= 40 * 1_000_000  # 16 bytes a slot, a quarter to half free

"""A set of ids in 16 to 32 bytes each, where a Python set of strings takes about 120: the five million
enrollment sourcedIds of size L fit in 128 MB instead of 650.

An id is kept as two 64-bit hashes of it (Python's `hash` of the id and of the id with a NUL appended:
SipHash under the process's random key, a pseudo-random function of the text) in one open-addressing table
of machine integers. Two different ids collide with a probability of 2**-128 per pair, some 10**-25 for a
package of five million: far below the odds of a memory error, and the only way this set differs from a
set of the strings themselves. Chunks of ids are added and looked up in one call each (`update`,
`add_absent`, `has_any`, `has_all`), the probing inlined: a call per id would cost more than the hashing.
"""

from __future__ import annotations

from array import array
from collections.abc import Collection, Iterable
from typing import Final

_FIRST_SLOTS: Final = 1 << 10
_FULL: Final = 0.75  # the share of used slots at which the table doubles
Pair = tuple[int, int]


class IdSet:
    """The ids seen: `add`, `update`, `add_absent`, `in`, `has_any`, `has_all`, `len`, and equality.

    A free slot holds (0, 0); an id whose two hashes are both 0 is remembered apart (`_zero`).
    """

    __slots__ = ("_count", "_mask", "_table", "_zero")

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._mask = _FIRST_SLOTS - 1
        self._table = array("q", bytes(16 * _FIRST_SLOTS))
        self._count = 0
        self._zero = False
        for value in values:
            self.add(value)

    def add(self, value: str) -> bool:
        """Add `value`; whether it was new."""
        pair = _pair(value)
        if self._find((pair,)):
            return False
        self._put((pair,))
        return True

    def update(self, values: Iterable[str]) -> None:
        """Add each of `values` that is not in the set yet."""
        pairs = {_pair(value) for value in values}
        self._put([pair for pair in pairs if not self._find((pair,))])

    def add_absent(self, values: Collection[str]) -> None:
        """Add `values`, distinct and known not to be in the set (`has_any` said so)."""
        self._put([_pair(value) for value in values])

    def has_any(self, values: Iterable[str]) -> bool:
        return self._find([_pair(value) for value in values])

    def has_all(self, values: Iterable[str]) -> bool:
        return self._find([_pair(value) for value in values], every=True)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self._find((_pair(value),))

    def __len__(self) -> int:
        return self._count + self._zero

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IdSet):
            return NotImplemented
        return self._zero == other._zero and self._pairs() == other._pairs()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def _find(self, pairs: Iterable[Pair], *, every: bool = False) -> bool:
        """Whether any of `pairs` is in the set (with `every`: whether all are)."""
        table, mask = self._table, self._mask
        for first, second in pairs:
            if first == 0 and second == 0:
                found = self._zero
            else:
                slot = first & mask
                while True:
                    held = table[2 * slot]
                    if held == first and table[2 * slot + 1] == second:
                        found = True
                        break
                    if held == 0 and table[2 * slot + 1] == 0:
                        found = False
                        break
                    slot = (slot + 1) & mask
            if found != every:
                return found
        return every

    def _put(self, pairs: Collection[Pair]) -> None:
        """Insert pairs known to be absent (and distinct)."""
        while self._count + len(pairs) > (self._mask + 1) * _FULL:
            self._grow()
        table, mask = self._table, self._mask
        for first, second in pairs:
            if first == 0 and second == 0:
                self._zero = True
                continue
            slot = first & mask
            while table[2 * slot] != 0 or table[2 * slot + 1] != 0:
                slot = (slot + 1) & mask
            table[2 * slot], table[2 * slot + 1] = first, second
            self._count += 1

    def _grow(self) -> None:
        old = self._table
        mask = self._mask = 2 * (self._mask + 1) - 1
        table = self._table = array("q", bytes(16 * (mask + 1)))
        for index in range(0, len(old), 2):
            first, second = old[index], old[index + 1]
            if first or second:
                slot = first & mask
                while table[2 * slot] != 0 or table[2 * slot + 1] != 0:
                    slot = (slot + 1) & mask
                table[2 * slot], table[2 * slot + 1] = first, second

    def _pairs(self) -> set[Pair]:
        table = self._table
        return {(table[i], table[i + 1]) for i in range(0, len(table), 2) if table[i] or table[i + 1]}


def _pair(value: str) -> Pair:
    return hash(value), hash(value + "\x00")

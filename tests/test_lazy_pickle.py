"""Lazy fields: decoded or built once, on first use, whichever thread asks first."""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from typing import ClassVar

from conftest import at_once

from routine_audit.lazy_pickle import LazyPickle


class SlowParts:
    """A Deferred that counts its builds and its unpicklings (class-wide)."""

    builds = 0
    decodes = 0

    def __init__(self, items: list[str]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def build(self) -> list[str]:
        type(self).builds += 1
        time.sleep(0.05)  # long enough for every other reader to arrive meanwhile
        return list(self.items)

    def __setstate__(self, state: dict) -> None:
        type(self).decodes += 1
        self.__dict__.update(state)


@dataclass
class Record(LazyPickle):
    _lazy_fields: ClassVar[tuple[str, ...]] = ("table", "items")

    table: list[int]
    items: object

    def __post_init__(self) -> None:
        if isinstance(self.items, SlowParts):
            self._defer("items", self.items)


def _fresh(items: list[str]) -> Record:
    SlowParts.builds = SlowParts.decodes = 0
    return Record([1, 2, 3], SlowParts(items))


def test_a_deferred_field_is_built_once_however_many_threads_read_it_at_once():
    record = _fresh(["a", "b"])
    seen = at_once(lambda: record.items, threads=8)
    assert SlowParts.builds == 1
    assert len(seen) == 8 and all(value is seen[0] for value in seen)
    assert seen[0] == ["a", "b"]


def test_a_reader_that_missed_the_field_while_another_thread_made_it_gets_the_value():
    # the interleaving: this reader's normal lookup fails, another thread then builds
    # the field and drops its encoded form, and only then does this reader look
    record = _fresh(["a"])
    built = record.items
    assert Record.__getattr__(record, "items") is built
    decoded = pickle.loads(pickle.dumps(record))
    table = decoded.table
    assert Record.__getattr__(decoded, "table") is table


def test_unpickling_decodes_no_lazy_field_until_it_is_read():
    record = pickle.loads(pickle.dumps(_fresh(["a", "b", "c"])))
    assert SlowParts.decodes == 0 and SlowParts.builds == 0
    assert record.items == ["a", "b", "c"]
    assert (SlowParts.decodes, SlowParts.builds) == (1, 1)
    again = pickle.loads(pickle.dumps(record))  # once built, it is stored built
    assert again.items == ["a", "b", "c"] and SlowParts.builds == 1


def test_an_unknown_attribute_is_still_an_attribute_error():
    record = _fresh([])
    assert not hasattr(record, "nothing_like_this")

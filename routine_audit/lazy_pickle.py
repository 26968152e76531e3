"""Pickle support that leaves a record's big fields encoded until first used.

The cache stores audits and report views; a warm team run reads many of them
and uses only their small fields (figures, finding counts), so decoding the big
ones (occurrence tables, per-day rows, findings) up front would be most of its time.
"""

from __future__ import annotations

import pickle
import threading
from typing import ClassVar, Protocol, runtime_checkable

_ENCODED = "_encoded_"
_DEFERRED = "_deferred_"

# one lock for every record: decoding holds the GIL anyway, and a build may read
# another record's lazy field (re-entrant)
_DECODING = threading.RLock()


@runtime_checkable
class Deferred(Protocol):
    """A value kept in a cheaper form: its length is known, ``build()`` makes it."""

    def __len__(self) -> int: ...

    def build(self) -> object: ...


class LazyPickle:
    """Mixin for a (possibly frozen) dataclass: ``_lazy_fields`` decode on first access.

    A lazy field may also be given as a ``Deferred`` (see ``_defer``): it is built
    on first access. Pickling encodes every lazy field not yet used, deferred ones
    in their cheaper form, so unpickling a record decodes none of them.
    """

    _lazy_fields: ClassVar[tuple[str, ...]] = ()

    def _defer(self, name: str, value: Deferred) -> None:
        self.__dict__.pop(name, None)
        self.__dict__[_DEFERRED + name] = value

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in self._lazy_fields:
            if name in state:
                state[_ENCODED + name] = _encode(state.pop(name))
            deferred = state.get(_DEFERRED + name)
            if deferred is not None and not isinstance(deferred, bytes):
                state[_DEFERRED + name] = _encode(deferred)  # decoded and built on first use
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)  # also for frozen dataclasses: no __setattr__ involved

    def __getattr__(self, name: str) -> object:  # only called for attributes not yet set
        if name not in self._lazy_fields:
            raise AttributeError(name)
        with _DECODING:
            state = self.__dict__
            if name in state:  # another thread made it while this one waited
                return state[name]
            # pickle.loads: our own owner-only cache, trusted
            if _ENCODED + name in state:
                value = pickle.loads(state[_ENCODED + name])
            elif _DEFERRED + name in state:
                deferred = state[_DEFERRED + name]
                if isinstance(deferred, bytes):
                    deferred = pickle.loads(deferred)
                value = deferred.build()
            else:
                raise AttributeError(name)
            state[name] = value
            state.pop(_ENCODED + name, None)
            state.pop(_DEFERRED + name, None)
            return value


def _encode(value: object) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

"""Pickle support that leaves a record's big fields encoded until first used.

The cache stores audits and report views; a warm team run reads many of them
and uses only their small fields (figures, findings), so decoding the big ones
(occurrence tables, per-day rows) up front would be most of its time.
"""

from __future__ import annotations

import pickle
from typing import ClassVar, Protocol

_ENCODED = "_encoded_"
_DEFERRED = "_deferred_"


class Deferred(Protocol):
    """A value kept in a cheaper form: its length is known, ``build()`` makes it."""

    def __len__(self) -> int: ...

    def build(self) -> object: ...


class LazyPickle:
    """Mixin for a (possibly frozen) dataclass: ``_lazy_fields`` decode on first access.

    A lazy field may also be given as a ``Deferred`` (see ``_defer``): it is built
    on first access, and pickles in its cheaper form until then.
    """

    _lazy_fields: ClassVar[tuple[str, ...]] = ()

    def _defer(self, name: str, value: Deferred) -> None:
        self.__dict__.pop(name, None)
        self.__dict__[_DEFERRED + name] = value

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in self._lazy_fields:
            if name in state:
                state[_ENCODED + name] = pickle.dumps(state.pop(name), pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)  # also for frozen dataclasses: no __setattr__ involved

    def __getattr__(self, name: str) -> object:  # only called for attributes not yet set
        if name not in self._lazy_fields:
            raise AttributeError(name)
        encoded = self.__dict__.get(_ENCODED + name)
        deferred = self.__dict__.get(_DEFERRED + name)
        if encoded is not None:
            value = pickle.loads(encoded)  # our own owner-only cache: trusted
        elif deferred is not None:
            value = deferred.build()
        else:
            raise AttributeError(name)
        self.__dict__[name] = value
        # another thread may have made it too
        self.__dict__.pop(_ENCODED + name, None)
        self.__dict__.pop(_DEFERRED + name, None)
        return value

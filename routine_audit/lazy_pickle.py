"""Pickle support that leaves a record's big fields encoded until first used.

The cache stores audits and report views; a warm team run reads many of them
and uses only their small fields (figures, findings), so decoding the big ones
(occurrence tables, per-day rows) up front would be most of its time.
"""

from __future__ import annotations

import pickle
from typing import ClassVar

_ENCODED = "_encoded_"


class LazyPickle:
    """Mixin for a (possibly frozen) dataclass: ``_lazy_fields`` decode on first access."""

    _lazy_fields: ClassVar[tuple[str, ...]] = ()

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        for name in self._lazy_fields:
            if name in state:
                state[_ENCODED + name] = pickle.dumps(state.pop(name), pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)  # also for frozen dataclasses: no __setattr__ involved

    def __getattr__(self, name: str) -> object:  # only called for attributes not yet set
        encoded = self.__dict__.get(_ENCODED + name) if name in self._lazy_fields else None
        if encoded is None:
            raise AttributeError(name)
        value = pickle.loads(encoded)  # our own owner-only cache: trusted
        self.__dict__[name] = value
        self.__dict__.pop(_ENCODED + name, None)  # another thread may have decoded it too
        return value

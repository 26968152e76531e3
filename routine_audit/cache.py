"""The store's old name: ``routine_audit.cache`` is ``routine_audit.caching.store``.

The same module object, not a copy, so what is set on one name (a test's patch)
holds for the other.
"""

import sys

from .caching import store

sys.modules[__name__] = store

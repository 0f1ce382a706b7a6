"""Process-level tuning of the long-running entry points (the app server).

:func:`freeze_startup_heap` moves the objects alive after start-up (modules, classes, caches: several hundred
thousand) out of the cyclic garbage collector's reach (:func:`gc.freeze`). A full collection then walks only what
requests allocated since, so a read model that builds many rows no longer pays for walking the whole server heap:
at 100 000 calls the all-teams team outcomes went from a median of 254 ms and a p95 of 309–427 ms to 188–195 ms and
197–201 ms (SQLite, one process, 15 runs each). Objects that are freed by reference counting are freed as before;
only start-up objects that later become cyclic garbage would stay, and start-up objects live as long as the server.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = False


def freeze_startup_heap() -> bool:
    """Collect once, then freeze what is left; only the first call in a process does it (True then)."""
    global _frozen
    with _lock:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen = True
        return True

"""In-process caches on `cachetools`, made safe for a threaded worker.

Each gunicorn worker keeps its own; nothing is shared, so an entry can be at most its
time to live old wherever it is read. cachetools' caches are not thread-safe: every
operation here holds the cache's lock.
"""

import threading
import time
from collections.abc import Callable, Hashable

import cachetools


class TTLCache:
    """Up to `size` values, each kept for the `seconds` its reader asks for (a setting
    that tests and operators may change while the app runs); least recently used go first."""

    def __init__(self, size: int = 256, clock: Callable[[], float] = time.monotonic):
        self.size = size
        self.clock = clock
        self._entries = cachetools.TTLCache(size, 0, timer=clock)
        self._lock = threading.Lock()

    def get(self, key: Hashable, seconds: float):
        """The value stored under key less than `seconds` ago, or None."""
        with self._lock:
            if self._entries.ttl != seconds:
                self._entries = cachetools.TTLCache(self.size, seconds, timer=self.clock)
            return self._entries.get(key)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class SizedLRU:
    """Values by key up to a budget of bytes; the least recently used go first."""

    def __init__(self, budget_bytes: int):
        self._entries = cachetools.LRUCache(budget_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self._entries.maxsize:
            return  # larger than the whole budget: not kept
        with self._lock:
            self._entries[key] = body

    @property
    def currsize(self) -> int:
        return self._entries.currsize

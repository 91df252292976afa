"""A small in-process cache whose entries expire after a number of seconds.

Each gunicorn worker keeps its own; nothing is shared, so an entry can be at most
`seconds` old wherever it is read. Used for rendered fragments that many people
ask for at once and that may lag the database by a few seconds.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TTLCache:
    """Keep up to `size` values, each for `seconds`; the least recently used go first."""

    def __init__(self, size: int = 256, clock: Callable[[], float] = time.monotonic):
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, seconds: float):
        """The value stored under key less than `seconds` ago, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stored, value = entry
            if self.clock() - stored >= seconds:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = (self.clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

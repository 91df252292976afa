"""The rate limiter's in-process storage, made safe for a threaded server.

limits 5.8's memory storage restarts its expiry timer without a lock. Two requests that
hit the limiter at the same moment can then both replace the timer and start the same
one twice: a RuntimeError, and a 500 on the sign-in page when a class of employees signs
in together. Upstream fixed it in alisaifee/limits#352; drop this module once a release
on PyPI carries that fix.
"""

import contextlib
import threading

from limits.storage import MemoryStorage


class ThreadSafeMemoryStorage(MemoryStorage):
    """Registered for memory://, so the app's default storage is this one."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, *args, **kwargs) -> None:
        self._timer_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    # The parent calls these through their mangled names.
    def _MemoryStorage__schedule_expiry(self) -> None:
        with self._timer_lock:
            super()._MemoryStorage__schedule_expiry()

    def _MemoryStorage__expire_events(self) -> None:
        # A request may drop the same expired key first; the next hit starts a new sweep.
        with contextlib.suppress(KeyError):
            super()._MemoryStorage__expire_events()

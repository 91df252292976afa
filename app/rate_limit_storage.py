"""The rate limiter's in-process storage, without a thread per request.

limits 5.8's memory storage sweeps expired counters on a `threading.Timer` of 10 ms that
it starts again on every hit whose timer has run out: on a booking, most hits. Starting
that thread was about 7 % of a booking's profile (`python -m bench.run --only booking`,
issue 20), and its restart without a lock could start the same timer twice (a
RuntimeError, a 500 on sign-in when a class signs in together; alisaifee/limits#352).

A counter's expiry is checked when it is read, so the sweep only frees memory. This
storage sweeps inline, in the request that finds the last sweep a second old; one
request sweeps at a time and the others go on without waiting.
"""

import contextlib
import threading
import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0


class ThreadSafeMemoryStorage(MemoryStorage):
    """Registered for memory://, so the app's default storage is this one."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, *args, **kwargs) -> None:
        self._sweep_lock = threading.Lock()
        self._last_sweep = time.monotonic()
        super().__init__(*args, **kwargs)

    # The parent calls these through their mangled names.
    def _MemoryStorage__schedule_expiry(self) -> None:
        if time.monotonic() - self._last_sweep < SWEEP_SECONDS:
            return
        if not self._sweep_lock.acquire(blocking=False):
            return  # another request is sweeping
        try:
            self._last_sweep = time.monotonic()
            self._MemoryStorage__expire_events()
        finally:
            self._sweep_lock.release()

    def _MemoryStorage__expire_events(self) -> None:
        # A request may drop the same expired key first.
        with contextlib.suppress(KeyError):
            super()._MemoryStorage__expire_events()

"""Who writes a message that was queued as a payload, by the message's kind.

A feature that queues what to say rather than the message (calendar letters: their
Date and DTSTAMP are the send time) registers its renderer for its kinds when the
app is built; the worker and the outbox viewer ask here. So the mail layer never
imports the features above it.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from flask import Flask, current_app

# The stored payload (JSON text) and the time to stamp it (None: now) -> bytes for SMTP.
Renderer = Callable[[str, datetime | None], bytes]

_KEY = "mail_renderers"


def register(app: Flask, kinds: Iterable[str], renderer: Renderer) -> None:
    """Let `renderer` write this app's queued payloads of these kinds (each app its own:
    tests build many)."""
    renderers = app.extensions.setdefault(_KEY, {})
    for kind in kinds:
        renderers[kind] = renderer


def render(kind: str, payload: str, now: datetime | None = None) -> bytes:
    """The message for a queued payload, stamped `now`."""
    renderer = current_app.extensions.get(_KEY, {}).get(kind)
    if renderer is None:
        raise LookupError(f"no renderer for queued mail of kind {kind!r}")
    return renderer(payload, now)

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.mail import renderers


class OutboxMessage(db.Model):
    """A mail waiting to go, written in the same transaction as the change it tells of."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    # The whole RFC 5322 message, ready for SMTP: written when queued, or for an
    # invite (queued as `payload`, written by its kind's renderer, see
    # app/mail/renderers.py) by the worker that first takes it, before it sends; every
    # attempt then sends these very bytes, so a repeat carries the same Message-ID and
    # mail systems can drop it.
    stored_raw: Mapped[bytes | None] = mapped_column("raw", LargeBinary)
    payload: Mapped[str | None] = mapped_column(Text)
    # Keeps a message that must go once (a reminder) from being queued twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker that takes the message holds it until this time; another worker
    # may take it only after the claim has run out (the first one died). The
    # worker's round token says whose claim it is (see app/mail/claims.py).
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")

    @property
    def raw(self) -> bytes:
        """The message as sent or as it will be sent; for an invite no worker has
        taken yet, as it would be written now."""
        if self.stored_raw is not None:
            return self.stored_raw
        # Written once per loaded row, so that reading it twice gives the same bytes.
        if getattr(self, "_composed", None) is None:
            self._composed = renderers.render(self.kind, self.payload)
        return self._composed

    @property
    def state(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        return "waiting"

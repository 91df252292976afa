from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Company, Person
from app.db import UTCDateTime, utcnow
from app.extensions import db

# What a subscriber can ask for, in the order the page lists them.
EVENT_TYPES = (
    "booking.created",
    "booking.cancelled",
    "booking.moved",
    "booking.rescheduled",
    "booking.promoted",
    "result.recorded",
)
# Sent only when the subscriber asks for one ("Skicka testhändelse"), whatever it chose.
TEST_EVENT = "webhook.test"
# Why a subscription was turned off other than by its owner: the receiver answered
# 410 Gone, or the owner may no longer see the events (a role or company changed).
DISABLED_REASONS = ("gone", "owner")


class WebhookSubscription(db.Model):
    """A URL that gets signed events: a project admin's (all companies) or a coordinator's.

    The secret signs every request (Standard Webhooks); unlike an API token it cannot
    be stored as a digest, since signing needs it. It is shown to its owner once.
    """

    __tablename__ = "webhook_subscription"
    # A form sent again (a reload) finds the subscription its first sending made.
    __table_args__ = (
        UniqueConstraint("owner_id", "request_key", name="uq_webhook_subscription_request_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # The company whose employees' events it gets; NULL: every company's (project admins).
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    # Comma-separated, from EVENT_TYPES.
    event_types: Mapped[str] = mapped_column(String(300))
    # False once revoked by its owner, or disabled (the receiver answered 410 Gone,
    # or its owner may no longer see what it would get); the booking path reads only
    # active ones.
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
    # The page's form's one-time key; None for those registered through the API.
    request_key: Mapped[str | None] = mapped_column(String(64))

    owner: Mapped[Person] = relationship()
    company: Mapped[Company | None] = relationship()

    @property
    def events(self) -> list[str]:
        return [e for e in self.event_types.split(",") if e]

    def wants(self, event_type: str) -> bool:
        return event_type == TEST_EVENT or event_type in self.events


class WebhookDelivery(db.Model):
    """One event for one subscription: written with the change, sent by the worker.

    `msg_id` is the webhook-id header, the same on every attempt, so a receiver
    that got it before can drop the repeat. The payload holds no names or e-mail
    addresses (see app/webhooks/payloads.py): those are read when it is sent.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    # A worker holds the delivery until claimed_until; only the holder (claimed_by,
    # a token of its round) may finish it.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")

    subscription: Mapped[WebhookSubscription] = relationship()

    @property
    def state(self) -> str:
        if self.delivered_at is not None:
            return "delivered"
        if self.failed_at is not None:
            return "failed"
        return "retrying" if self.attempts else "waiting"

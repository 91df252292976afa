"""Webhook deliveries are written in the transaction of the change they tell of.

A booking that rolls back leaves no delivery, and one that commits always has its
deliveries, which the worker (app/webhooks/delivery.py) sends after the commit.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.bookings.models import Booking
from app.extensions import db
from app.webhooks import payloads
from app.webhooks.models import TEST_EVENT, WebhookDelivery, WebhookSubscription
from app.webhooks.signing import new_msg_id

# Built once: it runs in every booking, with the session's row locked. The table
# holds a few rows per company at most, so this is one quick read, and the only
# cost a booking pays when nobody subscribes.
_ACTIVE = select(
    WebhookSubscription.id, WebhookSubscription.company_id, WebhookSubscription.event_types
).where(WebhookSubscription.active.is_(True))
_INSERT = WebhookDelivery.__table__.insert()


def enqueue(event_type: str, booking: Booking, at: datetime, data: Callable[[], dict]) -> int:
    """Queue the event for every active subscription that wants it and may see it.

    A project-wide subscription gets every event, a coordinator's only those about
    its own company's employees. `data` is called only when someone subscribes.
    Returns how many deliveries were queued.
    """
    active = db.session.execute(_ACTIVE).all()
    if not active:
        return 0
    company_id = booking.employee.company_id
    wanted = [
        subscription_id
        for subscription_id, scope, event_types in active
        if (scope is None or scope == company_id) and event_type in event_types.split(",")
    ]
    if wanted:
        _insert(wanted, event_type, payloads.message(event_type, at, data()))
    return len(wanted)


def enqueue_test(subscription: WebhookSubscription, at: datetime) -> None:
    """Queue a test event for one subscription (the owner's "send a test event")."""
    data = {"subscription_id": subscription.id}
    _insert([subscription.id], TEST_EVENT, payloads.message(TEST_EVENT, at, data))


def _insert(subscription_ids: list[int], event_type: str, payload: str) -> None:
    # A plain INSERT: the rows are only ever read and updated by the worker, and the
    # booking's commit then has no more objects to flush.
    db.session.execute(
        _INSERT,
        [
            {
                "msg_id": new_msg_id(),
                "subscription_id": subscription_id,
                "event_type": event_type,
                "payload": payload,
                "last_error": "",
            }
            for subscription_id in subscription_ids
        ],
    )

"""The worker that sends webhook deliveries: signed, once each, retried with back-off.

Each delivery is claimed right before it is sent (app/mail/claims.py, the mail
outbox's leases), so two workers never send it at the same time, and its outcome
is recorded only while the claim is still this worker's. A receiver answering 2xx
has it; 410 Gone turns the subscription off; anything else (another status, a
timeout, a refused connection) is tried again after the mail outbox's back-off
until WEBHOOK_RETRY_HOURS after the event, then marked failed, which its owner
sees on the webhook's page. No redirect is followed.
"""

import http.client
import logging
import socket
import ssl
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from app.db import unit_of_work, utcnow
from app.extensions import db
from app.mail.claims import Claims, due_ids
from app.mail.worker import backoff
from app.webhooks import signing
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.payloads import body_for
from app.webhooks.services import may_still_receive
from app.webhooks.urls import UnsafeAddress, connect_address

log = logging.getLogger(__name__)

USER_AGENT = "Testcenterbokning-Webhooks/1"
_OPEN = (WebhookDelivery.delivered_at.is_(None), WebhookDelivery.failed_at.is_(None))


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Request:
    """What one attempt sends, read while the delivery is claimed."""

    url: str
    msg_id: str
    secret: str
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery: its request, or why it is not to be sent any more."""

    subscription_id: int
    attempts: int
    created_at: datetime
    request: Request | None = None
    refusal: str = ""


def _disable(subscription_id: int, reason: str) -> None:
    """Turn the subscription off; `reason` is one of DISABLED_REASONS."""
    with unit_of_work():
        db.session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription_id)
            .values(active=False, disabled_reason=reason)
        )


def _prepare(delivery_id: int) -> Claimed:
    db.session.rollback()  # read what the claim committed, not an older snapshot
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    subscription = delivery.subscription
    claimed = Claimed(subscription.id, delivery.attempts, delivery.created_at)
    if subscription.revoked_at is not None:
        return replace(claimed, refusal="the subscription was revoked")
    if not subscription.active:
        return replace(claimed, refusal="the subscription is disabled")
    if not may_still_receive(subscription):
        _disable(claimed.subscription_id, "owner")
        return replace(claimed, refusal="the owner may no longer see these events")
    return replace(
        claimed,
        request=Request(
            url=subscription.url,
            msg_id=delivery.msg_id,
            secret=subscription.secret,
            body=body_for(delivery.payload, subscription.company_id),
        ),
    )


def _post(request: Request) -> tuple[int, str]:
    """POST the body; return the status and the start of the answer. Raises OSError,
    http.client.HTTPException or UnsafeAddress when there is no answer to read."""
    parts = urlsplit(request.url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    address = connect_address(parts.hostname, port)
    timeout = current_app.config["WEBHOOK_TIMEOUT"]
    if secure:
        connection = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)

    # Connect to the address that was checked; TLS still checks the certificate
    # against the host name (SNI), and the Host header names it.
    def _create_connection(_address, timeout=timeout, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    connection._create_connection = _create_connection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(request.secret, request.msg_id, utcnow(), request.body),
    }
    try:
        connection.request("POST", path, body=request.body, headers=headers)
        response = connection.getresponse()
        text = response.read(500).decode("utf-8", "replace")
        return response.status, text
    finally:
        connection.close()


class WebhookSettingsError(RuntimeError):
    """The worker's settings would let a second worker send a delivery the first is sending."""


# Waits of WEBHOOK_TIMEOUT that one attempt may make: connect (TLS included), send,
# read the status and headers, read the start of the answer.
WAITS_PER_ATTEMPT = 4


def claim_seconds() -> float:
    config = current_app.config
    seconds, timeout = config["WEBHOOK_CLAIM_SECONDS"], config["WEBHOOK_TIMEOUT"]
    if seconds < WAITS_PER_ATTEMPT * timeout:
        raise WebhookSettingsError(
            f"WEBHOOK_CLAIM_SECONDS ({seconds}) must be at least {WAITS_PER_ATTEMPT} times "
            f"WEBHOOK_TIMEOUT ({timeout}): one attempt can take that long, and a shorter "
            "claim lets another worker send the same event while the first still is."
        )
    return seconds


def deliver_due(now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send what is due now, one delivery at a time; report what happened."""
    now = now or utcnow()
    report = DeliveryReport()
    claims = Claims(WebhookDelivery, claim_seconds())
    db.session.rollback()
    for delivery_id in due_ids(WebhookDelivery, now, limit, *_OPEN):
        if not claims.take(delivery_id, now, *_OPEN, WebhookDelivery.next_attempt_at <= now):
            continue  # another worker has it, or has just sent it
        claimed = _prepare(delivery_id)
        if claimed.request is None:
            claims.release(delivery_id, failed_at=now, last_error=claimed.refusal)
            report.failed.append(delivery_id)
            continue
        db.session.rollback()  # hold no transaction while waiting for the receiver
        try:
            status, answer = _post(claimed.request)
        except UnsafeAddress as error:
            status, answer = None, str(error)
        except (OSError, http.client.HTTPException) as error:
            status, answer = None, f"{type(error).__name__}: {error}"
        attempts = claimed.attempts + 1
        outcome = {"attempts": attempts, "last_status": status, "last_error": answer[:2000]}
        retry_until = claimed.created_at + timedelta(
            hours=current_app.config["WEBHOOK_RETRY_HOURS"]
        )
        if status is not None and 200 <= status < 300:
            claims.release(delivery_id, delivered_at=utcnow(), **outcome)
            report.delivered.append(delivery_id)
        elif status == 410:
            _disable(claimed.subscription_id, "gone")
            claims.release(delivery_id, failed_at=now, **outcome)
            report.failed.append(delivery_id)
        elif now >= retry_until:
            claims.release(delivery_id, failed_at=now, **outcome)
            report.failed.append(delivery_id)
        else:
            claims.release(delivery_id, next_attempt_at=now + backoff(attempts), **outcome)
            report.retry.append(delivery_id)
    return report


def pending_count() -> int:
    return db.session.scalar(select(func.count(WebhookDelivery.id)).where(*_OPEN))

"""Webhooks in the GDPR erasure (see app.accounts.privacy): only their texts, which may
name the erased person."""

from app.accounts.privacy import CODE, GENERATED, Part

PART = Part(
    "webhooks",
    free_text=(
        "webhook_delivery.payload",
        "webhook_delivery.last_error",
        "webhook_subscription.disabled_reason",
    ),
    no_personal_text={
        "webhook_subscription.url": "the receiver's address, typed by its owner for a machine",
        "webhook_subscription.secret": GENERATED,
        "webhook_subscription.request_key": GENERATED,
        "webhook_subscription.event_types": CODE,
        "webhook_delivery.msg_id": GENERATED,
        "webhook_delivery.event_type": CODE,
        "webhook_delivery.claimed_by": GENERATED,
    },
)

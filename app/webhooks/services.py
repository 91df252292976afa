"""Registering, listing, testing and revoking webhook subscriptions.

Who may subscribe, and to what: a project admin gets every company's events, a
coordinator only their own company's (the same people they see in the app).
Others may not subscribe at all.
"""

from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Person, Role
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, InvalidInput, NotFound
from app.extensions import db
from app.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookSubscription
from app.webhooks.outbox import enqueue_test
from app.webhooks.signing import new_secret
from app.webhooks.urls import check_url

PROJECT_WIDE = None


def may_subscribe(person: Person) -> bool:
    """Every company's events are for a project admin of every project; one limited to
    named projects has no webhooks (unless a coordinator too: then their company's)."""
    return person.sees_every_project or (
        person.has_role(Role.COORDINATOR) and person.company_id is not None
    )


def scope_of(person: Person) -> int | None:
    """The company whose events the person may subscribe to; None: every company's."""
    if person.sees_every_project:
        return PROJECT_WIDE
    if person.has_role(Role.COORDINATOR) and person.company_id is not None:
        return person.company_id
    raise Forbidden(
        _("Webhookar är för administratörer av alla projekt och för företagens samordnare.")
    )


def may_still_receive(subscription: WebhookSubscription) -> bool:
    """Whether the owner may still see what the subscription gets (roles can be taken away)."""
    owner = subscription.owner
    if not owner.is_active or owner.erased_at is not None:
        return False
    if subscription.company_id is None:
        return owner.sees_every_project
    return owner.sees_every_project or (
        owner.has_role(Role.COORDINATOR) and owner.company_id == subscription.company_id
    )


def _event_types(chosen: Iterable[str]) -> str:
    chosen = set(chosen)
    if not chosen:
        raise InvalidInput(_("Välj minst en händelse."))
    if unknown := chosen - set(EVENT_TYPES):
        raise InvalidInput(_("Okänd händelse: %(names)s", names=", ".join(sorted(unknown))))
    return ",".join(e for e in EVENT_TYPES if e in chosen)


def create_subscription(
    owner: Person, url: str, events: Iterable[str], request_key: str | None = None
) -> tuple[WebhookSubscription, str]:
    """Register a URL; return the subscription and its secret, which the owner sees once.

    With the form's `request_key`, the same form sent again (a reload of the page that
    showed the secret, two clicks at once) registers nothing more: a second webhook
    would get every event twice, with a secret nobody saw.
    """
    company_id = scope_of(owner)
    event_types = _event_types(events)
    url = check_url(url)
    already = DomainError(
        _(
            "Webhooken från det här formuläret är redan registrerad, och dess hemliga nyckel "
            "visades en gång. Spärra den i listan om du inte sparade nyckeln."
        ),
        "webhook_exists",
    )
    try:
        with unit_of_work():
            if request_key is not None and db.session.scalar(
                select(WebhookSubscription.id).where(
                    WebhookSubscription.owner_id == owner.id,
                    WebhookSubscription.request_key == request_key,
                )
            ):
                raise already
            active = db.session.scalar(
                select(func.count(WebhookSubscription.id)).where(
                    WebhookSubscription.owner_id == owner.id, WebhookSubscription.active.is_(True)
                )
            )
            limit = current_app.config["WEBHOOK_MAX_SUBSCRIPTIONS"]
            if active >= limit:
                raise DomainError(
                    _("Du har redan %(n)s aktiva webhookar. Spärra en du inte använder.", n=limit)
                )
            secret = new_secret()
            subscription = WebhookSubscription(
                owner_id=owner.id,
                company_id=company_id,
                url=url,
                secret=secret,
                event_types=event_types,
                active=True,
                created_at=utcnow(),
                disabled_reason="",
                request_key=request_key,
            )
            db.session.add(subscription)
            db.session.flush()
    except IntegrityError:  # the same form's other sending won the race
        raise already from None
    return subscription, secret


def subscriptions_of(owner: Person, include_revoked: bool = True) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).where(WebhookSubscription.owner_id == owner.id)
    if not include_revoked:
        query = query.where(WebhookSubscription.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(WebhookSubscription.id.desc())))


def get_subscription(subscription_id: int, owner: Person) -> WebhookSubscription:
    """The owner's own subscription; anyone else's is not found (not even said to exist)."""
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.owner_id != owner.id:
        raise NotFound(_("Webhooken finns inte."))
    return subscription


def revoke_subscription(subscription_id: int, owner: Person) -> WebhookSubscription:
    """Stop the subscription; deliveries still waiting are not sent."""
    with unit_of_work():
        subscription = get_subscription(subscription_id, owner)
        if subscription.revoked_at is None:
            subscription.revoked_at = utcnow()
            subscription.active = False
        return subscription


def send_test_event(subscription_id: int, owner: Person) -> WebhookSubscription:
    """Queue a "webhook.test" event, sent by the next round of the worker."""
    with unit_of_work():
        subscription = get_subscription(subscription_id, owner)
        if not subscription.active:
            raise DomainError(_("Webhooken är inte aktiv."))
        enqueue_test(subscription, utcnow())
        return subscription


def recent_deliveries(subscription: WebhookSubscription, limit: int = 20) -> list:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )

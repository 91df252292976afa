"""/api/v1/webhooks: an HR system registers, lists and removes its own webhooks.

The same services and rules as the web page (app/webhooks/views.py); the routes
join the API's blueprint, so they share its token check, rate limit and answers.
"""

from flask import g, url_for
from flask_babel import gettext as _

from app.api import webhook_schemas as schemas
from app.api.bodies import dump, json_body, parse
from app.api.views import bp, token_required
from app.errors import NotFound
from app.webhooks import services
from app.webhooks.models import WebhookSubscription


def _webhook_json(subscription: WebhookSubscription) -> dict:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "company_id": subscription.company_id,
        "active": subscription.active,
        "disabled_reason": None if subscription.active else subscription.disabled_reason or None,
        "created_at": subscription.created_at,
    }


def _own(subscription_id: int) -> WebhookSubscription:
    subscription = services.get_subscription(subscription_id, g.api_user)
    if subscription.revoked_at is not None:  # removed through the API or the page
        raise NotFound(_("Webhooken finns inte."))
    return subscription


@bp.get("/webhooks")
@token_required
def webhooks():
    services.scope_of(g.api_user)  # 403 for those who may not have webhooks at all
    items = services.subscriptions_of(g.api_user, include_revoked=False)
    return dump(schemas.WebhookList, items=[_webhook_json(s) for s in items])


@bp.post("/webhooks")
@token_required
def create_webhook():
    body = parse(schemas.WebhookRequest, json_body())
    subscription, secret = services.create_subscription(g.api_user, body.url, body.events)
    response = dump(schemas.NewWebhook, 201, **_webhook_json(subscription), secret=secret)
    response.headers["Location"] = url_for("api.webhook", subscription_id=subscription.id)
    return response


@bp.get("/webhooks/<int:subscription_id>")
@token_required
def webhook(subscription_id: int):
    return dump(schemas.Webhook, **_webhook_json(_own(subscription_id)))


@bp.delete("/webhooks/<int:subscription_id>")
@token_required
def delete_webhook(subscription_id: int):
    _own(subscription_id)
    services.revoke_subscription(subscription_id, g.api_user)
    return "", 204

"""The pages where a coordinator or a project admin registers, tests and revokes webhooks."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.errors import DomainError
from app.webhooks import services
from app.webhooks.forms import EVENT_LABELS, ActionForm, SubscriptionForm
from app.webhooks.urls import private_urls_allowed

bp = Blueprint("webhooks", __name__)

SUBSCRIBERS = (Role.COORDINATOR, Role.PROJECT_ADMIN)


@bp.route("/account/webhooks", methods=["GET", "POST"])
@role_required(*SUBSCRIBERS)
def index():
    form = SubscriptionForm() if request.method == "POST" else SubscriptionForm.fresh()
    created = secret = None
    status = 200
    if form.validate_on_submit():
        try:
            created, secret = services.create_subscription(
                current_user, form.url.data, form.events.data, form.request_key.data
            )
        except DomainError as error:
            form.url.errors.append(error.message)
            form.renew_key()  # so that the form, corrected, can be sent (a new URL, say)
            status = error.status_code
        else:
            form = SubscriptionForm.fresh()
    elif form.is_submitted():
        status = 400
    return render_template(
        "webhooks/index.html",
        form=form,
        subscriptions=services.subscriptions_of(current_user),
        created=created,
        secret=secret,
        scope=services.scope_of(current_user),
        event_labels=EVENT_LABELS,
        http_allowed=private_urls_allowed(),
    ), status


@bp.get("/account/webhooks/<int:subscription_id>")
@role_required(*SUBSCRIBERS)
def detail(subscription_id: int):
    subscription = services.get_subscription(subscription_id, current_user)
    return render_template(
        "webhooks/detail.html",
        subscription=subscription,
        deliveries=services.recent_deliveries(subscription),
        form=ActionForm(),
        event_labels=EVENT_LABELS,
    )


@bp.post("/account/webhooks/<int:subscription_id>/test")
@role_required(*SUBSCRIBERS)
def send_test(subscription_id: int):
    services.send_test_event(subscription_id, current_user)
    flash(_("En testhändelse väntar på att skickas. Den syns i listan nedan."), "success")
    return redirect(url_for("webhooks.detail", subscription_id=subscription_id))


@bp.post("/account/webhooks/<int:subscription_id>/revoke")
@role_required(*SUBSCRIBERS)
def revoke(subscription_id: int):
    subscription = services.revoke_subscription(subscription_id, current_user)
    flash(
        _("Webhooken till %(url)s är spärrad och får inga fler händelser.", url=subscription.url),
        "success",
    )
    return redirect(url_for("webhooks.index"))

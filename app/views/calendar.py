"""Calendar pages: subscribe to one's feed, the feeds themselves, single .ics
downloads, and the outbox for staff."""

from datetime import timedelta
from email import message_from_bytes, policy

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.http import is_resource_modified

from app.accounts.auth import every_project_admin_required
from app.bookings.queries import find_booking
from app.bookings.services import may_book_for
from app.calendar import events, feed_texts, feeds
from app.calendar.ics import calendar_bytes
from app.calendar.queries import assessor_entry, booking_entry
from app.centers.queries import centers_by_name, find_center
from app.db import utcnow
from app.errors import NotFound
from app.extensions import limiter
from app.i18n import speaking_to
from app.mail.models import OutboxMessage
from app.mail.queries import find_outbox_message, latest_outbox_messages
from app.mail.text import mask_links, masked_message
from app.schedule.models import SessionStatus
from app.schedule.queries import find_session

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
# The outbox viewer shows links with their secret masked: whoever reads the outbox must
# not be able to use someone's password or invitation link, not even in development.
bp.add_app_template_filter(mask_links, "mask_links")

ICS = "text/calendar; charset=utf-8"


def _feed_response(validator: feeds.Validator, build, name: str) -> Response:
    """Answer 304 from the validator alone; build the calendar only when it changed."""
    etag = validator.etag
    if not is_resource_modified(request.environ, etag=etag, last_modified=validator.last_modified):
        response = Response(status=304)
    else:
        cache = feeds.rendered_feeds()
        body = cache.get(etag)
        if body is None:
            refresh = timedelta(minutes=current_app.config["FEED_REFRESH_MINUTES"])
            body = build(name, refresh)
            cache.put(etag, body)
        response = Response(body, content_type=ICS)
    response.set_etag(etag)
    if validator.last_modified:
        response.last_modified = validator.last_modified
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/feed/<token>.ics")
@limiter.exempt
def personal_feed(token: str):
    person = feeds.person_for_token(token)
    if person is None:
        raise NotFound(_("Kalenderlänken finns inte eller har bytts ut."))
    # Calendar programs ask without the person's session or browser language: the
    # whole feed is in the person's own (its ETag says which).
    with speaking_to(person):
        name = _("Testcenterbokning: %(name)s", name=person.name)
    return _feed_response(
        feeds.personal_validator(person, token),
        lambda name, refresh: feed_texts.personal_feed(person, name, refresh),
        name,
    )


@bp.get("/centers/<int:center_id>.ics")
@limiter.exempt
def center_feed(center_id: int):
    center = find_center(center_id)
    if center is None:
        raise NotFound(_("Testcentret finns inte."))
    # One public feed for everyone, in the default language, whoever asks.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        name = _("Valideringar på %(center)s", center=center.name)
    response = _feed_response(
        feeds.center_validator(center.id),
        lambda name, refresh: calendar_bytes(
            feeds.center_events(center.id), name=name, refresh=refresh
        ),
        name,
    )
    response.headers["Cache-Control"] = "public, no-cache"
    return response


def _feed_urls(token: str) -> tuple[str, str]:
    https = url_for("calendar.personal_feed", token=token, _external=True)
    return https, "webcal://" + https.split("://", 1)[1]


@bp.get("/")
@login_required
def subscribe():
    https, webcal = _feed_urls(feeds.ensure_feed_token(current_user))
    centers = centers_by_name()
    return render_template(
        "calendar/subscribe.html", https=https, webcal=webcal, centers=centers, form=FlaskForm()
    )


@bp.post("/reset")
@login_required
def reset():
    if not FlaskForm().validate_on_submit():
        abort(400)
    feeds.reset_feed_token(current_user)
    flash(_("Du har fått en ny kalenderlänk. Den gamla slutar fungera direkt."), "success")
    return redirect(url_for("calendar.subscribe"))


def _download(event, filename: str) -> Response:
    response = Response(calendar_bytes([event], method="PUBLISH"), content_type=ICS)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/bookings/<int:booking_id>.ics")
@login_required
def booking_event(booking_id: int):
    booking = find_booking(booking_id)
    if booking is None or not (
        may_book_for(current_user, booking.employee)
        or current_user.is_staff_for_center(booking.session.center_id)
    ):
        raise NotFound(_("Bokningen finns inte."))
    if not booking.holds_seat:
        raise NotFound(_("Bokningen har ingen plats att lägga i kalendern."))
    entry = booking_entry(booking.id)
    cancelled = booking.session.status == SessionStatus.CANCELLED
    return _download(
        events.participant_event(booking, entry, cancelled=cancelled, now=utcnow()),
        f"bokning-{booking.id}.ics",
    )


@bp.get("/sessions/<int:session_id>.ics")
@login_required
def session_event(session_id: int):
    session = find_session(session_id)
    if session is None or not (
        session.assessor_id == current_user.id
        or current_user.is_staff_for_center(session.center_id)
    ):
        raise NotFound(_("Passet finns inte."))
    entry = assessor_entry(session.id, session.assessor_id)
    cancelled = session.status == SessionStatus.CANCELLED
    return _download(
        events.assessor_event(session, entry, cancelled=cancelled), f"pass-{session.id}.ics"
    )


def _outbox_open() -> None:
    if not current_app.config["OUTBOX_VIEWER"]:
        abort(404)


def _outbox_row(message_id: int) -> OutboxMessage:
    _outbox_open()
    row = find_outbox_message(message_id)
    if row is None:
        raise NotFound(_("Meddelandet finns inte."))
    return row


@bp.get("/outbox")
@every_project_admin_required
def outbox():
    _outbox_open()
    return render_template("calendar/outbox.html", messages=latest_outbox_messages())


@bp.get("/outbox/<int:message_id>")
@every_project_admin_required
def outbox_message(message_id: int):
    row = _outbox_row(message_id)
    parsed = message_from_bytes(masked_message(row.raw), policy=policy.default)
    parts = [
        (part.get_content_type(), part.get_content())
        for part in parsed.walk()
        if not part.is_multipart() and part.get_content_type() != "text/html"
    ]
    return render_template("calendar/outbox_message.html", row=row, message=parsed, parts=parts)


@bp.get("/outbox/<int:message_id>.eml")
@every_project_admin_required
def outbox_raw(message_id: int):
    row = _outbox_row(message_id)
    response = Response(masked_message(row.raw), content_type="message/rfc822")
    response.headers["Content-Disposition"] = f'attachment; filename="meddelande-{row.id}.eml"'
    return response

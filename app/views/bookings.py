from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import Person, Role
from app.accounts.queries import find_person
from app.bookings.forms import BookingForm, MoveForm
from app.bookings.models import Booking, BookingStatus
from app.bookings.queries import find_booking, move_targets
from app.bookings.services import (
    BookingWindow,
    book_seat,
    bookability_problem,
    cancel_and_report,
    cancel_preview,
    check_may_move,
    may_book_for,
    move_booking,
    no_longer_live,
    waitlist_position,
)
from app.calendar import links
from app.calendar.events import what_to_bring
from app.db import utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.formatting import short_datetime, time_span
from app.regions.travel import travel_minutes_from
from app.results.overview import booking_overview
from app.views.schedule import session_page

bp = Blueprint("bookings", __name__)


PENDING_KEY = "pending_booking"

# Refusals of booking for someone else that are about that person, not the session.
EMPLOYEE_REFUSALS = frozenset(
    {"employee_inactive", "already_booked", "already_waitlisted", "time_clash"}
)


@bp.post("/sessions/<int:session_id>/book")
def book(session_id: int):
    """Book a seat; someone not signed in signs in first and the booking follows.

    The form is kept in the session (CSRFProtect has checked it), the sign-in page
    returns to `resume_booking`, and the seat is booked with the same request key:
    start page, session page, sign-in, booked.
    """
    form = BookingForm()
    if not form.validate():
        if form.request_key.errors or form.employee_id.errors:  # not what a page sends
            errors = [str(e) for field in form for e in field.errors]
            raise InvalidInput(" ".join(errors))
        # The page again, with what they wrote and why it did not go (a note too long).
        return session_page(session_id, form=form, status=400)
    if not current_user.is_authenticated:
        session[PENDING_KEY] = {
            "session_id": session_id,
            "request_key": form.request_key.data,
            "support_needs": list(form.support_needs.data or ()),
            "support_note": form.support_note.data or "",
        }
        flash(_("Logga in så bokas platsen direkt."), "info")
        resume = url_for("bookings.resume_booking", session_id=session_id)
        return redirect(url_for("accounts.login", next=resume))
    employee = current_user
    if form.employee_id.data and form.employee_id.data != current_user.id:
        employee = find_person(form.employee_id.data)
        if employee is None or not may_book_for(current_user, employee):
            raise NotFound(_("Medarbetaren finns inte."))
    try:
        return _book_and_report(
            session_id,
            employee,
            form.request_key.data,
            form.support_needs.data or (),
            form.support_note.data or "",
        )
    except DomainError as refused:
        if employee.id == current_user.id or refused.code not in EMPLOYEE_REFUSALS:
            raise
        # Booking for an employee, refused for who they are (left the company since the
        # page was shown, booked already, busy then): the session page again, the
        # reason at the employee field.
        db.session.rollback()
        message = refused.message
        if refused.code == "employee_inactive":
            message = _(
                "%(name)s har inte längre ett aktivt konto och kan inte bokas.",
                name=employee.display_name,
            )
        form.renew_key()  # what it is sent with next is a new request
        form.employee_id.errors = [message]
        return session_page(session_id, book_for_form=form, status=refused.status_code)


@bp.get("/sessions/<int:session_id>/book/resume")
@login_required
def resume_booking(session_id: int):
    """Finish the booking someone asked for before signing in, once."""
    pending = session.get(PENDING_KEY)
    if not pending or pending.get("session_id") != session_id:
        # Nothing asked for (or already done): the session page shows where things stand.
        return redirect(url_for("schedule.session_detail", session_id=session_id))
    session.pop(PENDING_KEY)
    return _book_and_report(
        session_id,
        current_user,
        pending["request_key"],
        pending["support_needs"],
        pending["support_note"],
    )


def _book_and_report(
    session_id: int, employee: Person, request_key: str, support_needs, support_note: str
):
    booking = book_seat(
        session_id,
        employee=employee,
        actor=current_user,
        request_key=request_key,
        support_needs=support_needs,
        support_note=support_note,
    )
    when = time_span(booking.session.starts_at, booking.session.ends_at)
    model, position = booking.session.model, waitlist_position(booking)
    if employee.id == current_user.id and booking.status == BookingStatus.CONFIRMED:
        message = _("Du har fått en plats: %(model)s, %(when)s.", model=model, when=when)
    elif employee.id == current_user.id:
        message = _("Passet är fullt. Du står i kö som nummer %(position)s.", position=position)
    elif booking.status == BookingStatus.CONFIRMED:
        message = _(
            "%(name)s har fått en plats: %(model)s, %(when)s.",
            name=employee.name,
            model=model,
            when=when,
        )
    else:
        message = _(
            "Passet är fullt. %(name)s står i kö som nummer %(position)s.",
            name=employee.name,
            position=position,
        )
    flash(message, "success" if booking.status == BookingStatus.CONFIRMED else "info")
    if employee.id != current_user.id:
        return redirect(url_for("company.employee", person_id=employee.id))
    return redirect(url_for("bookings.mine"))


@bp.get("/bookings")
@login_required
def mine():
    return render_template(
        "bookings/mine.html",
        **booking_overview(current_user.id),
        links=links,
        what_to_bring=what_to_bring(),
    )


@bp.get("/bookings/<int:booking_id>/cancel")
@login_required
def confirm_cancel(booking_id: int):
    """Ask before cancelling, saying what will happen: the form posts to `cancel`."""
    preview = cancel_preview(booking_id, actor=current_user)
    booking = preview.booking
    return render_template(
        "bookings/cancel.html",
        preview=preview,
        booking=booking,
        own=booking.employee_id == current_user.id,
        back=_after_change(booking),
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    try:
        done = cancel_and_report(booking_id, actor=current_user)
    except DomainError as refused:
        if refused.code != "already_cancelled":
            raise
        # The form sent again after it did its work (a reload, a second tab): where the
        # change was made, saying it is done, as a reload of a done action should.
        db.session.rollback()
        flash(refused.message, "info")
        return redirect(_after_change(find_booking(booking_id)))
    flash(cancelled_message(done), "success")
    return redirect(_after_change(done.booking))


def cancelled_message(done) -> str:
    """What a cancellation did, for the one who made it (the employee or someone for them)."""
    booking = done.booking
    session = booking.session
    what = {"model": session.model, "when": time_span(session.starts_at, session.ends_at)}
    own = booking.employee_id == current_user.id
    if not done.held_seat:
        if own:
            parts = [_("Du har lämnat kön till %(model)s, %(when)s.", **what)]
        else:
            parts = [
                _(
                    "%(name)s har tagits bort ur kön till %(model)s, %(when)s.",
                    name=booking.employee.name,
                    **what,
                )
            ]
    else:
        if own:
            parts = [_("Bokningen är avbokad: %(model)s, %(when)s.", **what)]
        else:
            parts = [
                _(
                    "Bokningen för %(name)s är avbokad: %(model)s, %(when)s.",
                    name=booking.employee.name,
                    **what,
                )
            ]
        if done.promoted:
            parts.append(_("Platsen gick till nästa i kön."))
        else:
            parts.append(_("Platsen är ledig för andra att boka."))
    if own and done.rebook_from is not None:
        parts.append(
            _(
                "Vill du boka igen kan du göra det från %(opens)s till och med %(deadline)s.",
                opens=short_datetime(done.rebook_from),
                deadline=short_datetime(done.rebook_until),
            )
        )
    elif own and done.rebook_until is not None:
        parts.append(
            _(
                "Vill du boka igen kan du göra det till och med %(deadline)s.",
                deadline=short_datetime(done.rebook_until),
            )
        )
    return " ".join(parts)


def _after_change(booking: Booking) -> str:
    """Back to where the change was made: own bookings, the employee's page, or the session."""
    if booking.employee_id == current_user.id:
        return url_for("bookings.mine")
    if (
        current_user.has_role(Role.COORDINATOR)
        and booking.employee.company_id == current_user.company_id
    ):
        return url_for("company.employee", person_id=booking.employee_id)
    return url_for("schedule.session_detail", session_id=booking.session_id)


def _own_live_booking(booking_id: int) -> Booking:
    booking = find_booking(booking_id)
    # The employee, or their company's coordinator (the same rule as booking for them).
    if booking is None or not may_book_for(current_user, booking.employee):
        raise NotFound(_("Bokningen finns inte."))
    if not booking.is_live:
        raise no_longer_live(booking)
    return booking


@bp.route("/bookings/<int:booking_id>/move", methods=["GET", "POST"])
@login_required
def move(booking_id: int):
    booking = _own_live_booking(booking_id)
    now = utcnow()
    # Refused as the cancel page is (after the deadline, for the employee), before a
    # list of sessions whose every choice would be refused.
    check_may_move(booking, current_user, now)
    # Closest to where the employee travels from first (their place, else their company's).
    place = booking.employee.place
    travel = travel_minutes_from(place.id, []) if place is not None else None
    targets = [s for s in move_targets(booking, now, travel) if bookability_problem(s, now) is None]
    form = MoveForm()
    form.target.choices = [(s.id, str(s.id)) for s in targets]
    if form.validate_on_submit():
        moved = move_booking(booking.id, form.target.data, actor=current_user)
        flash(
            _(
                "Bokningen är flyttad till %(when)s, %(center)s.",
                when=time_span(moved.session.starts_at, moved.session.ends_at),
                center=moved.session.center,
            ),
            "success",
        )
        return redirect(_after_change(moved))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "bookings/move.html",
        booking=booking,
        # Someone else's booking (a coordinator's employee): back to where it came from.
        back=_after_change(booking),
        for_someone_else=booking.employee_id != current_user.id,
        targets=targets,
        form=form,
        place=place,
        travel=travel,
        deadline=BookingWindow.for_session(booking.session).cancel_deadline,
    ), status

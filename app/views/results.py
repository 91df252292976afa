from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.bookings.forms import SUPPORT_NEED_LABELS
from app.bookings.models import Booking
from app.bookings.queries import find_booking, participants
from app.db import utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.results.forms import NOT_CHECKED_IN, AttendanceForm, OutcomeCommentForm
from app.results.models import OutcomeResult
from app.results.services import (
    AreaVerdict,
    bookings_with_outcomes,
    check_in,
    has_ended,
    has_started,
    may_assess,
    may_see_results,
    model_areas,
    no_show_counts,
    outcomes_of,
    record_outcomes,
    set_attendance,
    undo_check_in,
)
from app.schedule.models import ValidationSession
from app.schedule.queries import find_session

bp = Blueprint("results", __name__)

MAX_TRAINING_CHARS = 1000


def _session_for_assessor(session_id: int) -> ValidationSession:
    session = find_session(session_id)
    if session is None or not may_assess(current_user, session):
        raise NotFound(_("Passet finns inte."))
    return session


@bp.get("/sessions/<int:session_id>/participants")
@login_required
def session_participants(session_id: int):
    """The testledare's list: support needs, check-in, attendance and results."""
    session = _session_for_assessor(session_id)
    people = participants(session.id)
    now = utcnow()
    return render_template(
        "results/participants.html",
        session=session,
        started=has_started(session, now),
        ended=has_ended(session, now),
        participants=people,
        no_shows=no_show_counts([b.employee_id for b in people]),
        need_labels=SUPPORT_NEED_LABELS,
        has_outcome=bookings_with_outcomes([b.id for b in people]),
        now=now,
        form=FlaskForm(),
    )


@bp.post("/bookings/<int:booking_id>/check-in")
@login_required
def check_in_view(booking_id: int):
    booking = check_in(booking_id, current_user)
    flash(_("%(name)s är incheckad.", name=booking.employee.name), "success")
    return redirect(url_for("results.session_participants", session_id=booking.session_id))


@bp.post("/bookings/<int:booking_id>/attendance")
@login_required
def attendance(booking_id: int):
    form = AttendanceForm()
    if not form.validate():
        raise InvalidInput(_("Välj närvarande eller uteblev."))
    if form.status.data == NOT_CHECKED_IN:
        booking = undo_check_in(booking_id, current_user)
        flash(
            _("Incheckningen av %(name)s är ångrad. Platsen är bokad.", name=booking.employee.name),
            "success",
        )
        return redirect(url_for("results.session_participants", session_id=booking.session_id))
    booking = set_attendance(booking_id, form.status.data, current_user)
    flash(_("Närvaron för %(name)s är sparad.", name=booking.employee.name), "success")
    return redirect(url_for("results.session_participants", session_id=booking.session_id))


def _assessable_booking(booking_id: int) -> Booking:
    booking = find_booking(booking_id)
    if booking is None or not may_assess(current_user, booking.session):
        raise NotFound(_("Bokningen finns inte."))
    return booking


@bp.route("/bookings/<int:booking_id>/outcome", methods=["GET", "POST"])
@login_required
def outcome(booking_id: int):
    booking = _assessable_booking(booking_id)
    if not has_started(booking.session, utcnow()):
        if request.method == "POST":
            raise DomainError(_("Resultat kan registreras först när passet har börjat."))
        # Before the start the page says so, with no form (an audit entry may link here).
        return render_template("results/outcome.html", booking=booking, not_started=True)
    areas = model_areas(booking.session.model_id)
    form = OutcomeCommentForm(comment=booking.result_comment)
    current = {o.area_id: o for o in outcomes_of(booking)}
    errors: list[str] = []
    if form.validate_on_submit():
        verdicts = [
            AreaVerdict(
                area_id=area.id,
                result=request.form.get(f"area-{area.id}", ""),
                training=request.form.get(f"training-{area.id}", "")[:MAX_TRAINING_CHARS],
            )
            for area in areas
        ]
        try:
            record_outcomes(booking.id, verdicts, form.comment.data or "", current_user)
        except InvalidInput as error:
            errors.append(error.message)
            current = {v.area_id: v for v in verdicts}
        else:
            flash(_("Resultatet för %(name)s är sparat.", name=booking.employee.name), "success")
            return redirect(url_for("results.session_participants", session_id=booking.session_id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "results/outcome.html",
        booking=booking,
        areas=areas,
        form=form,
        current=current,
        errors=errors,
        max_training=MAX_TRAINING_CHARS,
    ), status


@bp.get("/bookings/<int:booking_id>/intyg")
@login_required
def statement(booking_id: int):
    """The printable statement: approved areas and what remains, with proposed training."""
    booking = find_booking(booking_id)
    if booking is None or not may_see_results(current_user, booking):
        raise NotFound(_("Intyget finns inte."))
    outcomes = outcomes_of(booking)
    if not outcomes:
        raise NotFound(_("Det finns inget resultat för den här bokningen än."))
    return render_template(
        "results/statement.html",
        booking=booking,
        approved=[o for o in outcomes if o.result == OutcomeResult.APPROVED],
        remaining=[o for o in outcomes if o.result == OutcomeResult.NOT_YET],
    )

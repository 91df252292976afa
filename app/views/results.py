from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app import form_errors
from app.bookings.forms import SUPPORT_NEED_LABELS
from app.bookings.models import Booking, BookingStatus
from app.bookings.queries import ended_with_session, find_booking, participants
from app.calendar.events import cancellation_reason
from app.db import utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.fields import one_line_break
from app.results.forms import (
    NOT_CHECKED_IN,
    AttendanceForm,
    CheckInManyForm,
    OutcomeCommentForm,
)
from app.results.models import OutcomeResult
from app.results.services import (
    MAX_TRAINING_CHARS,
    AreaVerdict,
    ResultChanged,
    bookings_with_outcomes,
    check_in,
    check_in_many,
    check_in_open,
    check_in_opens_at,
    has_ended,
    has_started,
    mark_rest_absent,
    may_assess,
    may_see_results,
    model_areas,
    no_show_counts,
    not_checked_in,
    outcomes_of,
    record_outcomes,
    result_marker,
    set_attendance,
    stored_training,
    undo_check_in,
    verdict_problem,
)
from app.schedule.models import SessionStatus, ValidationSession
from app.schedule.queries import find_session

bp = Blueprint("results", __name__)

# Sent by app/static/participants.js: answer with the changed row instead of the page.
ROW_HEADER = "X-Row-Update"
# Sent by a one-click "Godkänn alla områden" (the list's row, or the result page before
# anything is recorded): it records only a first result, and says where it was pressed.
FIRST_ONLY = "first_only"
FROM_LIST = "list"
# The result form's marker of the result it was opened on (result_marker).
SEEN = "seen"


def _session_for_assessor(session_id: int) -> ValidationSession:
    session = find_session(session_id)
    if session is None or not may_assess(current_user, session):
        raise NotFound(_("Passet finns inte."))
    return session


def _list_context(session: ValidationSession) -> dict:
    """What the participants list and each of its rows need."""
    people = participants(session.id)
    now = utcnow()
    cancelled = session.status == SessionStatus.CANCELLED
    return {
        "session": session,
        # Who had been booked, so that the testledare knows whom the center told.
        "cancelled": cancelled,
        "cancel_reason": cancellation_reason(session) if cancelled else "",
        "ended_with_it": ended_with_session(session.id) if cancelled else [],
        "started": has_started(session, now),
        "ended": has_ended(session, now),
        "check_in_open": check_in_open(session, now),
        "check_in_opens": check_in_opens_at(session),
        "participants": people,
        "no_shows": no_show_counts([b.employee_id for b in people]),
        "need_labels": SUPPORT_NEED_LABELS,
        "has_outcome": bookings_with_outcomes([b.id for b in people]),
        "now": now,
        "form": FlaskForm(),
    }


def _back_to_row(booking: Booking, message: str):
    """Answer a change to one participant: the updated row for the page's script, or
    the list again at that row, so the page keeps its place without JavaScript."""
    if request.headers.get(ROW_HEADER):
        context = _list_context(booking.session)
        row = next((b for b in context["participants"] if b.id == booking.id), None)
        if row is not None:
            return render_template("results/_participant_row.html", b=row, said=message, **context)
    flash(message, "success")
    return redirect(
        url_for(
            "results.session_participants",
            session_id=booking.session_id,
            _anchor=f"p-{booking.id}",
        )
    )


@bp.get("/sessions/<int:session_id>/participants")
@login_required
def session_participants(session_id: int):
    """The testledare's list: support needs, check-in, attendance and results."""
    session = _session_for_assessor(session_id)
    return render_template("results/participants.html", **_list_context(session))


@bp.post("/sessions/<int:session_id>/check-in")
@login_required
def check_in_ticked(session_id: int):
    """Check in every ticked participant with one button."""
    session = _session_for_assessor(session_id)
    form = CheckInManyForm()
    if not form.validate():
        # Nobody ticked: the list again, its error summary leading to the first box.
        context = _list_context(session)
        tickable = [b for b in context["participants"] if b.status == BookingStatus.CONFIRMED]
        form_errors.report(
            f"tick-{tickable[0].id}" if tickable and context["check_in_open"] else None,
            _("Deltagare"),
            _("Markera de deltagare som är här."),
        )
        return render_template("results/participants.html", **context), 400
    try:
        done = check_in_many(session.id, form.booking_ids(), current_user)
    except DomainError as refused:
        if refused.status_code != 409:
            raise
        flash(str(refused), "error")  # the list again, with the reason, not a dead end
        return redirect(url_for("results.session_participants", session_id=session.id))
    flash(
        ngettext("%(num)s deltagare är incheckad.", "%(num)s deltagare är incheckade.", len(done)),
        "success",
    )
    return redirect(url_for("results.session_participants", session_id=session.id))


@bp.route("/sessions/<int:session_id>/absent", methods=["GET", "POST"])
@login_required
def mark_absent(session_id: int):
    """Ask first, then mark everyone not checked in as not come."""
    session = _session_for_assessor(session_id)
    form = FlaskForm()
    if form.validate_on_submit():
        marked = mark_rest_absent(session.id, current_user)
        flash(
            ngettext(
                "%(num)s deltagare är markerad som frånvarande.",
                "%(num)s deltagare är markerade som frånvarande.",
                len(marked),
            ),
            "success",
        )
        return redirect(url_for("results.session_participants", session_id=session.id))
    return render_template(
        "results/absent.html",
        session=session,
        started=has_started(session, utcnow()),
        rest=not_checked_in(session.id),
        form=form,
    ), 400 if form.is_submitted() else 200


def _refused_at_row(booking_id: int, refused: DomainError):
    """A row's change the rules refused (check-in not open yet, say): the list again at
    that row with the reason, rather than an error page with no way back to it. Other
    refusals, and the page's script (which then sends the form plainly), get the error."""
    if refused.status_code != 409 or request.headers.get(ROW_HEADER):
        raise refused
    booking = _assessable_booking(booking_id)
    flash(str(refused), "error")
    return redirect(
        url_for(
            "results.session_participants",
            session_id=booking.session_id,
            _anchor=f"p-{booking.id}",
        )
    )


@bp.post("/bookings/<int:booking_id>/check-in")
@login_required
def check_in_view(booking_id: int):
    try:
        booking = check_in(booking_id, current_user)
    except DomainError as refused:
        return _refused_at_row(booking_id, refused)
    return _back_to_row(booking, _("%(name)s är incheckad.", name=booking.employee.name))


@bp.post("/bookings/<int:booking_id>/attendance")
@login_required
def attendance(booking_id: int):
    form = AttendanceForm()
    if not form.validate():
        raise InvalidInput(_("Välj närvarande eller uteblev."))
    try:
        if form.status.data == NOT_CHECKED_IN:
            booking = undo_check_in(booking_id, current_user)
            said = _(
                "Incheckningen av %(name)s är ångrad. Platsen är bokad.",
                name=booking.employee.name,
            )
        else:
            booking = set_attendance(booking_id, form.status.data, current_user)
            said = _("Närvaron för %(name)s är sparad.", name=booking.employee.name)
    except DomainError as refused:
        return _refused_at_row(booking_id, refused)
    return _back_to_row(booking, said)


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
    if booking.status != BookingStatus.ATTENDED:
        if request.method == "POST":
            # "Godkänn alla" from a list left open while they were marked absent.
            return _refused_at_row(
                booking_id,
                DomainError(_("Resultat kan bara registreras för deltagare som var närvarande.")),
            )
        # Absent, still in the queue or cancelled: said up front, with no form to fill in
        # that saving would refuse (mark them present on the list first, if they came).
        return render_template("results/outcome.html", booking=booking, not_present=True)
    areas = model_areas(booking.session.model_id)
    form = OutcomeCommentForm(comment=booking.result_comment)
    current = {o.area_id: o for o in outcomes_of(booking)}
    # What the form was opened on; a refused form keeps the marker it was sent with. The
    # list's one-click has none: it records a first result only (first_only).
    seen = request.form.get(SEEN) if form.is_submitted() else None
    errors: list[str] = []
    too_long: dict[int, str] = {}
    yours: dict[int, AreaVerdict] = {}
    your_comment = None
    if form.is_submitted():
        # Approve all: every area not marked otherwise is approved; the exceptions stay.
        fallback = OutcomeResult.APPROVED if request.form.get("approve_all") else ""
        verdicts = [
            AreaVerdict(
                area_id=area.id,
                result=request.form.get(f"area-{area.id}", "") or fallback,
                training=one_line_break(request.form.get(f"training-{area.id}", "")),
            )
            for area in areas
        ]
        # Any refusal shows the form again as it was filled in.
        current = {v.area_id: v for v in verdicts}
    if form.validate_on_submit():
        first_only = request.form.get(FIRST_ONLY, "")
        try:
            record_outcomes(
                booking.id,
                verdicts,
                form.comment.data or "",
                current_user,
                first_only=bool(first_only),
                seen=seen,
            )
        except InvalidInput as error:
            errors.append(error.message)
            too_long = _report_area(areas, verdicts, error.message, stored_training(booking.id))
        except ResultChanged as changed:
            # Opened before the result last changed: the page again with the result as
            # it is now, and what this form would have saved beside it, to decide anew.
            errors.append(changed.message)
            form_errors.report(None, "", changed.message)
            stored = {o.area_id: o for o in outcomes_of(booking)}
            yours = {v.area_id: v for v in verdicts if _differs(v, stored.get(v.area_id))}
            typed = (form.comment.data or "").strip()
            your_comment = typed if typed != (booking.result_comment or "") else None
            current = stored
            form = OutcomeCommentForm(formdata=None, comment=booking.result_comment)
            seen = result_marker(booking.id)
            return _outcome_page(
                booking, areas, form, current, errors, {}, seen, yours, your_comment
            ), 409
        except DomainError as refused:
            if not first_only or refused.status_code != 409:
                raise
            # Someone recorded a result after this button's page was opened: theirs
            # stands. Back to the list at the row, or to the form showing their result.
            if first_only == FROM_LIST:
                return _refused_at_row(booking_id, refused)
            flash(
                _(
                    "Resultatet för %(name)s har registrerats sedan du öppnade sidan. "
                    "Så här ser det ut nu: ändra det här om det behövs.",
                    name=booking.employee.name,
                ),
                "error",
            )
            return redirect(url_for("results.outcome", booking_id=booking.id))
        else:
            return _back_to_row(
                booking, _("Resultatet för %(name)s är sparat.", name=booking.employee.name)
            )
    status = 400 if form.is_submitted() else 200
    if seen is None:
        seen = result_marker(booking.id)
    return _outcome_page(booking, areas, form, current, errors, too_long, seen), status


def _differs(verdict: AreaVerdict, stored) -> bool:
    """Whether what a stale form would have saved for an area differs from what is stored."""
    if stored is None:
        return bool(verdict.result or verdict.training.strip())
    return verdict.result != stored.result or verdict.training.strip() != (stored.training or "")


def _outcome_page(
    booking, areas, form, current, errors, too_long, seen, yours=None, your_comment=None
):
    return render_template(
        "results/outcome.html",
        booking=booking,
        areas=areas,
        form=form,
        current=current,
        errors=errors,
        too_long=too_long,
        max_training=MAX_TRAINING_CHARS,
        seen=seen,
        yours=yours or {},
        your_comment=your_comment,
        result_labels={
            OutcomeResult.APPROVED: _("Godkänd"),
            OutcomeResult.NOT_YET: _("Inte ännu"),
        },
    )


def _report_area(
    areas, verdicts: list[AreaVerdict], message: str, kept: dict[int, str]
) -> dict[int, str]:
    """The refusal in the page's error summary, leading to the first area it is about:
    one without a result, else the first whose verdict the rules refuse (training missing
    or too long, or typed for an area not marked Inte ännu). Returns the message to show
    at a training field, by area, when it is the typed text that was refused."""
    names = {area.id: area.name for area in areas}
    at = next((v for v in verdicts if not v.result), None)
    if at is not None:
        form_errors.report(f"area-{at.area_id}-approved", names[at.area_id], message)
        return {}
    at = next((v for v in verdicts if verdict_problem(v, kept.get(v.area_id, ""))), None)
    if at is None:
        form_errors.report(None, "", message)
        return {}
    form_errors.report(f"training-{at.area_id}", names[at.area_id], message)
    return {at.area_id: message} if at.training.strip() else {}


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

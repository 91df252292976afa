"""Test-center admin pages: the center, closures, planning sessions, capacity."""

from datetime import date, time, timedelta

from babel.lists import format_list
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app import form_errors
from app.accounts.auth import every_project_admin_required
from app.accounts.models import Person
from app.accounts.queries import find_person
from app.bookings.capacity import closed_weekdays, weekly_capacity
from app.bookings.closures import (
    ClosureChange,
    SessionsOnClosedDays,
    change_opening_hours,
    close_days,
    reopen_days,
    sessions_closed_by_removal,
)
from app.bookings.interest import today as interest_today
from app.bookings.queries import interest_demand
from app.bookings.session_changes import cancel_session, move_session
from app.centers.forms import (
    WEEKDAYS,
    AgreedSessionsForm,
    CancelSessionForm,
    CenterDetailsForm,
    ClosureForm,
    MoveSessionForm,
    PlanForm,
    TravelTimeForm,
)
from app.centers.models import TestCenter
from app.centers.queries import (
    closures_not_over,
    find_center,
    find_closure,
    workstation_kind_ids,
    workstation_kinds,
)
from app.centers.services import (
    admin_centers,
    all_travel_times,
    coming_holidays,
    update_details,
)
from app.db import utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.fields import FIRST_DAY, LAST_DAY, wall_clock
from app.formatting import long_date, time_span
from app.regions import travel
from app.regions.models import MAX_TRAVEL_MINUTES
from app.regions.queries import counties_with_municipalities
from app.schedule.models import SessionStatus, ValidationSession
from app.schedule.planning import (
    AssessorOption,
    assessor_options,
    authorisation_problem,
    create_sessions,
    preview,
    series_days,
    unclear_clock,
)
from app.schedule.queries import active_assessors, center_sessions_not_ended, find_session
from app.schedule.services import validation_models
from app.schedule.travel_changes import (
    TravelTimeOverSessions,
    change_travel_time,
    forget_travel_time,
)
from app.schedule.workstations import MAX_WORKSTATIONS, set_workstations
from app.timeutil import local_date, to_local

bp = Blueprint("centers", __name__)


def _center(center_id: int) -> TestCenter:
    center = find_center(center_id)
    if center is None or not current_user.is_staff_for_center(center_id):
        raise NotFound(_("Testcentret finns inte."))
    return center


@bp.get("/centers")
@login_required
def index():
    centers = admin_centers(current_user)
    if not centers:
        abort(403)
    if len(centers) == 1:
        return redirect(url_for("centers.admin", center_id=centers[0].id))
    return render_template("centers/index.html", centers=centers)


@bp.route("/centers/<int:center_id>/admin", methods=["GET", "POST"])
@login_required
def admin(center_id: int):
    center = _center(center_id)
    form = CenterDetailsForm(obj=center)
    status = 200
    if form.validate_on_submit():
        details = {f.name: f.data for f in form if f.name != "csrf_token"}
        details["accessibility"] = (details["accessibility"] or "").strip() or None
        update_details(center.id, current_user, **details)
        flash(_("Uppgifterna är sparade."), "success")
        return redirect(url_for("centers.admin", center_id=center.id))
    if form.is_submitted():
        status = 400
    return _admin_page(center, form, status)


def _admin_page(
    center: TestCenter,
    form: CenterDetailsForm | None = None,
    status: int = 200,
    counts: dict | None = None,
    hours: dict | None = None,
    errors: dict | None = None,
    outside: list[ValidationSession] | None = None,
    in_use: list[ValidationSession] | None = None,
):
    """The admin page; after a refused workstations or hours form, with what was typed
    and the message beside that form, not on a page of its own."""
    if counts is None:
        counts = {w.kind_id: w.count for w in center.workstations}
    if hours is None:
        saved = {h.weekday: h for h in center.opening_hours}
        hours = {
            day: (h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M"), True)
            if (h := saved.get(day))
            else ("07:00", "17:00", False)
            for day in range(7)
        }
    return render_template(
        "centers/admin.html",
        center=center,
        form=form or CenterDetailsForm(obj=center),
        kinds=workstation_kinds(),
        counts=counts,
        hours=hours,
        weekdays=WEEKDAYS,
        csrf_form=FlaskForm(),
        errors=errors or {},
        outside=outside or [],
        in_use=in_use or [],
    ), status


def _is_count(value: str) -> bool:
    # "²" is a digit to isdigit(); the form's own limit as well.
    return value.isascii() and value.isdigit() and int(value) <= MAX_WORKSTATIONS


def _count(value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput(_("Ange antal som ett heltal från 0."))
    return int(value)


@bp.post("/centers/<int:center_id>/workstations")
@login_required
def workstations(center_id: int):
    center = _center(center_id)
    typed = {k: request.form.get(f"kind-{k}", "").strip() for k in workstation_kind_ids()}
    try:
        set_workstations(center.id, {k: _count(v) for k, v in typed.items()}, current_user)
    except DomainError as error:
        # The kind the refusal names, else the first count that is no count, else the
        # first: the rule is about them all.
        wrong = [k for k, v in typed.items() if not _is_count(v)] or list(typed)
        kind_id = getattr(error, "kind_id", None) or wrong[0]
        form_errors.report(f"kind-{kind_id}", _("Arbetsplatser"), error.message)
        return _admin_page(
            center,
            status=error.status_code,
            counts=typed,
            errors={"workstations": error.message},
            in_use=getattr(error, "sessions", None),
        )
    flash(_("Arbetsplatserna är sparade."), "success")
    return redirect(url_for("centers.admin", center_id=center_id))


def _clock(value: str) -> time:
    try:
        return wall_clock(value)
    except ValueError:
        raise InvalidInput(_("Ange tider som TT:MM, till exempel 07:30.")) from None


def _hours_in_error(typed: dict) -> tuple[str, int | None]:
    """The first open day's field a refusal is about: a time that is no time, or an
    opening not before the closing; else (sessions outside the hours) the table."""
    for day, (opens, closes, is_open) in typed.items():
        if not is_open:
            continue
        times = []
        for name, value in (("opens", opens), ("closes", closes)):
            try:
                times.append(wall_clock(value))
            except ValueError:
                return f"{name}-{day}", day
        if times[0] >= times[1]:
            return f"opens-{day}", day
    return "open-0", None


@bp.post("/centers/<int:center_id>/hours")
@login_required
def opening_hours(center_id: int):
    center = _center(center_id)
    typed = {
        day: (
            request.form.get(f"opens-{day}", ""),
            request.form.get(f"closes-{day}", ""),
            bool(request.form.get(f"open-{day}")),
        )
        for day in range(7)
    }
    try:
        hours = {
            day: (_clock(opens), _clock(closes)) if is_open else None
            for day, (opens, closes, is_open) in typed.items()
        }
        change_opening_hours(center.id, hours, current_user)
    except DomainError as error:
        field_id, day = _hours_in_error(typed)
        label = _("Öppettider") + (f", {WEEKDAYS[day]}" if day is not None else "")
        form_errors.report(field_id, label, error.message)
        return _admin_page(
            center,
            status=error.status_code,
            hours=typed,
            errors={"hours": error.message},
            outside=getattr(error, "sessions", None),
        )
    flash(_("Öppettiderna är sparade."), "success")
    return redirect(url_for("centers.admin", center_id=center_id))


@bp.route("/centers/<int:center_id>/closures", methods=["GET", "POST"])
@login_required
def closures(center_id: int):
    """Closures and opened holidays; a closure over planned sessions asks first.

    The first save of a closure whose days have live sessions shows them, with two
    buttons: cancel them and save the closure (decision=cancel, with the sessions'
    ids), or do not save it (decision=keep).
    """
    center = _center(center_id)
    form = ClosureForm()
    status = 200
    if form.validate_on_submit():
        decision = request.form.get("decision")
        if decision == "keep":
            flash(_("Stängningen sparades inte. De planerade passen är kvar."), "info")
            return redirect(url_for("centers.closures", center_id=center.id))
        try:
            change = close_days(
                center.id,
                form.first_day.data,
                form.last_day.data or form.first_day.data,
                form.reason.data,
                form.open_anyway.data,
                current_user,
                cancel_ids=form.agreed_session_ids if decision == "cancel" else None,
            )
        except SessionsOnClosedDays as hit:
            form.cancel_ids.data = ",".join(str(s.id) for s in hit.sessions)
            return render_template(
                "centers/closure_confirm.html",
                center=center,
                form=form,
                sessions=hit.sessions,
                changed=hit.changed,
            )
        except InvalidInput as refused:
            # The form again, as typed: an "open anyway" that opens nothing is said at its
            # box; a first day already past, or days already closed, at the first day.
            at = form.first_day
            if form.open_anyway.data and refused.code != "closure_in_the_past":
                at = form.open_anyway
            at.errors.append(refused.message)
            status = refused.status_code
        else:
            flash(_closure_saved_message(change), "success")
            return redirect(url_for("centers.closures", center_id=center.id))
    if form.is_submitted() and status == 200:
        status = 400
    today = local_date(utcnow())
    rows = closures_not_over(center.id, today)
    return render_template(
        "centers/closures.html",
        center=center,
        form=form,
        closures=rows,
        holidays=coming_holidays(center.id, today),
    ), status


def _closure_saved_message(change: ClosureChange) -> str:
    if change.closure.open_anyway:  # it opens days: nothing is closed or cancelled
        return _(
            "Undantaget är sparat: %(reason)s. Dagen är öppen trots helgdag.",
            reason=change.closure.reason,
        )
    if not change.cancelled:
        return _("Stängningen är sparad.")
    return ngettext(
        "Stängningen är sparad och %(num)s pass är inställt. "
        "De bokade och testledaren har fått en avbokning.",
        "Stängningen är sparad och %(num)s pass är inställda. "
        "De bokade och testledaren har fått en avbokning.",
        len(change.cancelled),
    )


@bp.route("/closures/<int:closure_id>/delete", methods=["GET", "POST"])
@login_required
def delete_closure(closure_id: int):
    """Ask before removing a closure (GET), then remove it (POST) and say what happened."""
    closure = find_closure(closure_id)
    if closure is None or not current_user.is_staff_for_center(closure.center_id):
        raise NotFound(_("Stängningen finns inte."))
    center = find_center(closure.center_id)
    form = AgreedSessionsForm()
    changed = False
    if request.method == "POST":
        if not form.validate():
            raise InvalidInput(" ".join(str(e) for f in form for e in f.errors))
        try:
            change = reopen_days(closure_id, current_user, cancel_ids=form.agreed_session_ids)
        except SessionsOnClosedDays as hit:
            sessions, changed = hit.sessions, True
        else:
            if change.closure.open_anyway:
                message = _(
                    "Undantaget är borttaget: %(reason)s. Dagen är stängd igen.",
                    reason=change.closure.reason,
                )
            else:
                message = _(
                    "Stängningen är borttagen: %(reason)s. Dagarna följer öppettiderna igen.",
                    reason=change.closure.reason,
                )
            if change.cancelled:
                message += " " + ngettext(
                    "%(num)s pass ställdes in.", "%(num)s pass ställdes in.", len(change.cancelled)
                )
            flash(message, "success")
            return redirect(url_for("centers.closures", center_id=center.id))
    else:
        sessions = sessions_closed_by_removal(closure_id, current_user)
    form.cancel_ids.data = ",".join(str(s.id) for s in sessions)
    return render_template(
        "centers/closure_remove.html",
        center=center,
        closure=closure,
        form=form,
        sessions=sessions,
        changed=changed,
    )


def _travel_time_form() -> TravelTimeForm:
    form = TravelTimeForm()
    counties = counties_with_municipalities()
    choices = [SelectChoice("", _("Välj kommun"))] + [
        SelectChoice(m.id, m.name, optgroup=county.name)
        for county in counties
        for m in sorted(county.municipalities, key=lambda m: m.sort_key)
    ]
    form.first.choices = choices
    form.second.choices = list(choices)
    return form


@bp.route("/centers/travel-times", methods=["GET", "POST"])
@every_project_admin_required
def travel_times():
    """The travel time a testledare needs between two municipalities, for planning."""
    form = _travel_time_form()
    status, too_close = 200, []
    if form.validate_on_submit():
        try:
            row = change_travel_time(
                form.first.data, form.second.data, form.minutes.data, current_user
            )
        except DomainError as error:
            form.form_errors.append(error.message)
            status, too_close = error.status_code, getattr(error, "sessions", [])
        else:
            first, second = row.pair
            flash(
                _(
                    "Restiden mellan %(first)s och %(second)s är sparad: %(minutes)s minuter.",
                    first=first.name,
                    second=second.name,
                    minutes=row.minutes,
                ),
                "success",
            )
            return redirect(url_for("centers.travel_times"))
    elif form.is_submitted():
        status = 400
    return render_template(
        "centers/travel_times.html",
        form=form,
        too_close=too_close,
        rows=all_travel_times(),
        estimate=travel,
        max_minutes=MAX_TRAVEL_MINUTES,
        csrf_form=FlaskForm(),
    ), status


@bp.post("/centers/travel-times/<int:travel_buffer_id>/delete")
@every_project_admin_required
def delete_travel_time(travel_buffer_id: int):
    try:
        forget_travel_time(travel_buffer_id, current_user)
    except TravelTimeOverSessions as refused:
        named = "; ".join(_session_line(s) for s in refused.sessions)
        flash(f"{refused.message} {named}", "error")
    else:
        flash(_("Restiden är borttagen. Paret har den uppskattade restiden igen."), "success")
    return redirect(url_for("centers.travel_times"))


def _session_line(session) -> str:
    return _(
        "%(model)s, %(center)s, %(when)s (%(name)s)",
        model=session.model.name,
        center=session.center.name,
        when=time_span(session.starts_at, session.ends_at),
        name=session.assessor.name,
    )


def _assessor_choices(model_id: int | None = None) -> list[SelectChoice]:
    return [
        SelectChoice(p.id, f"{p.name} ({p.home_center.name})" if p.home_center else p.name)
        for p in active_assessors(model_id)
    ]


def _assessor_label(option: AssessorOption, authorised: bool, model_name: str) -> str:
    person = option.person
    label = f"{person.name} ({person.home_center.name})" if person.home_center else person.name
    if authorised:
        return label
    if option.models:
        held = ", ".join(option.models)
        return _(
            "%(name)s – ej behörig för %(model)s (behörig för %(held)s)",
            name=label,
            model=model_name,
            held=held,
        )
    return _("%(name)s – ej behörig för %(model)s (ingen behörighet)", name=label, model=model_name)


def _plan_assessor_choices(model) -> dict[str, list[SelectChoice]]:
    """The testledare authorised for the chosen model first, the others marked, in optgroups.

    Without JavaScript the model is chosen in the same form, so the groups follow the
    model the page was loaded with (the first one on a fresh page)."""
    authorised, others = assessor_options(model.id, local_date(utcnow()))
    groups = {}
    if authorised:
        groups[_("Behöriga för %(model)s", model=model.name)] = [
            SelectChoice(o.person.id, _assessor_label(o, True, model.name)) for o in authorised
        ]
    if others:
        groups[_("Ej behöriga för %(model)s", model=model.name)] = [
            SelectChoice(o.person.id, _assessor_label(o, False, model.name)) for o in others
        ]
    return groups


def _plan_form(formdata, csrf: bool = True) -> PlanForm:
    # The preview is a GET that changes nothing; only saving needs the CSRF token.
    form = PlanForm(formdata=formdata, meta={"csrf": csrf})
    models = validation_models()
    form.model.choices = [SelectChoice(m.id, m.name) for m in models]
    chosen = next((m for m in models if m.id == form.model.data), models[0] if models else None)
    form.assessor.choices = _plan_assessor_choices(chosen) if chosen else []
    form.weekdays.choices = [SelectChoice(i, str(name)) for i, name in enumerate(WEEKDAYS)]
    return form


def _authorised_or_error(form: PlanForm, model, assessor: Person) -> bool:
    """One clear message when the testledare is not authorised for the model at all."""
    problem = authorisation_problem(assessor, model, _plan_days(form))
    if problem:
        form.assessor.errors = [*form.assessor.errors, problem]
        return False
    return True


MAX_REFUSALS_SAID = 10


def _plan_days(form: PlanForm) -> list[date]:
    if form.weekdays.data:
        return series_days(form.first_day.data, form.weeks.data, set(form.weekdays.data))
    return [form.first_day.data]


@bp.route("/centers/<int:center_id>/plan", methods=["GET", "POST"])
@login_required
def plan(center_id: int):
    """Pick a model, testledare and dates; preview every date; then create the good ones."""
    center = _center(center_id)
    status, plans = 200, None
    if request.method == "POST":
        form = _plan_form(request.form)
        if form.validate_on_submit() and _authorised_or_error(
            form,
            next(m for m in validation_models() if m.id == form.model.data),
            find_person(form.assessor.data),
        ):
            created, refused = create_sessions(
                center.id,
                form.model.data,
                form.assessor.data,
                _plan_days(form),
                form.start.data,
                current_user,
                support_seats=form.support_seats.data,
            )
            flash(
                _(
                    "%(made)s pass skapades, %(refused)s datum gick inte.",
                    made=len(created),
                    refused=len(refused),
                ),
                "success" if created else "info",
            )
            # Dates the preview allowed can be taken meanwhile (another admin, a closure):
            # each is said with why, so the admin knows what to plan again.
            for plan in refused[:MAX_REFUSALS_SAID]:
                flash(f"{long_date(plan.day)}: {' '.join(plan.problems)}", "info")
            if len(refused) > MAX_REFUSALS_SAID:
                # The messages travel in the session cookie, which browsers cap at 4 kB.
                rest = len(refused) - MAX_REFUSALS_SAID
                flash(ngettext("… och %(num)s datum till.", "… och %(num)s datum till.", rest))
            return redirect(url_for("centers.sessions", center_id=center.id))
        status = 400
    else:
        form = _plan_form(request.args if request.args else None, csrf=False)
        if request.args:
            if form.validate():
                model = next(m for m in validation_models() if m.id == form.model.data)
                assessor = find_person(form.assessor.data)
                if _authorised_or_error(form, model, assessor):
                    plans = preview(center, model, assessor, _plan_days(form), form.start.data)
                else:
                    status = 400
            else:
                status = 400
    # Where people in the center's county wait for a session: plan where they are.
    demand = interest_demand(interest_today(), county_ids=[center.municipality.county_id])
    return render_template(
        "centers/plan.html", center=center, form=form, plans=plans, demand=demand
    ), status


@bp.get("/centers/<int:center_id>/sessions")
@login_required
def sessions(center_id: int):
    center = _center(center_id)
    rows = center_sessions_not_ended(center.id, utcnow())
    return render_template("centers/sessions.html", center=center, sessions=rows)


def _session_for_admin(session_id: int) -> ValidationSession:
    session = find_session(session_id)
    if session is None or not current_user.is_staff_for_center(session.center_id):
        raise NotFound(_("Passet finns inte."))
    return session


@bp.route("/sessions/<int:session_id>/manage", methods=["GET", "POST"])
@login_required
def manage_session(session_id: int):
    """Move a session, change its testledare, or cancel it."""
    session = _session_for_admin(session_id)
    local = to_local(session.starts_at)
    move_form = MoveSessionForm(
        formdata=request.form if request.form.get("action") == "move" else None,
        day=local.date(),
        start=local.time(),
        assessor=session.assessor_id,
    )
    move_form.assessor.choices = _assessor_choices(session.model_id)
    cancel_form = CancelSessionForm(
        formdata=request.form if request.form.get("action") == "cancel" else None
    )
    status = 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "move" and move_form.validate():
            before = (session.starts_at, session.assessor_id)
            try:
                move_session(
                    session.id,
                    move_form.day.data,
                    move_form.start.data,
                    current_user,
                    assessor_id=move_form.assessor.data,
                )
            except DomainError as refused:
                # Shown on the form with what the admin typed, not on an error page: at
                # the testledare when only the testledare was changed, at the start time
                # when that clock is unclear that day, else at the day.
                day, start = move_form.day.data, move_form.start.data
                changed = move_form.day
                if (day, start) == (local.date(), local.time()):
                    changed = move_form.assessor
                elif unclear_clock(day, start, session.model.duration):
                    changed = move_form.start
                changed.errors = [refused.message]
                return _manage_page(session, move_form, cancel_form), refused.status_code
            if (session.starts_at, session.assessor_id) == before:
                flash(_("Inget är ändrat."), "info")
            elif session.starts_at == before[0]:  # only another testledare: nobody booked hears
                flash(_("Passet har fått en ny testledare, som får en kallelse."), "success")
            else:
                flash(
                    _("Passet är flyttat. Deltagarna och testledaren får nya kallelser."), "success"
                )
            return redirect(url_for("centers.sessions", center_id=session.center_id))
        if action == "cancel" and cancel_form.validate():
            try:
                cancel_session(session.id, current_user, cancel_form.reason.data or "")
            except DomainError as refused:  # cancelled or started since the page was read
                cancel_form.reason.errors = [refused.message]
                return _manage_page(session, move_form, cancel_form), refused.status_code
            flash(_("Passet är inställt och alla bokningar avbokade."), "success")
            return redirect(url_for("centers.sessions", center_id=session.center_id))
        status = 400
    return _manage_page(session, move_form, cancel_form), status


def _manage_page(session: ValidationSession, move_form, cancel_form) -> str:
    """The forms while the session can still change; a cancelled or started one says
    so instead of offering forms that saving would refuse."""
    if session.status == SessionStatus.CANCELLED:
        settled = _("Passet är inställt.")
    elif session.starts_at <= utcnow():
        settled = _("Passet har redan börjat och kan inte flyttas eller ställas in.")
    else:
        settled = None
    if settled:
        # A form sent from a page read before leads the page with why nothing can be
        # done: no field is left to correct.
        if move_form.errors or cancel_form.errors:
            form_errors.report(None, "", settled)
        move_form = cancel_form = None
    return render_template(
        "centers/manage.html",
        session=session,
        move_form=move_form,
        cancel_form=cancel_form,
        settled=settled,
    )


@bp.get("/centers/<int:center_id>/capacity")
@login_required
def capacity(center_id: int):
    center = _center(center_id)
    weeks = min(max(request.args.get("weeks", 8, type=int), 1), 26)
    today = local_date(utcnow())
    start = request.args.get("from", type=date.fromisoformat) or today
    if not FIRST_DAY <= start <= LAST_DAY:  # a hand-made link; the weeks would overflow
        start = today
    monday = start - timedelta(days=start.weekday())
    return render_template(
        "centers/capacity.html",
        center=center,
        rows=weekly_capacity(center, monday, weeks),
        weeks=weeks,
        monday=monday,
        closed_every=_weekday_list(closed_weekdays(center)),
    )


def _weekday_list(days: list[int]) -> str:
    """'lördag och söndag' in Swedish, 'Saturday and Sunday' in English."""
    return format_list([str(WEEKDAYS[d]) for d in days], locale=str(get_locale())) if days else ""

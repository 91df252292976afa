"""The testledare's own pages: the week grid, the month, the list and availability."""

import re
from calendar import Calendar
from datetime import date, time, timedelta

from babel.dates import format_date
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app import form_errors
from app.accounts.auth import role_required
from app.accounts.models import Role
from app.bookings.queries import participants_of
from app.centers.forms import WEEKDAYS
from app.db import utcnow
from app.errors import DomainError, InvalidInput
from app.fields import FIRST_DAY, LAST_DAY, from_first_day, wall_clock, within_years
from app.formatting import weekday_names
from app.schedule.availability import (
    absences,
    add_absence,
    remove_absence,
    set_weekly_hours,
    weekly_hours,
)
from app.schedule.planning import assessor_sessions
from app.timeutil import day_start, local_date, to_local
from app.views.schedule import first_of_month
from app.views.week_times import axis_for

bp = Blueprint("assessor", __name__, url_prefix="/schedule")


class JumpForm(FlaskForm):
    """Go to the week or month of a date: a GET form, so it needs no token."""

    date = DateField(_l("Gå till datum"), validators=[DataRequired(), within_years])


class AbsenceForm(FlaskForm):
    first_day = DateField(
        _l("Första dagen"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )
    last_day = DateField(
        _l("Sista dagen (tomt = samma dag)"),
        validators=[Optional(), within_years, from_first_day],
    )
    reason = StringField(
        _l("Anledning, t.ex. semester"), validators=[DataRequired(), Length(max=200)]
    )


def _jump_date() -> date | None:
    """The day of the jump-to-date form (?date=2027-03-15), when it was sent."""
    form = JumpForm(request.args, meta={"csrf": False})
    if "date" not in request.args:
        return None
    if not form.validate():
        if form.date.data is not None:  # a date, but out of the years the app plans
            raise InvalidInput(str(form.date.errors[0]))
        raise InvalidInput(_("Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2027-03-15."))
    return form.date.data


WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


def _monday_of_week(text: str) -> date:
    """The Monday of an ISO week written 2027-W10. InvalidInput says what is wrong: the
    form, a year outside those a date may name, or a week the year does not have."""
    found = WEEK.match(text)
    if not found:
        raise InvalidInput(_("Ange veckan som ÅÅÅÅ-Wvv, till exempel 2027-W10."))
    year, number = int(found[1]), int(found[2])
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise InvalidInput(_("Välj en vecka mellan år 2000 och 2100."))
    weeks = date(year, 12, 28).isocalendar()[1]  # 28 December is always in the last week
    if not 1 <= number <= weeks:
        raise InvalidInput(_("År %(year)s har veckorna 1–%(weeks)s.", year=str(year), weeks=weeks))
    return date.fromisocalendar(year, number, 1)


def _week_monday() -> date:
    """The Monday of ?date=, of ?week=2027-W10 (ISO), or of this week; InvalidInput for
    a date or week that names none."""
    day = _jump_date()
    if day is None and "week" in request.args:
        day = _monday_of_week(request.args["week"])
    if day is None:
        day = local_date(utcnow())
    return day - timedelta(days=day.weekday())


def _refused_jump(bad: InvalidInput, label: str) -> int:
    """A ?date=, ?week= or ?month= that names nothing: said in the error summary (at the
    jump form's date when it came from there), the page showing today's week or month."""
    if "date" in request.args:
        form_errors.report("jump-date", _("Gå till datum"), bad.message)
    else:
        form_errors.report(None, label, bad.message)
    return bad.status_code


def _iso(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@bp.get("/")
@role_required(Role.ASSESSOR)
def week():
    status = 200
    try:
        monday = _week_monday()
    except InvalidInput as bad:
        status = _refused_jump(bad, _("Vecka"))
        today = local_date(utcnow())
        monday = today - timedelta(days=today.weekday())
    sessions = assessor_sessions(
        current_user.id, day_start(monday), day_start(monday + timedelta(days=7))
    )
    days = [monday + timedelta(days=i) for i in range(7)]
    by_day = {day: [s for s in sessions if s.local_date == day] for day in days}
    axis = axis_for(sessions)
    return render_template(
        "schedule/week.html",
        monday=monday,
        week_number=monday.isocalendar()[1],
        days=days,
        by_day=by_day,
        axis=axis,
        rows={s.id: axis.rows(s) for s in sessions},
        weekdays=WEEKDAYS,
        previous=_iso(monday - timedelta(days=7)),
        next=_iso(monday + timedelta(days=7)),
        jump=JumpForm(formdata=None, date=monday),
    ), status


def _first_of_month() -> date:
    """The first of ?date='s month, of ?month=2027-03, or of this month."""
    day = _jump_date()
    if day is not None:
        return day.replace(day=1)
    if "month" in request.args:
        return first_of_month(request.args["month"])
    return local_date(utcnow()).replace(day=1)


@bp.get("/month")
@role_required(Role.ASSESSOR)
def month():
    """The testledare's month: a calendar table with each day's sessions linked."""
    status = 200
    try:
        first = _first_of_month()
    except InvalidInput as bad:
        status = _refused_jump(bad, _("Månad"))
        first = local_date(utcnow()).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    sessions = assessor_sessions(current_user.id, day_start(first), day_start(following))
    by_day: dict[date, list] = {}
    for session in sessions:
        by_day.setdefault(session.local_date, []).append(session)
    return render_template(
        "schedule/assessor_month.html",
        first=first,
        title=format_date(first, "LLLL y", locale=get_locale()),
        weeks=Calendar(firstweekday=0).monthdatescalendar(first.year, first.month),
        by_day=by_day,
        count=len(sessions),
        weekdays=weekday_names(),
        today=local_date(utcnow()),
        previous=(first - timedelta(days=1)).replace(day=1).strftime("%Y-%m"),
        next=following.strftime("%Y-%m"),
        jump=JumpForm(formdata=None, date=first),
    ), status


@bp.get("/list")
@role_required(Role.ASSESSOR)
def listing():
    now = utcnow()
    sessions = assessor_sessions(
        current_user.id, now - timedelta(days=1), now + timedelta(days=400)
    )
    return render_template(
        "schedule/list.html",
        sessions=sessions,
        participants=participants_of([s.id for s in sessions]),
    )


def _typed_hours() -> dict[int, tuple[bool, str, str]]:
    """Each weekday's row of the hours table as sent: works, from, to."""
    return {
        d: (
            bool(request.form.get(f"works-{d}")),
            request.form.get(f"starts-{d}", ""),
            request.form.get(f"ends-{d}", ""),
        )
        for d in range(7)
    }


def _saved_hours() -> dict[int, tuple[bool, str, str]]:
    saved = weekly_hours(current_user.id)
    return {
        d: (True, saved[d].starts.strftime("%H:%M"), saved[d].ends.strftime("%H:%M"))
        if d in saved
        else (False, "07:00", "17:00")
        for d in range(7)
    }


def _hours_of(typed: dict[int, tuple[bool, str, str]]) -> dict[int, tuple[time, time] | None]:
    try:
        return {
            d: (wall_clock(starts), wall_clock(ends)) if works else None
            for d, (works, starts, ends) in typed.items()
        }
    except ValueError:
        raise InvalidInput(_("Ange tider som TT:MM, till exempel 08:00.")) from None


def _hours_error_at(typed: dict, refused: DomainError) -> tuple[str, int]:
    """The field of the hours table a refusal is about: the first working day's time
    that is no time, or its end not after its start; else the day of the first session
    the hours would leave outside (its box, or the time that shuts it out)."""
    for d, (works, starts, ends) in typed.items():
        if not works:
            continue
        times = []
        for name, value in (("starts", starts), ("ends", ends)):
            try:
                times.append(wall_clock(value))
            except ValueError:
                return f"{name}-{d}", d
        if times[0] >= times[1]:
            return f"ends-{d}", d
    sessions = getattr(refused, "sessions", None) or []
    if not sessions:
        return "works-0", 0
    start = to_local(sessions[0].starts_at)
    d = start.weekday()
    works, starts, _ends = typed[d]
    if not works:
        return f"works-{d}", d
    return (f"starts-{d}", d) if wall_clock(starts) > start.time() else (f"ends-{d}", d)


@bp.route("/availability", methods=["GET", "POST"])
@role_required(Role.ASSESSOR)
def availability():
    form = AbsenceForm()
    status, leading = 200, []
    hours, hours_refused, hours_error = _saved_hours(), None, None
    if request.method == "POST" and request.form.get("action") == "hours":
        if FlaskForm().validate_on_submit():
            typed = _typed_hours()
            try:
                set_weekly_hours(current_user, _hours_of(typed))
            except DomainError as refused:
                # Shown again as typed, the error at the day's field and in the summary.
                status, hours_refused, hours = refused.status_code, refused, typed
                hours_error, day = _hours_error_at(typed, refused)
                label = _("Vanliga arbetstider") + f", {WEEKDAYS[day]}"
                form_errors.report(hours_error, label, refused.message)
            else:
                flash(_("Arbetstiderna är sparade."), "success")
                return redirect(url_for("assessor.availability"))
    elif form.validate_on_submit():
        try:
            add_absence(
                current_user,
                form.first_day.data,
                form.last_day.data or form.first_day.data,
                form.reason.data,
            )
        except DomainError as refused:
            form.first_day.errors.append(refused.message)
            status, leading = refused.status_code, getattr(refused, "sessions", [])
        else:
            flash(_("Frånvaron är sparad."), "success")
            return redirect(url_for("assessor.availability"))
    if request.method == "POST" and status == 200:
        status = 400
    return render_template(
        "schedule/availability.html",
        leading=leading,
        form=form,
        hours=hours,
        hours_refused=hours_refused,
        hours_error=hours_error,
        weekdays=WEEKDAYS,
        absences=absences(current_user.id, local_date(utcnow())),
        csrf_form=FlaskForm(),
    ), status


@bp.post("/absences/<int:absence_id>/delete")
@role_required(Role.ASSESSOR)
def delete_absence(absence_id: int):
    remove_absence(absence_id, current_user)
    flash(_("Borttaget."), "success")
    return redirect(url_for("assessor.availability"))

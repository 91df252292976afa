"""The testledare's own pages: the week grid, the list and availability."""

from datetime import date, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.bookings.queries import participants_of
from app.centers.forms import WEEKDAYS
from app.db import utcnow
from app.errors import InvalidInput
from app.schedule.availability import (
    absences,
    add_absence,
    remove_absence,
    set_weekly_hours,
    weekly_hours,
)
from app.schedule.planning import assessor_sessions
from app.timeutil import day_start, local_date

bp = Blueprint("assessor", __name__, url_prefix="/schedule")


class AbsenceForm(FlaskForm):
    first_day = DateField(_l("Första dagen"), validators=[DataRequired(_l("Ange ett datum."))])
    last_day = DateField(_l("Sista dagen (tomt = samma dag)"), validators=[Optional()])
    reason = StringField(
        _l("Anledning, t.ex. semester"), validators=[DataRequired(), Length(max=200)]
    )


def _week_monday() -> date:
    """The Monday of ?week=2027-W10 (ISO), or of this week."""
    raw = request.args.get("week", "")
    try:
        year, week = raw.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        today = local_date(utcnow())
        return today - timedelta(days=today.weekday())


def _iso(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@bp.get("/")
@role_required(Role.ASSESSOR)
def week():
    monday = _week_monday()
    sessions = assessor_sessions(
        current_user.id, day_start(monday), day_start(monday + timedelta(days=7))
    )
    days = [monday + timedelta(days=i) for i in range(7)]
    by_day = {day: [s for s in sessions if s.local_date == day] for day in days}
    return render_template(
        "schedule/week.html",
        monday=monday,
        week_number=monday.isocalendar()[1],
        days=days,
        by_day=by_day,
        weekdays=WEEKDAYS,
        previous=_iso(monday - timedelta(days=7)),
        next=_iso(monday + timedelta(days=7)),
    )


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


def _clock(name: str) -> time:
    try:
        return time.fromisoformat(request.form.get(name, ""))
    except ValueError:
        raise InvalidInput(_("Ange tider som TT:MM, till exempel 08:00.")) from None


@bp.route("/availability", methods=["GET", "POST"])
@role_required(Role.ASSESSOR)
def availability():
    form = AbsenceForm()
    status = 200
    if request.method == "POST" and request.form.get("action") == "hours":
        if FlaskForm().validate_on_submit():
            set_weekly_hours(
                current_user,
                {
                    d: (_clock(f"starts-{d}"), _clock(f"ends-{d}"))
                    if request.form.get(f"works-{d}")
                    else None
                    for d in range(7)
                },
            )
            flash(_("Arbetstiderna är sparade."), "success")
            return redirect(url_for("assessor.availability"))
    elif form.validate_on_submit():
        add_absence(
            current_user,
            form.first_day.data,
            form.last_day.data or form.first_day.data,
            form.reason.data,
        )
        flash(_("Frånvaron är sparad."), "success")
        return redirect(url_for("assessor.availability"))
    if request.method == "POST":
        status = 400
    return render_template(
        "schedule/availability.html",
        form=form,
        hours=weekly_hours(current_user.id),
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

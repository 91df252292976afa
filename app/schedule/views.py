from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.bookings.forms import BookingForm
from app.bookings.queries import live_booking_for, participants
from app.bookings.services import BookingWindow, bookability_problem
from app.cache import TTLCache
from app.db import utcnow
from app.extensions import db
from app.regions.models import County, Municipality
from app.schedule.forms import SessionSearchForm
from app.schedule.services import (
    SessionFilters,
    get_session,
    paginate_rows,
    upcoming_sessions,
    validation_models,
)

bp = Blueprint("schedule", __name__, template_folder="templates")


def _search_form() -> SessionSearchForm:
    form = SessionSearchForm(request.args)
    everything = [SelectChoice("", _("Alla"))]
    form.model.choices = everything + [SelectChoice(m.id, m.name) for m in validation_models()]
    form.county.choices = everything + [
        SelectChoice(c.id, c.name) for c in db.session.scalars(select(County).order_by(County.name))
    ]
    form.municipality.choices = everything + [
        SelectChoice(m.id, m.name)
        for m in db.session.scalars(select(Municipality).order_by(Municipality.name))
    ]
    return form


@bp.get("/")
def index():
    """The search page; its form and results are cached for SEARCH_CACHE_SECONDS.

    When registration for a popular validation opens, hundreds load the same list
    within seconds: each worker renders it once and serves that copy, so the seats
    shown may be a few seconds old. The session page and booking always read the
    database. Only the shared fragment is cached, never the page around it, which
    carries the visitor's own name, messages and form tokens.
    """
    seconds = current_app.config["SEARCH_CACHE_SECONDS"]
    if seconds <= 0:
        search, status = _render_search()
        return render_template("schedule/index.html", search=search), status
    cache = current_app.extensions.setdefault("search_cache", TTLCache(size=256))
    key = (str(get_locale()), tuple(sorted(request.args.items(multi=True))))
    search = cache.get(key, seconds)
    status = 200
    if search is None:
        search, status = _render_search()
        if status == 200:
            cache.put(key, search)
    return render_template("schedule/index.html", search=search), status


def _render_search() -> tuple[Markup, int]:
    form = _search_form()
    filters = SessionFilters()
    status = 200
    if request.args and not form.validate():
        status = 400
    elif request.args:
        filters = SessionFilters(
            model_id=form.model.data,
            county_id=form.county.data,
            municipality_id=form.municipality.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            free_only=form.free_only.data,
        )
    page = request.args.get("page", 1, type=int)
    pagination = paginate_rows(
        upcoming_sessions(filters, utcnow()), page, current_app.config["SESSIONS_PER_PAGE"]
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    html = render_template("schedule/_search.html", form=form, pagination=pagination, args=args)
    return Markup(html), status


@bp.get("/sessions/<int:session_id>")
def session_detail(session_id: int):
    session, waitlist_length = get_session(session_id)
    now = utcnow()
    mine = staff_view = None
    if current_user.is_authenticated:
        mine = live_booking_for(session.id, current_user.id)
        if current_user.is_staff_for_center(session.center_id):
            staff_view = participants(session.id)
    return render_template(
        "schedule/session.html",
        session=session,
        waitlist_length=waitlist_length,
        problem=bookability_problem(session, now),
        window=BookingWindow.for_session(session),
        mine=mine,
        participants=staff_view,
        form=BookingForm.fresh(),
        company_employees=_bookable_employees(),
        book_for_form=BookingForm.fresh(),
    )


def _bookable_employees() -> list:
    """A coordinator may book for the company's employees from the session page."""
    if not (current_user.is_authenticated and current_user.has_role("coordinator")):
        return []
    from app.accounts.company_views import company_employees

    return [
        p
        for p in company_employees(current_user.company_id)
        if p.has_role("employee") and p.is_active
    ]

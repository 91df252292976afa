from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, current_app, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from app.accounts.models import Role
from app.accounts.queries import company_employees
from app.bookings.forms import BookingForm
from app.bookings.queries import live_booking_for, participants
from app.bookings.services import BookingWindow, bookability_problem
from app.bookings.session_search import (
    SessionFilters,
    get_session,
    nearby_alternatives,
    paginate_rows,
    upcoming_sessions,
)
from app.cache import TTLCache
from app.calendar import links
from app.calendar.events import what_to_bring
from app.db import utcnow
from app.regions.queries import counties_by_name, municipalities_by_name
from app.regions.travel import travel_minutes
from app.schedule.forms import SessionSearchForm
from app.schedule.models import SessionStatus
from app.schedule.services import validation_models

bp = Blueprint("schedule", __name__)


# The search's filters, remembered in a cookie of their own so that coming back to
# the start page shows the same search; "page" is not one of them. A plain cookie,
# not the signed session: the filters are no secret, are validated like any query
# string when read back, and anonymous searches need not sign a session each time.
FILTER_FIELDS = ("model", "county", "municipality", "date_from", "date_to", "free_only")
SAVED_FILTERS = "tcb_search"
SAVED_FILTERS_DAYS = 90


def _search_form(args: MultiDict) -> SessionSearchForm:
    form = SessionSearchForm(args)
    everything = [SelectChoice("", _("Alla"))]
    form.model.choices = everything + [SelectChoice(m.id, m.name) for m in validation_models()]
    form.county.choices = everything + [SelectChoice(c.id, c.name) for c in counties_by_name()]
    form.municipality.choices = everything + [
        SelectChoice(m.id, m.name) for m in municipalities_by_name()
    ]
    return form


def _effective_args() -> tuple[MultiDict, bool]:
    """The filters to search with, and whether they are the visitor's remembered ones."""
    if "clear" in request.args:
        return MultiDict(), False
    saved = request.cookies.get(SAVED_FILTERS)
    if not request.args and saved:
        return MultiDict(parse_qsl(saved)), True
    return request.args, False


def _remembered(args: MultiDict, restored: bool, status: int) -> str | None:
    """What the filter cookie should hold after this search; None to remove it."""
    current = request.cookies.get(SAVED_FILTERS)
    if "clear" in request.args:
        return None
    if status != 200 or restored or not any(name in args for name in FILTER_FIELDS):
        return current  # a bad search, the remembered one again, or only a page number
    chosen = [(name, args[name]) for name in FILTER_FIELDS if args.get(name)]
    return urlencode(chosen) or None


@bp.get("/")
def index():
    """The search page; its form and results are cached for SEARCH_CACHE_SECONDS.

    When registration for a popular validation opens, hundreds load the same list
    within seconds: each worker renders it once and serves that copy, so the seats
    shown may be a few seconds old. The session page and booking always read the
    database. The cache is keyed by the filters actually searched with, which for a
    bare "/" may be remembered ones. Signed-in people get the shared fragment inside
    a page of their own (their name, form tokens); visitors without a session, who
    have no name, token or message to show, share the whole page.
    """
    args, restored = _effective_args()
    search, status = _cached_search(args, restored)
    if status != 200 and restored:
        # Remembered filters that no longer fit (a model removed): forget them
        # rather than greet the visitor with an error on the start page.
        args, restored = MultiDict(), False
        search, status = _cached_search(args, restored)
        keep = None
    else:
        keep = _remembered(args, restored, status)
    response = make_response(_page(search, status, args, restored), status)
    if keep != request.cookies.get(SAVED_FILTERS):  # send the cookie only when it changes
        if keep:
            response.set_cookie(
                SAVED_FILTERS,
                keep,
                max_age=SAVED_FILTERS_DAYS * 86400,
                httponly=True,
                samesite="Lax",
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            )
        else:
            response.delete_cookie(SAVED_FILTERS)
    return response


def _page(search: Markup, status: int, args: MultiDict, restored: bool) -> str:
    seconds = current_app.config["SEARCH_CACHE_SECONDS"]
    shared = (
        seconds > 0
        and status == 200
        and current_user.is_anonymous
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    )
    if not shared:
        return render_template("schedule/index.html", search=search)
    cache = current_app.extensions.setdefault("search_cache", TTLCache(size=256))
    # The footer's language link returns to the address as asked for: part of the key.
    key = ("page", str(get_locale()), request.full_path, restored, *_filters_key(args))
    page = cache.get(key, seconds)
    if page is None:
        page = render_template("schedule/index.html", search=search)
        cache.put(key, page)
    return page


def _filters_key(args: MultiDict) -> tuple:
    return tuple(sorted(args.items(multi=True)))


def _cached_search(args: MultiDict, restored: bool) -> tuple[Markup, int]:
    seconds = current_app.config["SEARCH_CACHE_SECONDS"]
    if seconds <= 0:
        search, status = _render_search(args, restored)
    else:
        cache = current_app.extensions.setdefault("search_cache", TTLCache(size=256))
        key = (str(get_locale()), restored, *_filters_key(args))
        search = cache.get(key, seconds)
        status = 200  # only valid searches are cached
        if search is None:
            search, status = _render_search(args, restored)
            if status == 200:
                cache.put(key, search)
    return search, status


def _render_search(args: MultiDict, restored: bool) -> tuple[Markup, int]:
    form = _search_form(args)
    filters = SessionFilters()
    status = 200
    if args and not form.validate():
        status = 400
    elif args:
        filters = SessionFilters(
            model_id=form.model.data,
            county_id=form.county.data,
            municipality_id=form.municipality.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            free_only=form.free_only.data,
        )
    page = args.get("page", 1, type=int)
    pagination = paginate_rows(
        upcoming_sessions(filters, utcnow()), page, current_app.config["SESSIONS_PER_PAGE"]
    )
    filter_args = {k: v for k, v in args.items() if k in FILTER_FIELDS}
    html = render_template(
        "schedule/_search.html",
        form=form,
        pagination=pagination,
        args=filter_args,
        restored=restored,
    )
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
    problem = bookability_problem(session, now)
    # A full session (or one that cannot be booked) points to others that can.
    alternatives = (
        nearby_alternatives(session, now)
        if session.seats_left <= 0 or problem or session.status != SessionStatus.SCHEDULED
        else []
    )
    return render_template(
        "schedule/session.html",
        session=session,
        waitlist_length=waitlist_length,
        alternatives=alternatives,
        problem=problem,
        window=BookingWindow.for_session(session),
        mine=mine,
        participants=staff_view,
        form=BookingForm.fresh(),
        company_employees=_bookable_employees(),
        book_for_form=BookingForm.fresh(),
        practical=_practical(session, mine),
    )


def _practical(session, mine) -> dict:
    """What the session page says about getting there: arrival, things to bring, map,
    accessibility, travel time from the person's place, and calendar links for a seat."""
    place = current_user.place if current_user.is_authenticated else None
    holds_seat = mine is not None and mine.holds_seat and session.status != SessionStatus.CANCELLED
    return {
        "arrive_at": links.arrive_at(session),
        "arrive_minutes": current_app.config["ARRIVE_MINUTES_BEFORE"],
        "what_to_bring": what_to_bring(),
        "map_url": links.map_url(session.center),
        "place": place,
        "travel_minutes": (
            travel_minutes(place.id, session.center.municipality_id) if place else None
        ),
        "google_url": links.google_calendar_url(session, mine.id) if holds_seat else None,
        "outlook_url": links.outlook_url(session, mine.id) if holds_seat else None,
        "ics_url": url_for("calendar.booking_event", booking_id=mine.id) if holds_seat else None,
    }


def _bookable_employees() -> list:
    """A coordinator may book for the company's employees from the session page."""
    if not (current_user.is_authenticated and current_user.has_role(Role.COORDINATOR)):
        return []
    return [
        p
        for p in company_employees(current_user.company_id)
        if p.has_role(Role.EMPLOYEE) and p.is_active
    ]

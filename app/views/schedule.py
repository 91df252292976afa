import re
from calendar import Calendar
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode

from babel.dates import format_date
from flask import Blueprint, current_app, make_response, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from app import form_errors
from app.accounts.models import Role
from app.accounts.queries import company_employees
from app.bookings.forms import BookingForm
from app.bookings.queries import live_booking_for, participants
from app.bookings.services import BookingWindow, bookability_problem
from app.bookings.session_search import (
    SessionFilters,
    free_days,
    get_session,
    nearby_alternatives,
    paginate_rows,
    search_alternatives,
    upcoming_sessions,
    with_travel,
)
from app.cache import TTLCache
from app.calendar import links
from app.calendar.events import what_to_bring
from app.db import utcnow
from app.errors import InvalidInput
from app.fields import FIRST_DAY, LAST_DAY
from app.formatting import travel_duration, weekday_names
from app.regions.queries import places_by_county
from app.regions.travel import travel_minutes
from app.schedule.forms import (
    DEFAULT_WEEKS,
    FAMILY_PREFIX,
    PERIOD_WEEKS,
    REACH_MINUTES,
    SessionSearchForm,
)
from app.schedule.models import ModelFamily, SessionStatus, ValidationModel
from app.schedule.queries import models_with_families
from app.timeutil import local_date

bp = Blueprint("schedule", __name__)


# The search's filters, remembered in a cookie of their own so that coming back to
# the start page shows the same search; "page" is not one of them. A plain cookie,
# not the signed session: the filters are no secret, are validated like any query
# string when read back, and anonymous searches need not sign a session each time.
FILTER_FIELDS = (
    "model",
    "county",
    "municipality",
    "weeks",
    "date_from",
    "date_to",
    "free_only",
    "origin",
    "reach",
)
SAVED_FILTERS = "tcb_search"
SAVED_FILTERS_DAYS = 90
# A search nobody has chosen filters for: the next 8 weeks, only sessions with a free seat.
# A submitted form says itself (an unticked box sends nothing: free seats off).
DEFAULT_FILTERS = MultiDict({"weeks": str(DEFAULT_WEEKS), "free_only": "y"})


def _submitted(args: MultiDict) -> bool:
    return any(name in args for name in FILTER_FIELDS)


def home_place_id() -> int | None:
    """The municipality a signed-in person's search starts from (None for a visitor)."""
    if not current_user.is_authenticated:
        return None
    # As Person.place, by ids: no municipality is loaded for it.
    if current_user.municipality_id is not None:
        return current_user.municipality_id
    company = current_user.company
    return company.municipality_id if company is not None else None


class SearchForm:
    """The filter form with its choices, and what it asks for as SessionFilters.

    `home` is where a search starts from unless it says otherwise ("origin"): a
    signed-in person's place. An origin chosen empty means no place: date order.
    """

    def __init__(self, args: MultiDict, home: int | None = None):
        self.submitted = _submitted(args)
        self.form = form = SessionSearchForm(args if self.submitted else DEFAULT_FILTERS)
        if "origin" not in args:
            form.origin.data = home
        models = models_with_families()
        levels: dict[ModelFamily, list[ValidationModel]] = {}
        for model in models:
            if model.family is not None:
                levels.setdefault(model.family, []).append(model)
        self.families = {
            f"{FAMILY_PREFIX}{family.code}": family
            for family in sorted(levels, key=lambda family: family.name)
        }
        everything = [SelectChoice("", _("Alla"))]
        choices = everything + [SelectChoice(m.id, m.name) for m in models if m.family is None]
        for value, family in self.families.items():
            choices.append(
                SelectChoice(
                    value, _("%(family)s, alla nivåer", family=family.name), optgroup=family.name
                )
            )
            choices += [
                SelectChoice(m.id, m.name, optgroup=family.name)
                for m in sorted(levels[family], key=lambda m: m.level_rank)
            ]
        form.model.choices = choices
        counties = places_by_county()
        form.county.choices = everything + [SelectChoice(cid, name) for cid, name, _m in counties]
        # Grouped by county when there are several: the country has 290 municipalities.
        grouped = len(counties) > 1
        places = [
            SelectChoice(mid, name, optgroup=county if grouped else None)
            for _cid, county, municipalities in counties
            for mid, name in municipalities
        ]
        form.municipality.choices = everything + places
        form.origin.choices = [SelectChoice("", _("Ingen plats (ordna efter datum)")), *places]
        form.reach.choices = [(m, _reach_label(m)) for m in REACH_MINUTES]
        form.weeks.choices = [
            (w, ngettext("%(num)s vecka", "%(num)s veckor", w) if w else _("Alla datum"))
            for w in PERIOD_WEEKS
        ]

    def validate(self) -> bool:
        return self.form.validate()

    def filters(self, today: date) -> SessionFilters:
        """The filters asked for, their period spelled out in days (None: open)."""
        form = self.form
        model = form.model.data
        family = self.families.get(model) if isinstance(model, str) else None
        end = form.date_to.data
        if end is None and form.weeks.data:
            end = (form.date_from.data or today) + timedelta(weeks=form.weeks.data, days=-1)
        return SessionFilters(
            model_id=model if isinstance(model, int) else None,
            family_id=family.id if family else None,
            county_id=form.county.data,
            municipality_id=form.municipality.data,
            date_from=form.date_from.data,
            date_to=end,
            free_only=form.free_only.data,
            from_municipality_id=form.origin.data,
            max_minutes=(form.reach.data or None) if form.origin.data else None,
        )

    def origin_name(self) -> str | None:
        """The name of the municipality the search starts from, if any."""
        field = self.form.origin
        if not field.data:
            return None
        return next((c.label for c in field.choices if field.coerce(c.value) == field.data), None)

    def summary(self) -> str:
        """One line of what is asked for: "Svets, alla nivåer · Norrbottens län · 8 veckor ·
        lediga platser"; for a search with errors, that it has them (the list below is the
        default search), not the values refused as if searched with ("999 veckor")."""
        form = self.form
        if form.errors:
            return _("fel i filtren, se nedan")
        parts = []
        for field in (form.model, form.municipality, form.county):
            if field.data:
                parts += [c.label for c in field.choices if field.coerce(c.value) == field.data]
        start, end = form.date_from.data, form.date_to.data
        if end and start:
            parts.append(f"{_short_day(start)}–{_short_day(end)}")
        elif end:
            parts.append(_("till %(day)s", day=_short_day(end)))
        elif form.weeks.data:
            weeks = ngettext("%(num)s vecka", "%(num)s veckor", form.weeks.data)
            parts.append(
                _("%(weeks)s från %(day)s", weeks=weeks, day=_short_day(start)) if start else weeks
            )
        elif start:
            parts.append(_("från %(day)s", day=_short_day(start)))
        else:
            parts.append(_("alla datum"))
        if form.free_only.data:
            parts.append(_("lediga platser"))
        origin = self.origin_name()
        if origin and form.reach.data:
            parts.insert(
                1 if form.model.data else 0,
                _(
                    "inom %(duration)s från %(place)s",
                    duration=travel_duration(form.reach.data),
                    place=origin,
                ),
            )
        elif origin:
            parts.insert(1 if form.model.data else 0, _("från %(place)s", place=origin))
        return " · ".join(parts)

    def args_for(self, filters: SessionFilters) -> dict:
        """The query string that asks for `filters` (links to alternatives and days)."""
        codes = {f.id: value for value, f in self.families.items()}
        args = {
            "model": filters.model_id or codes.get(filters.family_id, ""),
            "county": filters.county_id or "",
            "municipality": filters.municipality_id or "",
            "date_from": filters.date_from.isoformat() if filters.date_from else "",
            "date_to": filters.date_to.isoformat() if filters.date_to else "",
            "weeks": 0,
        }
        if filters.free_only:
            args["free_only"] = "y"
        args = {k: v for k, v in args.items() if v != ""}
        # Said even when empty: no origin is a choice, not the signed-in person's default.
        args["origin"] = filters.from_municipality_id or ""
        if filters.from_municipality_id:
            args["reach"] = filters.max_minutes or 0
        return args


def _reach_label(minutes: int) -> str:
    return travel_duration(minutes) if minutes else _("Hur långt som helst")


def _short_day(day: date) -> str:
    return format_date(day, "d MMM", locale=get_locale())


def _is_date(text: str) -> bool:
    try:
        return date(2000, 1, 1) <= date.fromisoformat(text) <= date(2100, 12, 31)
    except ValueError:
        return False


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
    home = home_place_id()
    search, status = _cached_search(args, restored, home)
    if status != 200 and restored:
        # Remembered filters that no longer fit (a model removed): forget them
        # rather than greet the visitor with an error on the start page.
        args, restored = MultiDict(), False
        search, status = _cached_search(args, restored, home)
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


def _cached_search(args: MultiDict, restored: bool, home: int | None) -> tuple[Markup, int]:
    seconds = current_app.config["SEARCH_CACHE_SECONDS"]
    if seconds <= 0:
        search, status = _render_search(args, restored, home)
    else:
        cache = current_app.extensions.setdefault("search_cache", TTLCache(size=256))
        # The place a search starts from by default is part of what it shows.
        key = (str(get_locale()), restored, home, *_filters_key(args))
        search = cache.get(key, seconds)
        status = 200  # only valid searches are cached
        if search is None:
            search, status = _render_search(args, restored, home)
            if status == 200:
                cache.put(key, search)
    return search, status


def _render_search(args: MultiDict, restored: bool, home: int | None) -> tuple[Markup, int]:
    search = SearchForm(args, home)
    status = 200
    now = utcnow()
    today = local_date(now)
    if search.validate():
        filters = search.filters(today)
    else:
        status = 400
        filters = SearchForm(MultiDict(), home).filters(today)
    filters = with_travel(filters)  # one query for every card's travel time
    page = args.get("page", 1, type=int)
    pagination = paginate_rows(
        upcoming_sessions(filters, now), page, current_app.config["SESSIONS_PER_PAGE"]
    )
    alternatives = []
    if status == 200 and not pagination.total:
        asked = filters if filters.date_from else replace(filters, date_from=today)
        alternatives = [
            (alternative, search.args_for(alternative.filters))
            for alternative in search_alternatives(asked, filters.date_to, now)
        ]
    filter_args = {k: v for k, v in args.items() if k in FILTER_FIELDS}
    html = render_template(
        "schedule/_search.html",
        search=search,
        form=search.form,
        pagination=pagination,
        args=filter_args,
        restored=restored,
        alternatives=alternatives,
        travel=filters.travel,
        origin=search.origin_name(),
    )
    return Markup(html), status


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def first_of_month(text: str) -> date:
    """The first day of a month written ÅÅÅÅ-MM (?month=2027-03). InvalidInput says what
    is wrong: the form, or a year outside those a date may name."""
    found = MONTH.match(text)
    if not found or not 1 <= int(found[2]) <= 12:
        raise InvalidInput(_("Ange månaden som ÅÅÅÅ-MM, till exempel 2027-03."))
    if not FIRST_DAY.year <= int(found[1]) <= LAST_DAY.year:
        raise InvalidInput(_("Välj en månad mellan år 2000 och 2100."))
    return date(int(found[1]), int(found[2]), 1)


@bp.get("/month")
def month():
    """The days of one month with sessions that have a free seat, for the search's
    model, family and place; each day links to the list of that day's sessions."""
    now = utcnow()
    today = local_date(now)
    home = home_place_id()
    # Opened bare (a bookmark, the menu), it shows the search the visitor last made.
    args, _restored = _effective_args()
    # A month has no date fields: the list's dates only choose which month to show
    # (a start that is no date is left out, not reported at a field not on the page).
    args = MultiDict(args)
    args.pop("date_to", None)
    if not _is_date(args.get("date_from", "")):
        args.pop("date_from", None)
    search = SearchForm(args, home)
    valid = search.validate()
    first = today.replace(day=1)
    month_error = None
    if "month" in request.args:
        try:
            first = first_of_month(request.args["month"])
        except InvalidInput as bad:
            month_error = bad.message
            form_errors.report(None, _("Månad"), month_error)
    elif valid and search.form.date_from.data:
        first = search.form.date_from.data.replace(day=1)
    status = 200 if valid and not month_error else 400
    filters = search.filters(today) if valid else SearchForm(MultiDict(), home).filters(today)
    filters = with_travel(filters)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    counts = free_days(filters, first, last, now) if status == 200 else Counter()
    # The filters to keep across months and into a day's list: all but the dates.
    keep = {
        k: v for k, v in args.items() if k in FILTER_FIELDS and k not in ("date_from", "date_to")
    }
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    days = []
    for week in Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        days.append(
            [
                {
                    "day": day,
                    "count": counts.get(day, 0),
                    "weekday": format_date(day, "EEEE", locale=get_locale()),
                    "month": format_date(day, "MMMM", locale=get_locale()),
                    "args": search.args_for(_one_day(filters, day)),
                }
                if day.month == first.month
                else None
                for day in week
            ]
        )
    return render_template(
        "schedule/month.html",
        search=search,
        form=search.form,
        first=first,
        title=format_date(first, "LLLL y", locale=get_locale()),
        weeks=days,
        weekdays=weekday_names(),
        today=today,
        keep=keep,
        previous=previous if previous >= today.replace(day=1) else None,
        following=following if following.year <= 2100 else None,
        total=sum(counts.values()),
    ), status


def _one_day(filters: SessionFilters, day: date) -> SessionFilters:
    return replace(filters, date_from=day, date_to=day, free_only=True)


@bp.get("/sessions/<int:session_id>")
def session_detail(session_id: int):
    return session_page(session_id)


def session_page(
    session_id: int,
    form: BookingForm | None = None,
    status: int = 200,
    book_for_form: BookingForm | None = None,
):
    """The session page; after a refused booking form (one's own, or booking for an
    employee), with that form and its errors."""
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
    window = BookingWindow.for_session(session)
    return render_template(
        "schedule/session.html",
        session=session,
        waitlist_length=waitlist_length,
        alternatives=alternatives,
        problem=problem,
        window=window,
        # Still bookable, but a seat taken now cannot be given back online: say so
        # first (staff may still cancel and move, so they are not warned).
        past_deadline=now > window.cancel_deadline and staff_view is None,
        mine=mine,
        participants=staff_view,
        form=form or BookingForm.fresh(),
        company_employees=_bookable_employees(),
        book_for_form=book_for_form or BookingForm.fresh(),
        practical=_practical(session, mine),
    ), status


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

"""The scenarios: the requests each one sends, and the checks around them.

Signed-in requests carry the session cookie and CSRF token the login form would
have given the person: they are made here with the app's own Flask-Login and
Flask-WTF calls and the server's secret key, so thousands of employees are ready
to book without thousands of password checks first.
"""

import http.client
import math
import re
import secrets
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from app.accounts import login_sessions
from app.accounts.models import Company, Person
from app.bookings.models import Booking
from app.bookings.session_search import upcoming_sessions
from app.db import utcnow
from app.extensions import db
from app.regions.models import County, Municipality
from app.regions.queries import served
from app.reports import services as report_services
from app.schedule.models import SessionStatus, ValidationModel, ValidationSession
from app.timeutil import day_start, local_date
from app.views.reports import WEEKS_AHEAD, WEEKS_BACK
from app.views.schedule import DEFAULT_FILTERS, SearchForm
from bench.dataset import Fixtures
from bench.load import Request

USER_AGENT = "tcb-bench"
FORM = "application/x-www-form-urlencoded"
MAX_LINES = 30_000  # distinct booking requests prepared per booking scenario
COLD_FEED = "feed 1,000 events, cold"
# Times as fast as Radicale serving the same events, each request alone (one
# connection): Radicale is one process, so under many connections its queue decides.
COLD_FEED_TARGET = 2.0


@dataclass
class Scenario:
    name: str
    requests: list[Request]
    expect: int  # the status every answer should have
    baseline: str | None = None  # "hello", "raw", "stack page" or "stack booking"
    target: float | None = None  # lowest acceptable throughput ratio to the baseline
    once: bool = False  # each request once (a burst), instead of cycling for the duration
    slowest_within_s: float | None = None  # a burst's target: its slowest answer
    connections: int | None = None  # None: the run's --connections
    warm_up: bool = True
    growth: bool = False  # part of the growth table
    skip: str = ""  # why it cannot run (yet)
    notes: list[str] = field(default_factory=list)
    # Checks a few answers' bodies before timing: (fine?, what they serve), e.g. cards a page.
    serves: Callable[[list[bytes]], tuple[bool, str]] | None = None
    # How many answers `serves` looks at (None: SERVES_SAMPLE, spread over the requests).
    serves_sample: int | None = None
    # Settings for a server of the scenario's own (environment variables, as deployed).
    server_env: dict = field(default_factory=dict)
    server_threads: int | None = None  # threads of that server's workers (None: the run's)
    p50_target_ms: float | None = None  # highest acceptable one-connection p50


CARD = re.compile(rb'<li class="card">')
TRAVEL = re.compile(rb'<span class="travel">')
SERVES_SAMPLE = 5  # answers looked at before timing
BURST_ANSWERED_WITHIN_S = 5  # 500 people pressing Boka at once all have an answer by then


def search_cards(bodies: list[bytes], travel: bool) -> tuple[bool, str]:
    """What search pages serve: result cards a page, and (travel) how many say how far.

    Fine when some pages show cards (a filter may find nothing) and, with travel on,
    every page does and every card has its travel time (the signed-in employee's
    default search: closest first from their place).
    """
    cards = [len(CARD.findall(body)) for body in bodies]
    timed = [len(TRAVEL.findall(body)) for body in bodies]
    text = (
        f"{min(cards)}–{max(cards)} cards a page over {len(bodies)} pages, "
        f"{sum(timed)} of {sum(cards)} with a travel time"
    )
    if not any(cards) or (travel and not all(cards)):
        return False, f"pages without results: {text}"
    if travel and timed != cards:
        return False, f"cards without a travel time: {text}"
    if not travel and any(timed):
        return False, f"travel times without a place: {text}"
    return True, text


class _User:
    """Enough of a user for Flask-Login to sign them in."""

    is_active = True

    def __init__(self, person_id: int):
        self.person_id = person_id

    def get_id(self) -> str:
        # As Person.get_id: the id and the session version (0 until they sign out everywhere).
        return f"{self.person_id}:0"


def signed_in(app: Flask, person_ids) -> dict[int, tuple[str, str]]:
    """A session cookie and a CSRF token for each person, as signing in makes them."""
    serializer = app.session_interface.get_signing_serializer(app)
    found = {}
    for person_id in person_ids:
        with app.test_request_context(
            "/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
        ):
            login_user(_User(person_id))
            # The sign-in the server keeps (app/accounts/login_sessions.py), as the form makes it.
            session[login_sessions.SESSION_KEY] = login_sessions.start(person_id, USER_AGENT)
            token = generate_csrf()
            found[person_id] = (serializer.dumps(dict(session)), token)
    return found


def _cookie(value: str) -> dict:
    return {"Cookie": f"session={value}", "User-Agent": USER_AGENT}


def _pairs(people: list[int], sessions: list[int], count: int):
    """Distinct (person, session) pairs, spread so that neighbours differ in both."""
    step = len(sessions)
    while math.gcd(len(people), step) != 1:  # coprime: k -> (k mod P, k mod S) is 1:1
        people = people[:-1]
    count = min(count, len(people) * step)
    return [(people[k % len(people)], sessions[k % step]) for k in range(count)]


SIGNED_IN_SEARCHERS = 200


def searchers(
    app: Flask, employees: list[int], count: int, with_results: bool = True
) -> tuple[list[int], str]:
    """Employees whose default search finds sessions, in the order given, and what
    that left out; without `with_results`, the first `count` as they come, and how
    many of them have results.

    A signed-in employee's start page searches from their company's municipality: the
    coming 8 weeks, within 2 h, free seats only (app/views/schedule.py). In the north
    every place has a center near; nationally many municipalities have none within 2 h
    in those weeks, and their page is another one (no cards, other searches offered).
    Each place is asked once, through the view's own form, before anything is timed.
    """
    now = utcnow()
    today = local_date(now)
    with app.app_context(), app.test_request_context("/"):
        place = dict(
            db.session.execute(
                select(Person.id, Company.municipality_id)
                .join(Company, Person.company_id == Company.id)
                .where(Person.id.in_(employees))
            ).all()
        )
        found = {}
        for municipality_id in sorted(set(place.values())):
            filters = SearchForm(DEFAULT_FILTERS, municipality_id).filters(today)
            query = upcoming_sessions(filters, now).limit(1)
            found[municipality_id] = db.session.execute(query).first() is not None
        db.session.remove()
    served = sum(found.values())
    if not with_results:
        chosen = employees[:count]
        places = len({place[pid] for pid in chosen})
        finding = sum(bool(found.get(place.get(pid))) for pid in chosen)
        what = (
            f"{len(chosen)} employees of {places} municipalities, {finding} of them with "
            f"sessions in their default search (it finds some from {served} of the "
            f"{len(found)} municipalities of the companies)"
        )
        return chosen, what
    chosen = [pid for pid in employees if found.get(place.get(pid))][:count]
    places = len({place[pid] for pid in chosen})
    what = (
        f"{len(chosen)} employees of {places} municipalities, whose default search finds "
        f"sessions (it does from {served} of the {len(found)} municipalities of the "
        f"companies)"
    )
    return chosen, what


def search_paths(app: Flask) -> list[str]:
    """Searches people make: everything, by county, municipality, model, dates, free seats."""
    with app.app_context():
        # The counties the server serves (SERVED_COUNTIES): another is no valid choice.
        counties = db.session.scalars(select(County.id).where(served()).order_by(County.id)).all()
        towns = db.session.scalars(
            select(Municipality.id).where(Municipality.name.in_(("Luleå", "Umeå", "Kiruna")))
        ).all()
        models = db.session.scalars(select(ValidationModel.id).order_by(ValidationModel.id)).all()
    first = _today()
    queries = [
        {},
        {"page": 2},
        {"county": counties[0]},
        {"county": counties[-1], "free_only": "y"},
        {"municipality": towns[0]},
        {"municipality": towns[-1], "model": models[0]},
        {"model": models[3]},
        {"date_from": first, "date_to": first + timedelta(days=30)},
        {"free_only": "y"},
        {"model": models[0], "free_only": "y", "page": 2},
    ]
    return [("?" + urllib.parse.urlencode(q)) if q else "" for q in queries]


def _today():
    return local_date(utcnow())


def _api_query(web_query: str) -> str:
    names = {"county": "county_id", "municipality": "municipality_id", "model": "model_id"}
    names |= {"free_only": "only_free", "date_from": "from", "date_to": "to"}
    pairs = urllib.parse.parse_qsl(web_query.lstrip("?"))
    return urllib.parse.urlencode(
        [(names.get(k, k), "true" if k == "free_only" else v) for k, v in pairs]
    )


def build_scenarios(
    app: Flask,
    fixtures: Fixtures,
    burst_bookers: int,
    burst_connections: int,
    national: bool = False,
) -> list[Scenario]:
    """Every scenario against the app, in the order they run (reads before writes).

    On the national set the signed-in search takes employees whose default search finds
    sessions and checks every one of their pages; the standard sets keep their first 200
    employees, as their earlier figures did, check five pages and say how many of the
    200 would find sessions."""
    # 2,000 people x 31 sessions give more distinct bookings than a run can make.
    employees = fixtures.employees[: max(2000, burst_bookers)]
    near, near_what = searchers(
        app, fixtures.employees if national else employees, SIGNED_IN_SEARCHERS, national
    )
    cookies = signed_in(app, dict.fromkeys([*employees, *near, fixtures.project_admin]))
    tokens = list(fixtures.tokens.items())
    scenarios = []

    paths = search_paths(app)
    scenarios.append(
        Scenario(
            "search page",
            [Request("GET", "/" + p, {"User-Agent": USER_AGENT}) for p in paths],
            200,
            "hello",
            0.30,
            growth=True,
            serves=lambda bodies: search_cards(bodies, travel=False),
        )
    )
    # A signed-in employee's default search: from their company's place, within 2 h,
    # closest first, each card with its travel time (one travel query a page). People of
    # many places: each place's search is cached on its own. Measured against a signed-in
    # page of the same length on the bare stack (bench/stack_floor.py): loading the
    # person from the cookie costs any signed-in page more than "Hello, World!" takes.
    # Nationally their default search must find sessions: every one of the pages is checked.
    scenarios.append(
        Scenario(
            "search page, signed in, travel-time order",
            [Request("GET", "/", _cookie(cookies[pid][0])) for pid in near],
            200,
            "stack page",
            0.50,
            growth=True,
            serves=lambda bodies: search_cards(bodies, travel=True),
            serves_sample=len(near) if national else None,
            notes=[f"people: {near_what}"],
            skip="" if near else "FAILED: no employee's default search finds sessions",
        )
    )
    # The same searches, each with its own far date_to: every one misses the cache.
    misses = [
        ("/" + p + ("&" if p else "?") + f"date_to={_today() + timedelta(days=200 + n)}")
        for n in range(200)
        for p in paths
        if "date_to" not in p
    ]
    scenarios.append(
        Scenario(
            "search page, cache miss",
            [Request("GET", path, {"User-Agent": USER_AGENT}) for path in misses],
            200,
            "hello",
            growth=True,
        )
    )
    scenarios.append(
        Scenario(
            "search API",
            [
                Request(
                    "GET",
                    f"/api/v1/sessions?{_api_query(p)}",
                    {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
                )
                for p in paths
                for _pid, token in tokens[:200]
            ],
            200,
            "hello",
            growth=True,
        )
    )
    scenarios.extend(_feed_scenarios(app, fixtures))

    admin_cookie, _token = cookies[fixtures.project_admin]
    booked = dashboard_seats(app)
    for uncached in (False, True):
        scenarios.append(
            Scenario(
                "dashboard, uncached" if uncached else "dashboard",
                [Request("GET", "/reports/", _cookie(admin_cookie))],
                200,
                "hello",
                growth=True,
                serves=lambda bodies: dashboard_figures(bodies, booked),
                # Its own server, which caches no dashboard (REPORTS_CACHE_SECONDS=0),
                # one thread a worker: the render is CPU-bound, so more threads add no
                # throughput on 2 cores, and on PostgreSQL the run's four servers with
                # 4 threads a worker (each thread a pooled and a feed connection) went
                # past its 100 connections in a full run (500s, "too many clients").
                server_env={"TCB_REPORTS_CACHE_SECONDS": "0"} if uncached else {},
                server_threads=1 if uncached else None,
                notes=["its own server: one thread a worker"] if uncached else [],
                p50_target_ms=DASHBOARD_P50_MS if uncached else None,
            )
        )

    web_pairs = _pairs(employees, fixtures.web_sessions, MAX_LINES)
    scenarios.append(
        Scenario(
            "booking web form",
            [_web_booking(sid, *cookies[pid]) for pid, sid in web_pairs],
            302,
            # The same booking on the bare stack (bench/stack_floor.py, on the run's
            # database): the rules' cost, not the libraries' (issue 20).
            "stack booking",
            0.50,
            growth=True,
        )
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        half = len(web_pairs) // 2  # distinct bookings: each scenario has its own
        # The same bookings with SQLite's busy handler instead of the write queue
        # (app/db.py WriteQueue): what the queue gives, measured in the same run.
        scenarios.append(
            Scenario(
                "booking web form, no write queue",
                [_web_booking(sid, *cookies[pid]) for pid, sid in web_pairs[half:]],
                302,
                "stack booking",
                server_env={"TCB_SQLITE_WRITE_QUEUE": "false"},
            )
        )
        scenarios[-2].requests = scenarios[-2].requests[:half]
    api_people = [pid for pid, _token in tokens]
    scenarios.append(
        Scenario(
            "booking API",
            [
                _api_booking(sid, fixtures.tokens[pid])
                for pid, sid in _pairs(api_people, fixtures.api_sessions, MAX_LINES)
            ],
            201,
            "stack booking",
            0.50,
            growth=True,
        )
    )
    bookers = employees[: min(burst_bookers, len(employees))]
    scenarios.append(
        Scenario(
            f"burst web, {len(bookers)} on {fixtures.burst_seats} seats",
            [_web_booking(fixtures.web_burst, *cookies[pid]) for pid in bookers],
            302,
            "raw",
            once=True,
            slowest_within_s=BURST_ANSWERED_WITHIN_S,
            connections=burst_connections,
            warm_up=False,
        )
    )
    bookers = api_people[: min(burst_bookers, len(api_people))]
    scenarios.append(
        Scenario(
            f"burst API, {len(bookers)} on {fixtures.burst_seats} seats",
            [_api_booking(fixtures.api_burst, fixtures.tokens[pid]) for pid in bookers],
            201,
            "raw",
            once=True,
            slowest_within_s=BURST_ANSWERED_WITHIN_S,
            connections=burst_connections,
            warm_up=False,
        )
    )
    return scenarios


def _web_booking(session_id: int, cookie: str, csrf: str) -> Request:
    body = urllib.parse.urlencode({"csrf_token": csrf, "request_key": secrets.token_urlsafe(16)})
    return Request(
        "POST", f"/sessions/{session_id}/book", {**_cookie(cookie), "Content-Type": FORM}, body
    )


def _api_booking(session_id: int, token: str) -> Request:
    return Request(
        "POST",
        f"/api/v1/sessions/{session_id}/bookings",
        {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": secrets.token_urlsafe(16),
            "User-Agent": USER_AGENT,
        },
        "{}",
    )


def _feed_scenarios(app: Flask, fixtures: Fixtures) -> list[Scenario]:
    """The personal calendar feed (issue 4): fresh, and answered 304 to a revalidation.

    Its contract: `app.calendar.feeds.ensure_feed_token(person) -> str`, and the feed
    at GET /calendar/feed/<token>.ics with ETag or Last-Modified.
    """
    biggest = max(fixtures.feed_people)
    sizes = sorted(fixtures.feed_people, reverse=True)  # 1,000 events first

    def feed(events: int, expect: int, target=None, token=None) -> Scenario:
        name = f"feed {events:,} events" + (", 304" if expect == 304 else "")
        requests = [Request("GET", f"/calendar/feed/{token}.ics", {"User-Agent": USER_AGENT})]
        return Scenario(
            name,
            requests,
            expect,
            "hello",
            target,
            growth=name == "feed 1,000 events",
            serves=(lambda bodies: feed_events(bodies, events)) if expect == 200 else None,
        )

    def cold(token=None) -> Scenario:
        """The feed built from nothing, as after any change or on a new day, against
        Radicale serving the same events (bench/radicale.py).

        Its server runs with the real setting FEED_CACHE_BYTES=0, given through the
        environment as a deployment would (TCB_FEED_CACHE_BYTES): no worker keeps a
        built feed, so every request builds it. That is honest for one person polled
        again and again; a different person for each request would need hundreds of
        people with 1,000 events each in every data set. The events' stored texts are
        there, as they are after a change for all but the changed event."""
        scenario = feed(biggest, 200, token=token)  # its target: run.print_summary
        scenario.name, scenario.baseline, scenario.growth = COLD_FEED, "radicale", False
        scenario.server_env = {"TCB_FEED_CACHE_BYTES": "0"}
        return scenario

    try:
        from app.calendar.feeds import ensure_feed_token
    except ImportError:
        reason = "not available yet (no app.calendar.feeds.ensure_feed_token)"
        scenarios = [feed(n, 200) for n in sizes] + [cold(), feed(biggest, 304, 0.60)]
        for scenario in scenarios:
            scenario.requests, scenario.skip = [], reason
        return scenarios
    with app.app_context():
        people = {n: db.session.get(Person, fixtures.feed_people[n]) for n in sizes}
        tokens = {n: ensure_feed_token(person) for n, person in people.items()}
        db.session.commit()
        db.session.remove()
    return [feed(n, 200, token=tokens[n]) for n in sizes] + [
        cold(tokens[biggest]),
        feed(biggest, 304, 0.60, token=tokens[biggest]),
    ]


DASHBOARD_P50_MS = 100.0  # issue 20: an uncached render at 100,000 bookings
# A heatmap cell: "<booked>/<offered> platser bokade" in its title (Swedish, the default).
HEAT_CELL = re.compile(rb'<td class="heat-\d" title="(\d+)/(\d+) ')


def dashboard_seats(app: Flask) -> int:
    """Seats booked in the sessions of the weeks the dashboard shows by default.

    Counted here from the sessions themselves, so that a page that lost its figures
    (or served an error in a 200) does not pass: the last twelve ISO weeks and the
    coming four, as app/views/reports.py shows them, at the test centers of the first
    project's counties (the project the page shows first; in the standard sets every
    center).
    """
    monday = _today() - timedelta(days=_today().weekday())
    first = day_start(monday - timedelta(weeks=WEEKS_BACK))
    end = day_start(monday + timedelta(weeks=WEEKS_AHEAD + 1))
    with app.app_context():
        centers = report_services.project_centers(report_services.get_project(None))
        seats = db.session.scalar(
            select(func.coalesce(func.sum(ValidationSession.seats_taken), 0)).where(
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.starts_at >= first,
                ValidationSession.starts_at < end,
                ValidationSession.center_id.in_(centers),
            )
        )
        db.session.remove()
    return int(seats)


def dashboard_figures(bodies: list[bytes], booked: int) -> tuple[bool, str]:
    """Whether every dashboard's heatmap adds up to the seats booked in its weeks."""
    found = set()
    for body in bodies:
        cells = HEAT_CELL.findall(body)
        found.add((sum(int(b) for b, _offered in cells), len(cells), len(body)))
    what = ", ".join(
        f"{seats:,} seats booked in {cells:,} center-weeks, {size:,} bytes"
        for seats, cells, size in sorted(found)
    )
    return {seats for seats, _cells, _size in found} == {booked}, f"{what} (expected {booked:,})"


def feed_events(bodies: list[bytes], expected: int) -> tuple[bool, str]:
    """Whether every feed holds the events its scenario's name says."""
    counts = sorted({body.count(b"BEGIN:VEVENT") for body in bodies})
    sizes = sorted({len(body) for body in bodies})
    what = f"{', '.join(f'{c:,}' for c in counts)} events a feed, {sizes[-1]:,} bytes"
    return counts == [expected], what


def preflight(base_url: str, scenario: Scenario) -> tuple[bool, str]:
    """Send the scenario's first request once; say whether it answers as expected.

    A feed's 304 scenario learns its validators here (ETag, Last-Modified) and sends
    them with every request. The request is taken off the list, so a booking is not
    sent twice.
    """
    first = scenario.requests[0]
    status, headers, body = send(base_url, first)
    if scenario.expect == 304:
        if status != 200:
            return False, f"answers {status}"
        validators = {}
        if etag := headers.get("etag"):
            validators["If-None-Match"] = etag
        if modified := headers.get("last-modified"):
            validators["If-Modified-Since"] = modified
        if not validators:
            return False, "no ETag or Last-Modified"
        scenario.requests = [
            Request(r.method, r.path, {**r.headers, **validators}, r.body)
            for r in scenario.requests
        ]
        status, _headers, body = send(base_url, scenario.requests[0])
    elif first.method == "POST":
        scenario.requests = scenario.requests[1:]
    if status != scenario.expect:
        return False, f"answers {status}, not {scenario.expect}: {body[:200]!r}"
    if status == 302 and headers.get("location", "").find("/login") >= 0:
        return False, "redirects to the sign-in page"
    if scenario.serves is not None:
        wanted = scenario.serves_sample or SERVES_SAMPLE
        sample = scenario.requests[:: max(1, len(scenario.requests) // wanted)]
        bodies = [send(base_url, request)[2] for request in sample[:wanted]]
        ok, what = scenario.serves(bodies)
        if not ok:
            return False, what
        scenario.notes.append(f"serves: {what}")
    return True, ""


def send(base_url: str, request: Request) -> tuple[int, dict, bytes]:
    parsed = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    try:
        conn.request(
            request.method, request.path, body=request.body or None, headers=request.headers
        )
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, body
    finally:
        conn.close()


@dataclass
class SeatCheck:
    session_id: int
    seats: int
    seats_taken: int
    holding_seat: int
    waitlisted: int
    waitlist_ok: bool
    doubles: int

    @property
    def ok(self) -> bool:
        return (
            self.seats_taken <= self.seats
            and self.holding_seat == self.seats_taken
            and self.waitlist_ok
            and self.doubles == 0
        )

    def __str__(self) -> str:
        verdict = "no seat oversold" if self.ok else "OVERSOLD OR INCONSISTENT"
        return (
            f"session {self.session_id}: {self.seats} seats, {self.holding_seat} booked "
            f"(seats_taken {self.seats_taken}), {self.waitlisted} on the waitlist "
            f"(numbers {'1..n without gaps or twins' if self.waitlist_ok else 'BROKEN'}), "
            f"{self.doubles} people booked twice: {verdict}"
        )


def check_seats(app: Flask, session_id: int) -> SeatCheck:
    """Read back a session after a burst: is any seat sold twice?"""
    with app.app_context():
        session_row = db.session.get(ValidationSession, session_id)
        rows = db.session.execute(
            select(Booking.employee_id, Booking.status, Booking.waitlist_number).where(
                Booking.session_id == session_id, Booking.status != "cancelled"
            )
        ).all()
        numbers = sorted(r.waitlist_number for r in rows if r.status == "waitlisted")
        people = [r.employee_id for r in rows]
        check = SeatCheck(
            session_id=session_id,
            seats=session_row.seats,
            seats_taken=session_row.seats_taken,
            holding_seat=sum(r.status == "confirmed" for r in rows),
            waitlisted=len(numbers),
            waitlist_ok=numbers == list(range(1, len(numbers) + 1)),
            doubles=len(people) - len(set(people)),
        )
        db.session.remove()
    return check


def bookings_in(app: Flask, session_ids: list[int]) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Booking.id)).where(Booking.session_id.in_(session_ids))
        )
        db.session.remove()
    return count


UPLOAD_BYTES = 10_000_000  # issue 20: a worker's memory target holds with a 10 MB upload


def upload_employee_lists(app: Flask, base_url: str, coordinator: int, count: int) -> str:
    """Upload `count` employee lists of 10 MB at once, as a coordinator (the import's
    form with its CSRF token), before the workers' peak memory is read; say what
    they were answered. The import takes lists up to EMPLOYEE_CSV_MAX_BYTES and says
    so for a bigger one: the upload is still received and parsed by the worker."""
    cookie, csrf = signed_in(app, [coordinator])[coordinator]
    row = "Anna Andersson;anna.{n}@bench.example.se;070-123 45 67;Valsverket\r\n"
    lines, size, n = ["namn;e-post;telefon;avdelning\r\n"], 0, 0
    while size < UPLOAD_BYTES:
        lines.append(row.format(n=n))
        size += len(lines[-1])
        n += 1
    boundary = "benchboundary" + secrets.token_hex(8)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="medarbetare.csv"\r\nContent-Type: text/csv\r\n\r\n'
        + "".join(lines)
        + f"\r\n--{boundary}--\r\n"
    ).encode()
    headers = {**_cookie(cookie), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    answers: list[tuple[int, bytes]] = []

    def upload():
        parsed = urllib.parse.urlsplit(base_url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        try:
            conn.request("POST", "/company/employees/import", body=body, headers=headers)
            response = conn.getresponse()
            answers.append((response.status, response.read()))
        finally:
            conn.close()

    threads = [threading.Thread(target=upload) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted({status for status, _body in answers})
    refused = sum("för stor".encode() in body for _status, body in answers)
    return (
        f"{len(answers)} uploads of {len(body) / 1e6:.1f} MB, answered {statuses}"
        f" ({refused} saying the list is too big)"
    )

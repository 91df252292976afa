"""A data set of a chosen number of bookings, loaded fast with bulk inserts.

Everything grows in proportion to the bookings (per 10,000 bookings: 20 test
centers, 100 companies, 2,500 employees, 40 testledare, 1,428 sessions over the
past nine months and the coming three), like a national rollout would: more centers
and people over the same calendar. Rows are inserted with SQLAlchemy Core,
thousands per statement, into a database the migrations have just built.

These sets stay in the two northern counties (county codes 24 and 25, their 29
municipalities), where the project began, so that their figures compare with earlier
runs whatever regions the database holds; every company takes part in the regional
project. The national set (`national()`) is one fixed size instead: all municipalities,
150 test centers, 3,000 validations a year for ten years (30,000 bookings, nearly all
of them past), 1,000 companies, 20,000 employees, 300 testledare and several regional
funding projects, each company taking part in those of its county.

Beside that data the set holds the benchmark's own rows, the same at every size:
sessions with plenty of seats to book, one session per burst, a project admin (who
sees every project), and two employees with 1,000 and 10 bookings for the calendar
feed scenarios.
"""

import contextlib
import hashlib
import io
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from app import create_app, schema_migrations
from app.accounts.models import Company, Person, RoleGrant
from app.accounts.orgnr import with_check_digit
from app.api.models import ApiToken
from app.bookings.models import Booking, BookingEvent
from app.calendar import events as calendar_events
from app.calendar.models import CalendarEntry
from app.centers.models import CenterWorkstation, OpeningHours, TestCenter, WorkstationKind
from app.db import utcnow
from app.extensions import db
from app.projects.models import FundingProject, ProjectCompany, ProjectTarget
from app.regions.models import County, Municipality
from app.results.models import AreaOutcome, ModelArea
from app.schedule.models import AssessorAuthorisation, ValidationModel, ValidationSession
from app.timeutil import local_date, local_to_utc

PASSWORD = "bench1234"
WORKSTATIONS = {
    "computer": 12,
    "welding_booth": 6,
    "automation_station": 6,
    "maintenance_station": 6,
    "cnc_machine": 4,
}
# How often each model is booked: the BAS models and welding most.
MODEL_WEIGHTS = {
    "industriteknik-bas": 30,
    "automation-bas": 10,
    "underhall-bas": 10,
    "svets-vit": 12,
    "svets-gron": 8,
    "svets-bla": 5,
    "svets-svart": 3,
    "cnc-teknik": 8,
    "gruvteknik": 14,
}
PAST_DAYS, FUTURE_DAYS = 270, 90
NORTHERN_COUNTIES = ("24", "25")  # Västerbotten and Norrbotten: the standard sets' region
FEED_EVENTS = (1000, 10)
FEED_DAYS_BACK = 89  # inside the app's FEED_PAST_DAYS (90)
PLENTY = 1_000_000  # seats of the "seats plentiful" sessions
CHUNK = 5000


@dataclass
class Fixtures:
    """Ids of the rows the scenarios use."""

    project_admin: int = 0
    coordinator: int = 0  # of the first company: uploads an employee list
    employees: list[int] = field(default_factory=list)
    tokens: dict[int, str] = field(default_factory=dict)  # employee id: API token
    web_sessions: list[int] = field(default_factory=list)  # plenty of seats
    api_sessions: list[int] = field(default_factory=list)
    web_burst: int = 0
    api_burst: int = 0
    burst_seats: int = 0
    feed_people: dict[int, int] = field(default_factory=dict)  # events: person id


@dataclass(frozen=True)
class Shape:
    """What a data set holds: its people and places, and the days its sessions span."""

    name: str  # "10,000" (bookings) or "national"
    bookings: int
    centers: int
    companies: int
    employees: int
    assessors: int
    sessions: int
    past_days: int = PAST_DAYS
    future_days: int = FUTURE_DAYS
    national: bool = False  # every municipality and several projects, not the north alone


def proportions(bookings: int) -> dict[str, int]:
    scale = bookings / 10_000
    return {
        "centers": max(2, round(20 * scale)),
        "companies": max(4, round(100 * scale)),
        "employees": max(100, bookings // 4),
        "assessors": max(4, round(40 * scale)),
        "sessions": max(20, bookings // 7),
    }


def standard(bookings: int) -> Shape:
    """The sets of `--sizes`: the north's 29 municipalities, a year of sessions."""
    return Shape(f"{bookings:,}", bookings, **proportions(bookings))


NATIONAL_YEARS = 10
NATIONAL_PER_YEAR = 3000  # validations a year across the country


def national(scale: float = 1.0) -> Shape:
    """The national set: every municipality, 150 centers, 3,000 validations a year for
    ten years, the last three months of them still to come. `scale` shrinks the people,
    places and bookings (not the municipalities or the span) for the test suite."""
    bookings = round(NATIONAL_YEARS * NATIONAL_PER_YEAR * scale)
    days = (date(2030, 1, 1) - date(2020, 1, 1)).days  # ten years with their leap days
    return Shape(
        "national" if scale == 1 else f"national ×{scale:g}",
        bookings,
        centers=max(2, round(150 * scale)),
        companies=max(4, round(1000 * scale)),
        employees=max(100, round(20_000 * scale)),
        assessors=max(4, round(300 * scale)),
        sessions=max(20, bookings // 7),  # as the standard sets: about 7 bookings a session
        past_days=days - FUTURE_DAYS,
        future_days=FUTURE_DAYS,
        national=True,
    )


@dataclass
class DataSet:
    url: str
    size: int  # bookings
    counts: dict[str, int]
    fixtures: Fixtures
    seconds: float = 0.0
    shape: Shape | None = None
    first_day: date | None = None  # of the sessions that hold the bookings
    last_day: date | None = None

    @property
    def label(self) -> str:
        """What the set is, for the run's output."""
        if self.shape is None or not self.shape.national:
            return f"{self.size:,} bookings"
        years = ((self.last_day - self.first_day).days + 1) / 365.25
        return (
            f"{self.shape.name}: {self.counts['municipalities']:,} municipalities, "
            f"{self.counts['centers']:,} centers, {self.counts['bookings']:,} bookings "
            f"over {years:.0f} years"
        )


class _Loader:
    def __init__(self, connection):
        self.connection = connection
        self.next_ids: dict[str, int] = {}

    def ids(self, table, count: int) -> range:
        """Reserve ids for rows we insert with explicit keys."""
        name = table.name
        if name not in self.next_ids:
            current = self.connection.scalar(select(func.max(table.c.id))) or 0
            self.next_ids[name] = current + 1
        first = self.next_ids[name]
        self.next_ids[name] = first + count
        return range(first, first + count)

    def insert(self, table, rows: list[dict]) -> None:
        for start in range(0, len(rows), CHUNK):
            self.connection.execute(insert(table), rows[start : start + CHUNK])

    def fix_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids we chose."""
        if self.connection.dialect.name != "postgresql":
            return
        for name in self.next_ids:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            )


def build(url: str, size: int | Shape, burst_seats: int = 20, seed: int = 1) -> DataSet:
    """Migrate a fresh database at `url` and load `size` bookings (or a Shape) into it."""
    import time as clock

    shape = standard(size) if isinstance(size, int) else size
    started = clock.monotonic()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-loader"})
    schema_migrations.bind(app)
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            upgrade()
        with db.engine.begin() as connection:
            fixtures, counts, span = _load(
                _Loader(connection), shape, burst_seats, random.Random(seed)
            )
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after such a load, done now rather than while
            # the first scenario is measured (a search page once ran at a quarter of
            # its speed then). SQLite gets no ANALYZE: the app never runs one, so its
            # planner works without statistics.
            autocommit = db.engine.execution_options(isolation_level="AUTOCOMMIT")
            with autocommit.connect() as connection:
                connection.execute(text("VACUUM ANALYZE"))
                connection.execute(text("CHECKPOINT"))  # the load's writes, to disk now
        db.engine.dispose()
    seconds = clock.monotonic() - started
    return DataSet(url, shape.bookings, counts, fixtures, seconds, shape, *span)


def _load(loader: _Loader, shape: Shape, burst_seats: int, rng: random.Random):
    c = loader.connection
    now = utcnow()
    today = local_date(now)
    size = shape.bookings
    want = {
        "centers": shape.centers,
        "companies": shape.companies,
        "employees": shape.employees,
        "assessors": shape.assessors,
        "sessions": shape.sessions,
    }
    first_day = today - timedelta(days=shape.past_days)
    valid_from = min(date(2020, 1, 1), first_day)  # accreditations and authorisations
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    places = Places(c, national=shape.national)
    municipalities = places.ids
    center_places = places.for_centers(want["centers"])
    company_places = places.for_companies()
    kinds = dict(c.execute(select(WorkstationKind.code, WorkstationKind.id)).all())
    kind_codes = {v: k for k, v in kinds.items()}
    models = {m.code: m for m in c.execute(select(ValidationModel.__table__)).all()}
    areas: dict[int, list[int]] = {}
    for model_id, area_id in c.execute(
        select(ModelArea.model_id, ModelArea.area_id).order_by(ModelArea.position)
    ):
        areas.setdefault(model_id, []).append(area_id)

    # Test centers, their workstations and opening hours.
    center_ids = loader.ids(TestCenter.__table__, want["centers"])
    loader.insert(
        TestCenter.__table__,
        [
            {
                "id": cid,
                "name": f"Bench testcenter {cid}",
                "municipality_id": center_places[i % len(center_places)],
                "street_address": f"Verkstadsgatan {i + 1}",
                "postal_code": "972 31",
                "postal_town": places.names[center_places[i % len(center_places)]]
                if shape.national
                else "Luleå",
                "contact_name": "Kim Kontakt",
                "contact_email": f"center{cid}@bench.example.se",
                "accredited_from": valid_from,
                "accredited_to": date(2035, 12, 31),
            }
            for i, cid in enumerate(center_ids)
        ],
    )
    loader.insert(
        CenterWorkstation.__table__,
        [
            {"id": wid, "center_id": cid, "kind_id": kinds[code], "count": count}
            for (cid, (code, count)), wid in zip(
                [(cid, item) for cid in center_ids for item in WORKSTATIONS.items()],
                loader.ids(CenterWorkstation.__table__, len(center_ids) * len(WORKSTATIONS)),
                strict=True,
            )
        ],
    )
    loader.insert(
        OpeningHours.__table__,
        [
            {"id": oid, "center_id": cid, "weekday": day, "opens": time(7), "closes": time(18)}
            for (cid, day), oid in zip(
                [(cid, day) for cid in center_ids for day in range(5)],
                loader.ids(OpeningHours.__table__, len(center_ids) * 5),
                strict=True,
            )
        ],
    )

    # Companies, with a coordinator each, and their employees.
    company_ids = loader.ids(Company.__table__, want["companies"])
    loader.insert(
        Company.__table__,
        [
            {
                "id": cid,
                "name": f"Bench industri {cid} AB",
                "org_number": with_check_digit(f"559{cid:06d}"),
                "municipality_id": company_places[cid % len(company_places)],
                "industry": ("steel", "metal")[cid % 2],
            }
            for cid in company_ids
        ],
    )
    people, grants = [], []

    def person(role: str, company_id=None, name=None) -> int:
        pid = loader.ids(Person.__table__, 1)[0]
        people.append(
            {
                "id": pid,
                "name": name or f"Bench {role} {pid}",
                "email": f"bench{pid}@bench.example.se",
                "phone": None,
                "password_hash": password_hash,
                "company_id": company_id,
                "home_center_id": None,
                "active": True,
                "created_at": now,
            }
        )
        grants.append({"person_id": pid, "role": role, "center_id": None})
        return pid

    coordinators = [person("coordinator", cid) for cid in company_ids]
    employees = [
        person("employee", company_ids[i % len(company_ids)]) for i in range(want["employees"])
    ]
    assessors = [person("assessor") for _ in range(want["assessors"])]
    project_admin = person("project_admin", name="Bench projektadmin")
    feed_assessor = person("assessor")
    feed_people = {events: person("employee", company_ids[0]) for events in FEED_EVENTS}
    loader.insert(Person.__table__, people)
    for grant, gid in zip(grants, loader.ids(RoleGrant.__table__, len(grants)), strict=True):
        grant["id"] = gid
    loader.insert(RoleGrant.__table__, grants)
    authorisations = [
        (pid, model.id) for pid in [*assessors, feed_assessor] for model in models.values()
    ]
    loader.insert(
        AssessorAuthorisation.__table__,
        [
            {
                "id": aid,
                "person_id": pid,
                "model_id": mid,
                "valid_from": valid_from,
                "valid_to": date(2035, 12, 31),
            }
            for (pid, mid), aid in zip(
                authorisations,
                loader.ids(AssessorAuthorisation.__table__, len(authorisations)),
                strict=True,
            )
        ],
    )

    # Sessions over the past nine months (the national set: nine years and nine months)
    # and the coming three, weekdays, 08 or 13.
    sessions, bookings, events, outcomes = [], [], [], []
    codes = list(MODEL_WEIGHTS)
    weights = [MODEL_WEIGHTS[code] for code in codes]

    def session(day, hour, model, center_id, assessor_id, seats) -> dict:
        starts = local_to_utc(day, time(hour))
        row = {
            "id": loader.ids(ValidationSession.__table__, 1)[0],
            "center_id": center_id,
            "model_id": model.id,
            "assessor_id": assessor_id,
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=model.theory_minutes + model.practical_minutes),
            "seats": seats,
            "seats_taken": 0,
            "waitlist_counter": 0,
            "status": "scheduled",
            "support_seats": None,
            "created_at": starts - timedelta(days=100),
        }
        sessions.append(row)
        return row

    def book(row: dict, employee_id: int, status: str, assessor_id: int) -> None:
        bid = loader.ids(Booking.__table__, 1)[0]
        made = row["starts_at"] - timedelta(days=rng.randint(2, 60), minutes=rng.randint(0, 600))
        waitlist_number = None
        if status == "waitlisted":
            row["waitlist_counter"] += 1
            waitlist_number = row["waitlist_counter"]
        elif status != "cancelled":
            row["seats_taken"] += 1
        bookings.append(
            {
                "id": bid,
                "session_id": row["id"],
                "employee_id": employee_id,
                "status": status,
                "waitlist_number": waitlist_number,
                "booked_by_id": employee_id,
                "request_key": None,
                "moved_from_id": None,
                "created_at": made,
                "updated_at": made,
                "confirmed_at": None if status in ("waitlisted", "cancelled") else made,
                "cancelled_at": made + timedelta(days=1) if status == "cancelled" else None,
                "cancelled_by_id": employee_id if status == "cancelled" else None,
                "support_needs": "extra_time" if bid % 23 == 0 else "",
                "support_note": "",
                "checked_in_at": row["starts_at"] if status == "attended" else None,
                "result_comment": "",
            }
        )
        first = "waitlisted" if status == "waitlisted" else "booked"
        events.append({"booking_id": bid, "kind": first, "actor_id": employee_id, "at": made})
        if status in ("cancelled", "attended", "no_show"):
            kind = {"cancelled": "cancelled", "attended": "checked_in", "no_show": "no_show"}
            events.append(
                {
                    "booking_id": bid,
                    "kind": kind[status],
                    "actor_id": assessor_id,
                    "at": row["starts_at"],
                }
            )
        if status == "attended":
            for area_id in areas.get(row["model_id"], []):
                approved = rng.random() < 0.85
                outcomes.append(
                    {
                        "booking_id": bid,
                        "area_id": area_id,
                        "result": "approved" if approved else "not_yet",
                        "training": "" if approved else "Repetera området med handledare.",
                        "recorded_by_id": assessor_id,
                        "recorded_at": row["ends_at"],
                    }
                )

    span = shape.past_days + shape.future_days
    for i in range(want["sessions"]):
        day = first_day + timedelta(days=(i * span) // want["sessions"])
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)  # weekends move to the Friday
        model = models[rng.choices(codes, weights)[0]]
        kind = kind_codes[model.workstation_kind_id]
        seats = min(model.max_group_size, WORKSTATIONS[kind])
        assessor = assessors[i % len(assessors)]
        session(day, (8, 13)[i % 2], model, center_ids[i % len(center_ids)], assessor, seats)

    # Bookings: past sessions were attended (some no-shows), coming ones fill up and
    # some queue; a few were cancelled. Sessions in random order take bookings until
    # the set has exactly `size`.
    remaining = size
    for row in rng.sample(sessions, len(sessions)):
        if remaining <= 0:
            break
        past = row["starts_at"] < now
        seats = row["seats"]
        if past:
            plan = ["attended"] * (seats - rng.randint(0, 2))
            if plan and rng.random() < 0.5:
                plan[0] = "no_show"
        else:
            fill = rng.choice((0.3, 0.6, 0.9, 1.0, 1.0))
            plan = ["confirmed"] * round(seats * fill)
            if fill == 1.0:
                plan += ["waitlisted"] * rng.randint(1, 4)
        plan += ["cancelled"] * rng.randint(0, 2)
        plan = plan[:remaining]
        remaining -= len(plan)
        for status, employee_id in zip(plan, rng.sample(employees, len(plan)), strict=True):
            book(row, employee_id, status, row["assessor_id"])
    counts = {
        "municipalities": len(municipalities),
        **{k: v for k, v in want.items() if k != "sessions"},
        "sessions": len(sessions),
        "bookings": len(bookings),
    }
    booked = {b["session_id"] for b in bookings}
    days = [local_date(row["starts_at"]) for row in sessions if row["id"] in booked]
    span_days = (min(days, default=today), max(days, default=today))

    # The benchmark's own rows, the same at every size. The same people book them all,
    # and nobody may hold two at the same time: each has a time of its own, on weekend
    # days (the generated sessions keep to weekdays, so no booking of theirs clashes),
    # after the dashboard's coming four weeks and inside the 90 days booking is open.
    center, industri = center_ids[0], models["industriteknik-bas"]
    slots = iter(
        (day, hour)
        for day in (today + timedelta(days=n) for n in range(36, 89))
        if day.weekday() >= 5
        for hour in range(6, 21, 3)  # 3-hour sessions, one after the other
    )

    def bench_session(assessor_id, seats) -> int:
        day, hour = next(slots)
        return session(day, hour, industri, center, assessor_id, seats)["id"]

    web_sessions = [bench_session(assessors[0], PLENTY) for _ in range(31)]
    api_sessions = [bench_session(assessors[0], PLENTY) for _ in range(31)]
    web_burst = bench_session(assessors[1], burst_seats)
    api_burst = bench_session(assessors[1], burst_seats)
    # Every feed event inside the feed's window (FEED_PAST_DAYS back), so that "a feed
    # of 1,000 events" serves 1,000; up to twelve a day, all past, so that they add
    # nothing to the searches.
    for events_wanted, pid in feed_people.items():
        per_day = -(-events_wanted // (FEED_DAYS_BACK - 2))
        for n in range(events_wanted):
            day = today - timedelta(days=FEED_DAYS_BACK - 1 - n // per_day)
            row = session(day, 7 + n % per_day, industri, center, feed_assessor, 12)
            book(row, pid, "attended" if row["starts_at"] < now else "confirmed", feed_assessor)

    loader.insert(ValidationSession.__table__, sessions)
    loader.insert(Booking.__table__, bookings)
    entries = calendar_entries(loader, sessions, bookings)
    loader.insert(CalendarEntry.__table__, entries)
    for row, eid in zip(events, loader.ids(BookingEvent.__table__, len(events)), strict=True):
        row.update(id=eid, staff_override=False, note="")
    loader.insert(BookingEvent.__table__, events)
    for row, oid in zip(outcomes, loader.ids(AreaOutcome.__table__, len(outcomes)), strict=True):
        row["id"] = oid
    loader.insert(AreaOutcome.__table__, outcomes)

    # API tokens for the employees who book through the API (only hashes are stored).
    tokens = {pid: f"tcb_bench{pid}_{secrets.token_urlsafe(12)}" for pid in employees[:5000]}
    token_rows = [
        {
            "id": tid,
            "person_id": pid,
            "name": "bench",
            "token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "prefix": token[:10],
            "created_at": now,
            "revoked_at": None,
        }
        for (pid, token), tid in zip(
            tokens.items(), loader.ids(ApiToken.__table__, len(tokens)), strict=True
        )
    ]
    loader.insert(ApiToken.__table__, token_rows)
    projects, taking_part = _projects(loader, places, company_ids, company_places, today)
    loader.fix_sequences()
    counts.update(booking_events=len(events), outcomes=len(outcomes), calendar_entries=len(entries))
    counts.update(funding_projects=projects, project_companies=taking_part)
    fixtures = Fixtures(
        project_admin=project_admin,
        coordinator=coordinators[0],
        employees=employees,
        tokens=tokens,
        web_sessions=web_sessions,
        api_sessions=api_sessions,
        web_burst=web_burst,
        api_burst=api_burst,
        burst_seats=burst_seats,
        feed_people={events: pid for events, pid in feed_people.items()},
    )
    return fixtures, counts, span_days


# The seats of the counties (residensstäder), by their municipalities' names: the national
# set's first test centers and a larger share of its companies.
COUNTY_SEATS = (
    "Stockholm", "Uppsala", "Nyköping", "Linköping", "Jönköping", "Växjö", "Kalmar",
    "Gotland", "Karlskrona", "Malmö", "Halmstad", "Göteborg", "Karlstad", "Örebro",
    "Västerås", "Falun", "Gävle", "Härnösand", "Östersund", "Umeå", "Luleå",
)  # fmt: skip
SEAT_WEIGHT = 5  # a county seat's share of the companies, against 1 for another municipality
# The national set's funding projects besides the regional one (migration 0102, counties
# 24 and 25): the other 19 counties in four regions, by county code.
REGIONAL_PROJECTS = {
    "Industrivalidering Mälardalen": ("01", "03", "04", "18", "19"),
    "Industrivalidering Sydost": ("05", "06", "07", "08", "09", "10"),
    "Industrivalidering Väst och Syd": ("12", "13", "14", "17"),
    "Industrivalidering Mitt": ("20", "21", "22", "23"),
}


class Places:
    """The municipalities a set spreads over: the north's alone, or every one (national)."""

    def __init__(self, connection, national: bool):
        query = (
            select(Municipality.id, Municipality.name, County.code)
            .join(County, Municipality.county_id == County.id)
            .order_by(Municipality.id)
        )
        if not national:
            query = query.where(County.code.in_(NORTHERN_COUNTIES))
        rows = connection.execute(query).all()
        self.national = national
        self.ids = [row.id for row in rows]
        self.names = {row.id: row.name for row in rows}
        self.county = {row.id: row.code for row in rows}
        self.seats = [row.id for row in rows if row.name in COUNTY_SEATS]

    def for_centers(self, count: int) -> list[int]:
        """Where the centers are: the north's municipalities in turn; nationally one
        center in each of `count` municipalities, the county seats first and then each
        county's municipalities in id order, the counties taking turns."""
        if not self.national:
            return self.ids
        by_county: dict[str, list[int]] = {}
        for mid in self.ids:
            if mid not in self.seats:
                by_county.setdefault(self.county[mid], []).append(mid)
        order = list(self.seats)
        queues = [by_county[code] for code in sorted(by_county)]
        while any(queues):
            order += [queue.pop(0) for queue in queues if queue]
        return order[:count] if count <= len(order) else order

    def for_companies(self) -> list[int]:
        """Where the companies are, taken in turn: every municipality, the county seats
        SEAT_WEIGHT times."""
        if not self.national:
            return self.ids
        return self.ids + [mid for mid in self.seats for _ in range(SEAT_WEIGHT - 1)]


def _projects(loader: _Loader, places: Places, company_ids, company_places, today):
    """Funding projects and who takes part: (projects, project_company rows).

    The standard sets: every company takes part in the regional project (the first one,
    migration 0102). The national set: besides it, a project for each of four other
    regions, with targets for both industries in each county, and every company taking
    part in the projects of its county (the regional one: Västerbotten and Norrbotten).
    """
    c = loader.connection
    regional = c.scalar(select(func.min(FundingProject.id)))
    county_ids = dict(c.execute(select(County.code, County.id)).all())
    company_county = {
        cid: places.county[company_places[cid % len(company_places)]] for cid in company_ids
    }
    taking_part = {(regional, cid) for cid in company_ids if not places.national}
    projects = 1
    if places.national:
        taking_part = {
            (regional, cid) for cid, code in company_county.items() if code in NORTHERN_COUNTIES
        }
        counts: dict[tuple[str, str], int] = {}
        for cid, code in company_county.items():
            key = (code, ("steel", "metal")[cid % 2])
            counts[key] = counts.get(key, 0) + 1
        for name, codes in REGIONAL_PROJECTS.items():
            codes = [code for code in codes if code in county_ids]
            if not codes:
                continue  # a database without that region's counties
            project_id = loader.ids(FundingProject.__table__, 1)[0]
            loader.insert(
                FundingProject.__table__,
                [
                    {
                        "id": project_id,
                        "name": name,
                        "starts_on": date(today.year - 2, 1, 1),
                        "ends_on": date(today.year + 1, 12, 31),
                    }
                ],
            )
            targets = [(code, industry) for code in codes for industry in ("steel", "metal")]
            loader.insert(
                ProjectTarget.__table__,
                [
                    {
                        "id": tid,
                        "project_id": project_id,
                        "county_id": county_ids[code],
                        "industry": industry,
                        # Half of the set's companies there, ten employees each.
                        "companies": max(1, counts.get((code, industry), 0) // 2),
                        "employees": 10 * max(1, counts.get((code, industry), 0) // 2),
                    }
                    for (code, industry), tid in zip(
                        targets, loader.ids(ProjectTarget.__table__, len(targets)), strict=True
                    )
                ],
            )
            taking_part |= {
                (project_id, cid) for cid, code in company_county.items() if code in codes
            }
            projects += 1
    loader.insert(
        ProjectCompany.__table__,
        [{"project_id": pid, "company_id": cid} for pid, cid in sorted(taking_part)],
    )
    return projects, len(taking_part)


def calendar_entries(loader: _Loader, sessions: list[dict], bookings: list[dict]) -> list[dict]:
    """The calendar entries the app keeps (app/calendar/notify.py): one for each seat
    ever held and one for each session's testledare. Personal feeds are written from
    them; a feed without them would build every event anew, which the app never does."""
    seats = [b for b in bookings if b["confirmed_at"] is not None]
    rows = [
        {
            "uid": calendar_events.seat_uid(b["id"]),
            "role": "participant",
            "person_id": b["employee_id"],
            "session_id": b["session_id"],
            "booking_id": b["id"],
            "updated_at": b["confirmed_at"],
        }
        for b in seats
    ] + [
        {
            "uid": calendar_events.assessor_uid(s["id"], s["assessor_id"]),
            "role": "assessor",
            "person_id": s["assessor_id"],
            "session_id": s["id"],
            "booking_id": None,
            "updated_at": s["created_at"],
        }
        for s in sessions
    ]
    for row, entry_id in zip(rows, loader.ids(CalendarEntry.__table__, len(rows)), strict=True):
        seen = (row["uid"], row["session_id"], row["updated_at"])
        row.update(
            id=entry_id,
            sequence=0,
            fingerprint=hashlib.sha256(repr(seen).encode()).hexdigest(),
            cancelled=False,
        )
    return rows

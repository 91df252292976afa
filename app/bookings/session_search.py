"""Finding sessions to book: the search, one session, and others like a full one."""

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import Person
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import bookability_problems
from app.centers.models import TestCenter
from app.errors import NotFound
from app.extensions import db
from app.regions.models import Municipality
from app.regions.travel import travel_minutes_from
from app.schedule.models import ModelFamily, SessionStatus, ValidationModel, ValidationSession
from app.timeutil import day_start, local_date


@dataclass
class SessionFilters:
    model_id: int | None = None
    # One family covers all its models (any Svets level); with model_id, model_id wins.
    family_id: int | None = None
    county_id: int | None = None
    municipality_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    free_only: bool = False
    # Where the search starts from: sessions within max_minutes' travel (None: any),
    # closest first. `travel` holds the minutes from there to each municipality, loaded
    # once per page by with_travel (one query) and shared by every query of the page.
    from_municipality_id: int | None = None
    max_minutes: int | None = None
    travel: dict[int, int] | None = field(default=None, compare=False, repr=False)


def with_travel(filters: SessionFilters) -> SessionFilters:
    """The filters with the travel minutes from their starting place loaded (one query)."""
    if filters.from_municipality_id is None or filters.travel is not None:
        return filters
    with_centers = select(TestCenter.municipality_id)
    minutes = travel_minutes_from(filters.from_municipality_id, [], among=with_centers)
    return replace(filters, travel=minutes)


def _session_municipality():
    """The municipality of the session's center, to select or order by beside it."""
    return (
        select(TestCenter.municipality_id)
        .where(TestCenter.id == ValidationSession.center_id)
        .correlate(ValidationSession)
        .scalar_subquery()
    )


def travel_order(travel: dict[int, int]):
    """Minutes from the search's place to the session's municipality (SQL, to order by)."""
    if not travel:
        return literal(0)
    return case(travel, value=_session_municipality(), else_=10**6)


def waitlist_length_column():
    """A correlated count of the session's waitlist, to select beside each session."""
    return (
        select(func.count(Booking.id))
        .where(
            Booking.session_id == ValidationSession.id, Booking.status == BookingStatus.WAITLISTED
        )
        .correlate(ValidationSession)
        .scalar_subquery()
        .label("waitlist_length")
    )


def upcoming_sessions(filters: SessionFilters, now: datetime) -> Select:
    """Scheduled sessions that have not started, matching the filters, soonest first."""
    query = (
        select(ValidationSession, waitlist_length_column())
        .where(
            ValidationSession.status == SessionStatus.SCHEDULED, ValidationSession.starts_at > now
        )
        .options(
            # Loaded by a statement each rather than joined: PostgreSQL spent 10 ms
            # planning the eight-table join (1 ms running it) on every cache miss, and
            # the page's 20 sessions share a handful of centers and models.
            selectinload(ValidationSession.center)
            .joinedload(TestCenter.municipality)
            .joinedload(Municipality.county),
            selectinload(ValidationSession.model).joinedload(ValidationModel.family),
            # Only the testledare's name is shown: their roles load if something asks.
            selectinload(ValidationSession.assessor).lazyload(Person.role_grants),
        )
        .order_by(ValidationSession.starts_at, ValidationSession.id)
    )
    if filters.model_id:
        query = query.where(ValidationSession.model_id == filters.model_id)
    elif filters.family_id is not None:
        query = query.where(
            ValidationSession.model_id.in_(
                select(ValidationModel.id).where(ValidationModel.family_id == filters.family_id)
            )
        )
    # Places filter by the few centers there, not by a join per session: the page and
    # its count walk ix_validation_session_status_starts_at alone, which holds the
    # center and the model too.
    if filters.municipality_id:
        query = query.where(
            ValidationSession.center_id.in_(
                select(TestCenter.id).where(TestCenter.municipality_id == filters.municipality_id)
            )
        )
    if filters.county_id:
        query = query.where(
            ValidationSession.center_id.in_(
                select(TestCenter.id)
                .join(TestCenter.municipality)
                .where(Municipality.county_id == filters.county_id)
            )
        )
    if filters.date_from:
        query = query.where(ValidationSession.starts_at >= day_start(filters.date_from))
    if filters.date_to:
        query = query.where(
            ValidationSession.starts_at < day_start(filters.date_to + timedelta(days=1))
        )
    if filters.free_only:
        query = query.where(ValidationSession.seats_taken < ValidationSession.seats)
    if filters.from_municipality_id is not None:
        travel = with_travel(filters).travel
        if filters.max_minutes is not None:
            # Only the places within reach are ordered by: a CASE of a handful of
            # municipalities, not of every one with a test center in the country.
            travel = {m: minutes for m, minutes in travel.items() if minutes <= filters.max_minutes}
            query = query.where(
                ValidationSession.center_id.in_(
                    select(TestCenter.id).where(TestCenter.municipality_id.in_(travel))
                )
            )
        query = query.order_by(None).order_by(
            travel_order(travel), ValidationSession.starts_at, ValidationSession.id
        )
    return query


@dataclass
class Page:
    """One page of results, with what the pager needs."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_rows(query: Select, page: int, per_page: int) -> Page:
    """Run a select of several columns one page at a time."""
    total = db.session.scalar(
        select(func.count()).select_from(query.order_by(None).options().subquery())
    )
    page = min(max(page, 1), max(1, -(-total // per_page)))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=rows, page=page, per_page=per_page, total=total)


def get_session(session_id: int) -> tuple[ValidationSession, int]:
    """One session with its waitlist length, or NotFound."""
    row = db.session.execute(
        select(ValidationSession, waitlist_length_column())
        .where(ValidationSession.id == session_id)
        .options(
            joinedload(ValidationSession.center).joinedload(TestCenter.municipality),
            joinedload(ValidationSession.model).joinedload(ValidationModel.family),
            joinedload(ValidationSession.assessor).lazyload(Person.role_grants),
        )
    ).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


def nearby_alternatives(
    session: ValidationSession, now: datetime, limit: int = 5
) -> list[ValidationSession]:
    """Other sessions of the same model with a free seat that can be booked now.

    For someone who found a session full: the same municipality first, then the same
    county, then the other county, each soonest first. Sessions the rules would
    refuse (booking window, accreditation, authorisation) are left out, so every
    one offered can be booked with one click.
    """
    config = current_app.config
    distance = _place_rank(session.center.municipality)
    candidates = db.session.scalars(
        select(ValidationSession)
        .join(TestCenter, ValidationSession.center_id == TestCenter.id)
        .join(Municipality, TestCenter.municipality_id == Municipality.id)
        .where(
            ValidationSession.model_id == session.model_id,
            ValidationSession.id != session.id,
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationSession.seats_taken < ValidationSession.seats,
            ValidationSession.starts_at > now + timedelta(hours=config["BOOKING_CLOSES_HOURS"]),
            ValidationSession.starts_at <= now + timedelta(days=config["BOOKING_OPENS_DAYS"]),
        )
        .options(
            joinedload(ValidationSession.center)
            .joinedload(TestCenter.municipality)
            .joinedload(Municipality.county)
        )
        .order_by(distance, ValidationSession.starts_at, ValidationSession.id)
        # A few spare rows in case some fail the accreditation or authorisation check.
        .limit(limit * 4)
    ).all()
    problems = bookability_problems(candidates, now)
    return [s for s in candidates if problems[s.id] is None][:limit]


def _place_rank(here: Municipality):
    """0 for a center in `here`, 1 elsewhere in its county, 2 in another county (to
    order by, with TestCenter and Municipality joined)."""
    return case(
        (TestCenter.municipality_id == here.id, 0),
        (Municipality.county_id == here.county_id, 1),
        else_=2,
    )


def free_days(filters: SessionFilters, first: date, last: date, now: datetime) -> Counter:
    """How many sessions with a free seat start on each day from `first` to `last`
    (local days), for the filters' model, family and place; their dates and free_only
    are replaced by the month's days and free seats."""
    month = replace(filters, date_from=first, date_to=last, free_only=True)
    starts = db.session.scalars(
        upcoming_sessions(month, now)
        .with_only_columns(ValidationSession.starts_at)
        .order_by(None)
        .options()
    )
    return Counter(local_date(moment) for moment in starts)


@dataclass
class Alternative:
    """A search that finds something when the one asked for finds nothing.

    kind: "later" (the same model or family, the same place, after the period),
    "place" (the same model or family elsewhere in the period), "level" (another level
    of the model's family, the same place and period) or "family" (all its levels).
    """

    kind: str
    filters: SessionFilters
    count: int
    first: datetime
    model: ValidationModel | None = None
    family: ModelFamily | None = None
    municipality: Municipality | None = None


def _count_and_first(filters: SessionFilters, now: datetime) -> tuple[int, datetime | None]:
    query = upcoming_sessions(filters, now).order_by(None).options().subquery()
    count, first = db.session.execute(
        select(func.count(), func.min(query.c.starts_at)).select_from(query)
    ).one()
    return count, first


def search_alternatives(
    filters: SessionFilters, period_end: date | None, now: datetime, places: int = 3
) -> list[Alternative]:
    """The closest alternatives to a search that found nothing, each with a free seat:
    later dates, other places, and the family's other levels (see Alternative).

    Without a model or family there is nothing to stay close to but the place and the
    period: later dates only.
    """
    free = replace(filters, free_only=True)
    found: list[Alternative] = []

    def offer(kind: str, candidate: SessionFilters, **what) -> None:
        count, first = _count_and_first(candidate, now)
        if count:
            found.append(Alternative(kind, candidate, count, first, **what))

    model = db.session.get(ValidationModel, filters.model_id) if filters.model_id else None
    family = (
        db.session.get(ModelFamily, filters.family_id) if filters.family_id and not model else None
    )
    if period_end is not None:
        offer("later", replace(free, date_from=period_end + timedelta(days=1), date_to=None))
    if (model or family) and (
        filters.municipality_id or filters.county_id or filters.from_municipality_id
    ):
        offer_places = _other_places(free, now, places)
        for municipality in offer_places:
            offer(
                "place",
                # Farther than the reach asked for: the place itself is the filter.
                replace(free, municipality_id=municipality.id, county_id=None, max_minutes=None),
                municipality=municipality,
            )
    if model and model.family_id:
        for level in model.family.models:
            if level.id != model.id:
                offer("level", replace(free, model_id=level.id), model=level)
        offer(
            "family",
            replace(free, model_id=None, family_id=model.family_id),
            family=model.family,
        )
    return found


def _other_places(filters: SessionFilters, now: datetime, limit: int) -> list[Municipality]:
    """Municipalities outside the filters' place with matching sessions in the period:
    those of the same county first, each group by its soonest session."""
    if filters.municipality_id:
        here = db.session.get(Municipality, filters.municipality_id)
    else:
        here = None
    anywhere = replace(filters, municipality_id=None, county_id=None, max_minutes=None)
    sessions = upcoming_sessions(anywhere, now).order_by(None).options().subquery()
    query = (
        select(Municipality, func.min(sessions.c.starts_at).label("first"))
        .select_from(sessions)
        .join(TestCenter, TestCenter.id == sessions.c.center_id)
        .join(Municipality, Municipality.id == TestCenter.municipality_id)
        .group_by(Municipality.id)
    )
    if filters.from_municipality_id is not None and not (here or filters.county_id):
        # From a place: the closest municipalities beyond the reach asked for.
        travel = with_travel(filters).travel
        beyond = {
            m: minutes
            for m, minutes in travel.items()
            if m != filters.from_municipality_id
            and (filters.max_minutes is None or minutes > filters.max_minutes)
        }
        query = query.where(Municipality.id.in_(beyond)).order_by("first")
        found = list(db.session.scalars(query))
        found.sort(key=lambda m: beyond[m.id])
        return found[:limit]
    if here is not None:
        query = query.where(Municipality.id != here.id).order_by(
            case((Municipality.county_id == here.county_id, 0), else_=1), "first"
        )
    else:
        query = query.where(Municipality.county_id != filters.county_id).order_by("first")
    return list(db.session.scalars(query.limit(limit)))

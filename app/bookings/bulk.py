"""Booking a group of employees at once: where the whole group fits, and the booking.

The sessions offered come from the same search as a single booking's, closest to
the company first. The booking books each person with `book_seat`, so every rule,
lock, invite, waitlist place and audit entry is the single booking's; all of it is one unit of
work whose sessions are locked in id order (as a move locks two), so single bookings
racing it wait for it and none of them can oversell a seat.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Person
from app.bookings.models import Booking, BookingStatus
from app.bookings.services import (
    book_seat,
    bookability_problems,
    lock_holders,
    lock_session,
    may_book_for,
    no_longer_live,
    waitlist_positions,
)
from app.bookings.session_search import SessionFilters, upcoming_sessions, with_travel
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, InvalidInput
from app.extensions import db
from app.formatting import short_datetime
from app.schedule.models import ValidationSession

# More people than any company books at once would be a mistake, and would hold the
# sessions' locks too long.
MAX_GROUP = 500
TWICE = _l("Finns redan med en gång i samma bokning.")
NOT_YOURS = _l("Du kan inte boka åt alla de valda personerna.")
CANCELLED_SINCE = _l("Bokningen som formuläret gjorde är avbokad sedan dess.")
FORM_USED = _l(
    "Formuläret har redan använts och bokade ett annat tillfälle. Ladda om sidan för att "
    "välja igen."
)
# Sessions looked at for offers: the closest this many with a free seat.
CANDIDATES = 60


@dataclass(frozen=True)
class Offer:
    """A session to offer, and how many of the group it would take (all, for a fit)."""

    session: ValidationSession
    minutes: int | None  # travel from the company's municipality
    count: int


@dataclass
class GroupOffers:
    """Sessions that seat the whole group, closest first; else a split over several.

    `split` is filled only when no session fits everyone: the fewest sessions that
    seat the group together, of those the closest, each taking as many as it can.
    `short` is how many are left over when all of them together are still too few;
    they queue at the first part.
    """

    fits_all: list[Offer] = field(default_factory=list)
    split: list[Offer] = field(default_factory=list)
    short: int = 0


def group_offers(
    size: int,
    now: datetime,
    municipality_id: int,
    model_id: int | None = None,
    family_id: int | None = None,
    limit: int = 8,
) -> GroupOffers:
    """The sessions a group of `size` can book now, ordered by travel time from the
    company's municipality (then the soonest)."""
    filters = with_travel(
        SessionFilters(
            model_id=model_id,
            family_id=family_id,
            free_only=True,
            from_municipality_id=municipality_id,
        )
    )
    rows = db.session.execute(upcoming_sessions(filters, now).limit(CANDIDATES)).all()
    sessions = [row[0] for row in rows]
    problems = bookability_problems(sessions, now)
    bookable = [s for s in sessions if problems[s.id] is None]

    def minutes(session: ValidationSession) -> int | None:
        return filters.travel.get(session.center.municipality_id)

    offers = GroupOffers(
        fits_all=[Offer(s, minutes(s), size) for s in bookable if s.seats_left >= size][:limit]
    )
    if offers.fits_all or not bookable:
        return offers
    left = size
    for session in _fewest_sessions(bookable, size, minutes):
        if left == 0:
            break
        taken = min(left, session.seats_left)
        offers.split.append(Offer(session, minutes(session), taken))
        left -= taken
    if left:
        first = offers.split[0]
        offers.split[0] = Offer(first.session, first.minutes, first.count + left)
        offers.short = left
    return offers


# Closest sessions searched for the best split over the fewest; beyond SPLIT_SEARCH
# parts, the sessions with the most free seats are taken.
SPLIT_POOL, SPLIT_SEARCH = 16, 4


def _fewest_sessions(bookable: list[ValidationSession], size: int, minutes) -> list:
    """As few sessions as can seat `size` together, and of those sets the one with
    the least travel in all (the soonest on a tie); closest first."""
    roomiest = sorted(bookable, key=lambda s: -s.seats_left)
    fewest, room = 0, 0
    while room < size and fewest < len(roomiest):
        room += roomiest[fewest].seats_left
        fewest += 1
    chosen = roomiest[:fewest]
    if fewest <= SPLIT_SEARCH:
        sets = [
            parts
            for parts in combinations(bookable[:SPLIT_POOL], fewest)
            if sum(s.seats_left for s in parts) >= min(size, room)
        ]
        if sets:
            chosen = min(
                sets,
                key=lambda parts: (
                    sum(minutes(s) or 0 for s in parts),
                    max(s.starts_at for s in parts),
                ),
            )
    order = {s.id: n for n, s in enumerate(bookable)}  # closest first, then soonest
    return sorted(chosen, key=lambda s: order[s.id])


@dataclass(frozen=True)
class Skipped:
    """A person the group booking left out, why (for people) and its code (for clients)."""

    person: Person
    reason: str
    code: str | None


@dataclass
class GroupResult:
    """What became of each person: a seat, a waitlist place, or skipped and why."""

    seated: list[Booking] = field(default_factory=list)
    waitlisted: list[tuple[Booking, int]] = field(default_factory=list)  # with the place
    skipped: list[Skipped] = field(default_factory=list)


def _booked_on_model(person_id: int, model_id: int, now: datetime) -> Booking | None:
    """The person's live booking of the model in a session not yet ended, if any."""
    return db.session.scalar(
        select(Booking)
        .join(Booking.session)
        .where(
            Booking.employee_id == person_id,
            Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)),
            ValidationSession.model_id == model_id,
            ValidationSession.ends_at > now,
        )
        .limit(1)
    )


def book_group(
    plan: Sequence[tuple[int, Sequence[Person]]],
    actor: Person,
    now: datetime | None = None,
    request_key: str | None = None,
) -> GroupResult:
    """Book each person of each (session id, people) part of the plan.

    Everyone must be someone the actor may book for, or nothing is booked (403). A
    person who already has a live booking of the session's model, or whom a rule of
    the single booking refuses, is skipped with the reason; the others get a seat, or
    a waitlist place when the session is full, each with their own invite.

    With the form's `request_key`, the same form sent again (a reload of its answer)
    books nobody twice and reports what the first sending booked.
    """
    now = now or utcnow()
    people = [person for _session_id, part in plan for person in part]
    if not people:
        raise InvalidInput(_("Välj minst en medarbetare."))
    if len(people) > MAX_GROUP:
        raise InvalidInput(_("Högst %(n)s medarbetare åt gången.", n=MAX_GROUP))
    if not all(may_book_for(actor, person) for person in people):
        raise Forbidden(NOT_YOURS)
    result = GroupResult()
    made: list[Booking] = []
    seen: set[int] = set()
    with unit_of_work():
        sessions = {sid: lock_session(sid) for sid in sorted({sid for sid, _part in plan})}
        lock_holders(person.id for person in people)  # all at once, in id order
        for session_id, part in plan:
            session = sessions[session_id]
            for person in part:
                if person.id in seen:
                    result.skipped.append(Skipped(person, str(TWICE), "listed_twice"))
                    continue
                seen.add(person.id)
                key = f"{request_key}-{person.id}" if request_key else None
                if key and (sent := _booked_by_form(actor, key)) is not None:
                    if sent.session_id != session_id:
                        # The page went back and another offer was chosen: this form
                        # booked them elsewhere before; that booking stands.
                        result.skipped.append(Skipped(person, str(FORM_USED), "form_used"))
                    elif sent.status == BookingStatus.CANCELLED:
                        # Moved since (said where to), or cancelled.
                        gone = no_longer_live(sent)
                        said = gone.message if gone.code == "already_moved" else CANCELLED_SINCE
                        result.skipped.append(Skipped(person, str(said), gone.code))
                    else:
                        made.append(sent)
                    continue
                if earlier := _booked_on_model(person.id, session.model_id, now):
                    result.skipped.append(_already_booked(person, earlier))
                    continue
                try:
                    booking = book_seat(session_id, person, actor, request_key=key, now=now)
                except DomainError as refusal:
                    # Its rules refuse before writing; a clash after writing undoes it all.
                    if refusal.code == "concurrent_change" or isinstance(refusal, Forbidden):
                        raise
                    # Listed under their name: "Har redan en bokning samtidigt", not
                    # "Anna Andersson: Anna Andersson har redan …".
                    said = str(refusal.message).removeprefix(f"{person.name} ")
                    result.skipped.append(
                        Skipped(person, said[:1].upper() + said[1:], refusal.code)
                    )
                    continue
                made.append(booking)
        positions = waitlist_positions(made)
        for booking in made:
            if booking.status == BookingStatus.WAITLISTED:
                result.waitlisted.append((booking, positions[booking.id]))
            else:
                result.seated.append(booking)
    return result


def _booked_by_form(actor: Person, key: str) -> Booking | None:
    """The booking this form made for one person when it was sent before, if it was."""
    return db.session.scalar(
        select(Booking).where(Booking.booked_by_id == actor.id, Booking.request_key == key)
    )


def _already_booked(person: Person, booking: Booking) -> Skipped:
    what = {"model": booking.session.model.name, "when": short_datetime(booking.session.starts_at)}
    if booking.status == BookingStatus.WAITLISTED:
        return Skipped(
            person, _("Står redan i kö till %(model)s (%(when)s).", **what), "already_waitlisted"
        )
    return Skipped(
        person, _("Har redan en plats på %(model)s (%(when)s).", **what), "already_booked"
    )

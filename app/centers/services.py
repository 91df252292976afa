"""A center's calendar: open days and hours, closures, workstation counts, travel times."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import domain_events
from app.accounts.models import Role
from app.audit import services as audit
from app.centers.models import (
    CenterClosure,
    CenterWorkstation,
    OpeningHours,
    TestCenter,
)
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, InvalidInput, NotFound
from app.extensions import db
from app.formatting import long_date
from app.regions.models import MAX_TRAVEL_MINUTES, Municipality, TravelBuffer
from app.timeutil import local_date, to_local


@lru_cache(maxsize=64)
def _swedish_holidays(year: int, language: str = "sv") -> dict[date, str]:
    """Public holidays (Lag 1989:253) and the de facto closed eves, named in Swedish or
    (language="en_US") English, as the holidays package names them."""
    return dict(
        holidays.Sweden(
            years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO), language=language
        )
    )


def _names_language() -> str:
    return "en_US" if str(get_locale()) == "en" else "sv"


def holiday_name(day: date) -> str | None:
    """The holiday's name in the reader's language (Swedish outside a request)."""
    named = _swedish_holidays(day.year, _names_language())
    if day.weekday() == 6:
        # Every Sunday is closed, whatever the holidays package counts.
        return named.get(day) or _("Söndag")
    return named.get(day)


def coming_holidays(center_id: int, first: date, days: int = 365) -> list[tuple[date, str, bool]]:
    """The public holidays and closed eves from first on: (day, name, opened on purpose)."""
    last = first + timedelta(days=days)
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        found.update(_swedish_holidays(year, _names_language()))
    entries = closures_between(center_id, first, last)

    def covered(day: date, open_anyway: bool) -> bool:
        return any(
            c.first_day <= day <= c.last_day for c in entries if c.open_anyway == open_anyway
        )

    # Opened on purpose, unless the center also closed it itself: its closure wins.
    return [
        (day, name, covered(day, True) and not covered(day, False))
        for day, name in sorted(found.items())
        if first <= day <= last
    ]


def closures_between(center_id: int, first: date, last: date) -> list[CenterClosure]:
    return list(
        db.session.scalars(
            select(CenterClosure).where(
                CenterClosure.center_id == center_id,
                CenterClosure.first_day <= last,
                CenterClosure.last_day >= first,
            )
        )
    )


def _closed_by_default(center: TestCenter, day: date) -> bool:
    """A holiday, closed eve or Sunday, before the center's own entries. Sunday hours of
    its own open a center's plain Sundays on purpose; a holiday that falls on a Sunday
    (Easter Day) still needs its "open anyway" entry."""
    if not holiday_name(day):
        return False
    plain_sunday = day.weekday() == 6 and not _swedish_holidays(day.year, "sv").get(day)
    return not (plain_sunday and any(h.weekday == 6 for h in center.opening_hours))


def closed_reason(center: TestCenter, day: date, closures=None) -> str | None:
    """Why the center is closed that day, or None when it is open.

    The center's own entries win: a closure closes any day, and an "open anyway"
    entry opens a holiday or Sunday on purpose.
    """
    closures = closures_between(center.id, day, day) if closures is None else closures
    covering = [c for c in closures if c.first_day <= day <= c.last_day]
    for closure in covering:
        if not closure.open_anyway:
            return closure.reason
    if any(c.open_anyway for c in covering):
        return None
    if _closed_by_default(center, day):
        return holiday_name(day)
    if not any(h.weekday == day.weekday() for h in center.opening_hours):
        return _("ingen öppettid den veckodagen")
    return None


def outside_opening_hours(center: TestCenter, starts: datetime, ends: datetime) -> bool:
    local_start, local_end = to_local(starts), to_local(ends)
    hours = next((h for h in center.opening_hours if h.weekday == local_start.weekday()), None)
    if hours is None:
        # A day opened on purpose without hours of its own: office hours.
        hours = OpeningHours(opens=time(7, 0), closes=time(18, 0))
    return (
        local_start.date() != local_end.date()
        or local_start.time() < hours.opens
        or local_end.time() > hours.closes
    )


def workstation_count(center_id: int, kind_id: int) -> int:
    return (
        db.session.scalar(
            select(CenterWorkstation.count).where(
                CenterWorkstation.center_id == center_id, CenterWorkstation.kind_id == kind_id
            )
        )
        or 0
    )


def lock_center(center_id: int) -> TestCenter | None:
    """Lock the center's row so that two admins cannot hand out the same workstations."""
    return db.session.scalar(
        select(TestCenter)
        .where(TestCenter.id == center_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def admin_centers(actor) -> list[TestCenter]:
    """The centers a person may keep: their own as center admin, all as project admin of
    every project (one limited to named projects keeps no center)."""
    query = select(TestCenter).order_by(TestCenter.name)
    if not actor.sees_every_project:
        ids = [g.center_id for g in actor.role_grants if g.role == Role.CENTER_ADMIN]
        query = query.where(TestCenter.id.in_(ids))
    return list(db.session.scalars(query))


def center_for_admin(center_id: int, actor) -> TestCenter:
    """The center with its row locked, if the actor keeps it; NotFound otherwise."""
    center = lock_center(center_id)
    if center is None or not actor.is_staff_for_center(center_id):
        raise NotFound(_("Testcentret finns inte."))
    return center


# What the events of a center's sessions say of it (location, organizer, contact).
SHOWN_IN_EVENTS = (
    "name",
    "street_address",
    "postal_code",
    "postal_town",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def update_details(center_id: int, actor, **details) -> TestCenter:
    """Save the center's details; a change to what its sessions' events show is announced,
    so that invites and feeds follow (people must not go to the old address)."""
    with unit_of_work():
        center = center_for_admin(center_id, actor)
        before = [getattr(center, name) for name in SHOWN_IN_EVENTS]
        for name, value in details.items():
            setattr(center, name, value.strip() if isinstance(value, str) else value)
        if [getattr(center, name) for name in SHOWN_IN_EVENTS] != before:
            db.session.flush()
            domain_events.announce(
                domain_events.center_changed, center=center, actor=actor, at=utcnow()
            )
        return center


def set_opening_hours(center_id: int, hours: dict[int, tuple[time, time] | None], actor) -> None:
    """Set each weekday's hours; None closes that weekday."""
    if any(span is not None and span[0] >= span[1] for span in hours.values()):
        raise InvalidInput(_("Öppningstiden måste ligga före stängningstiden."))
    with unit_of_work():
        center = center_for_admin(center_id, actor)
        existing = {h.weekday: h for h in center.opening_hours}
        before = {day: (h.opens, h.closes) for day, h in existing.items()}
        for weekday, span in sorted(hours.items()):
            row = existing.get(weekday)
            if span is None and row is not None:
                center.opening_hours.remove(row)
            elif span is not None and row is None:
                center.opening_hours.append(
                    OpeningHours(weekday=weekday, opens=span[0], closes=span[1])
                )
            elif span is not None:
                row.opens, row.closes = span
        changes = [
            f"{day} {_span(before.get(day))} → {_span(span)}"
            for day, span in sorted(hours.items())
            if span != before.get(day)
        ]
        if changes:
            audit.record(
                actor,
                "center",
                center.id,
                "opening hours",
                center_id=center.id,
                detail="; ".join(changes),
            )


def _span(span: tuple[time, time] | None) -> str:
    """A weekday's hours in the audit entry's detail: "08:00–16:00", "–" when closed."""
    return "–" if span is None else f"{span[0]:%H:%M}–{span[1]:%H:%M}"


def _closure_detail(closure: CenterClosure) -> str:
    """A closure in the audit entry's detail: "2027-12-14–2027-12-16: Vattenskada"."""
    return f"{closure.first_day.isoformat()}–{closure.last_day.isoformat()}: {closure.reason}"


def add_closure(
    center_id: int,
    first: date,
    last: date,
    reason: str,
    open_anyway: bool,
    actor,
    today: date | None = None,
):
    """Close (or open anyway) the days from first to last, which must not have begun yet:
    a closure in the past would be listed nowhere and so could not be removed, and would
    close days on which sessions were held."""
    if first < (today or local_date(utcnow())):
        raise InvalidInput(
            _("Första dagen har redan passerat. Välj i dag eller en senare dag."),
            "closure_in_the_past",
        )
    if last < first:
        raise InvalidInput(_("Sista dagen ligger före första dagen."))
    if (last - first).days > 366:
        raise InvalidInput(_("En stängning kan vara högst ett år."))
    with unit_of_work():
        center = center_for_admin(center_id, actor)
        lock_center(center.id)  # two at once (a double click) are checked one after the other
        if open_anyway:
            _check_opening(center, first, last)
        elif own := [c for c in closures_between(center.id, first, last) if not c.open_anyway]:
            # A second entry for days already closed would need its own removal to open them.
            raise InvalidInput(
                _(
                    "Testcentret är redan stängt några av dagarna: %(reason)s, %(days)s. "
                    "Ta bort den stängningen först om den ska ändras.",
                    reason=own[0].reason,
                    days=_days(own[0].first_day, own[0].last_day),
                )
            )
        closure = CenterClosure(
            center_id=center.id,
            first_day=first,
            last_day=last,
            reason=reason.strip(),
            open_anyway=open_anyway,
        )
        db.session.add(closure)
        db.session.flush()
        audit.record(
            actor,
            "closure",
            closure.id,
            "open anyway" if open_anyway else "closed",
            center_id=center.id,
            detail=_closure_detail(closure),
        )
        return closure


def _days(first: date, last: date) -> str:
    if first == last:
        return long_date(first)
    return f"{long_date(first)} – {long_date(last)}"


def _check_opening(center: TestCenter, first: date, last: date) -> None:
    """An "open anyway" entry must open something: a holiday, closed eve or Sunday, not
    already opened, and not one the center closed itself (its closure would win)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    entries = closures_between(center.id, first, last)
    if own := [c for c in entries if not c.open_anyway]:
        raise InvalidInput(
            _(
                "Testcentret har själv stängt några av dagarna (%(reason)s), och den "
                "stängningen gäller. Ta bort den i stället.",
                reason=own[0].reason,
            )
        )
    closed = [d for d in days if _closed_by_default(center, d)]
    if not closed and any(d.weekday() == 6 for d in days):
        raise InvalidInput(_("Söndagarna är redan öppna genom testcentrets öppettider för söndag."))
    if not closed:
        raise InvalidInput(
            _(
                "Ingen av dagarna är en helgdag, aftonen före en eller en söndag: de är "
                "redan öppna. Kryssa bara i rutan för att öppna en sådan dag."
            )
        )
    opened = [c for c in entries if c.open_anyway]
    if all(any(c.first_day <= d <= c.last_day for c in opened) for d in closed):
        raise InvalidInput(_("Dagarna är redan öppnade."))


def remove_closure(closure_id: int, actor) -> None:
    with unit_of_work():
        closure = db.session.get(CenterClosure, closure_id)
        if closure is None or not actor.is_staff_for_center(closure.center_id):
            raise NotFound(_("Stängningen finns inte."))
        audit.record(
            actor,
            "closure",
            closure.id,
            "open anyway removed" if closure.open_anyway else "closure removed",
            center_id=closure.center_id,
            detail=_closure_detail(closure),
        )
        db.session.delete(closure)


# Travel times between municipalities: the project's, kept by project admins ----------


def _require_project_admin(actor) -> None:
    """A project admin of every project, or None: the operator at the command line."""
    if actor is not None and not actor.sees_every_project:
        raise Forbidden()


def all_travel_times() -> list[TravelBuffer]:
    """Every stored travel time, in alphabetical order of the pairs."""
    rows = db.session.scalars(
        select(TravelBuffer).options(
            joinedload(TravelBuffer.from_municipality), joinedload(TravelBuffer.to_municipality)
        )
    ).all()
    return sorted(rows, key=lambda row: [m.sort_key for m in row.pair])


def _locked_pair(low: int, high: int) -> TravelBuffer | None:
    return db.session.scalar(
        select(TravelBuffer)
        .where(TravelBuffer.from_municipality_id == low, TravelBuffer.to_municipality_id == high)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def set_travel_time(first_id: int, second_id: int, minutes: int, actor) -> TravelBuffer:
    """Set the travel time between two municipalities, in either order; planning uses it.

    The pair is stored once, lowest id first. Two admins setting the same pair at
    once both succeed, one after the other: the later time is the one kept.
    """
    _require_project_admin(actor)
    if first_id == second_id:
        raise InvalidInput(_("Välj två olika kommuner."))
    if not 0 <= minutes <= MAX_TRAVEL_MINUTES:
        raise InvalidInput(
            _(
                "Restiden ska vara mellan %(min)s och %(max)s minuter.",
                min=0,
                max=MAX_TRAVEL_MINUTES,
            )
        )
    low, high = sorted((first_id, second_id))
    with unit_of_work():
        places = db.session.scalars(
            select(Municipality).where(Municipality.id.in_((low, high)))
        ).all()
        if len(places) != 2:
            raise InvalidInput(_("Kommunen finns inte. Välj en kommun i listan."))
        row = _locked_pair(low, high)
        if row is None:
            try:
                with db.session.begin_nested():
                    row = TravelBuffer(
                        from_municipality_id=low, to_municipality_id=high, minutes=minutes
                    )
                    db.session.add(row)
                    db.session.flush()
                before = None
            except IntegrityError:
                # Another admin added the pair a moment ago: change theirs instead.
                row = _locked_pair(low, high)
                if row is None:
                    raise DomainError(
                        _("Någon annan ändrade restiden samtidigt. Försök igen.")
                    ) from None
                before = row.minutes
        else:
            before = row.minutes
        row.minutes = minutes
        db.session.flush()
        first, second = sorted(places, key=lambda m: m.sort_key)
        was = "–" if before is None else before
        audit.record(
            actor,
            "travel_buffer",
            row.id,
            "set",
            detail=f"{first.name}–{second.name}: {was} → {minutes} min",
        )
        return row


def remove_travel_time(buffer_id: int, actor) -> None:
    """Forget a pair's travel time: planning goes back to the default."""
    _require_project_admin(actor)
    with unit_of_work():
        row = db.session.get(TravelBuffer, buffer_id, with_for_update=True)
        if row is None:
            raise NotFound(_("Restiden finns inte."))
        first, second = row.pair
        audit.record(
            actor,
            "travel_buffer",
            row.id,
            "deleted",
            detail=f"{first.name}–{second.name}: {row.minutes} min",
        )
        db.session.delete(row)

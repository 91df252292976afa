"""Closing a center's days over planned sessions, and opening them again.

A closure may fall on days that already have planned (and booked) sessions. A closed
day never keeps a live session: the closure is saved together with the cancellation
of those sessions, in one unit of work, or not at all. The center admin sees the
sessions first and chooses; a caller that has not chosen gets SessionsOnClosedDays.

The unit holds the center's row locked, as planning does when it creates or moves a
session, so no session is planned onto the days while they are being closed; each
cancelled session is cancelled by `cancel_session` (its row locked, its booked and
testledare told), so nobody books a seat in a session that is going away.

Removing an "open anyway" entry closes a holiday again: the same choice applies.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Person
from app.bookings.session_changes import cancel_session
from app.centers.models import CenterClosure, TestCenter
from app.centers.services import (
    add_closure,
    center_for_admin,
    closed_reason,
    closures_between,
    lock_center,
    outside_opening_hours,
    remove_closure,
    set_opening_hours,
)
from app.db import unit_of_work, utcnow
from app.errors import NotFound, SessionsInTheWay
from app.extensions import db
from app.schedule.models import SessionStatus, ValidationSession
from app.timeutil import local_date, local_to_utc, to_local


class SessionsOnClosedDays(SessionsInTheWay):
    """The change would leave live sessions on closed days: cancel them, or do not change."""

    def __init__(self, sessions: list[ValidationSession], changed: bool = False):
        # True when the sessions are not the ones the admin agreed to cancel.
        self.changed = changed
        super().__init__(
            sessions,
            ngettext(
                "%(num)s planerat pass ligger på de stängda dagarna. "
                "Ställ in det med stängningen, eller spara inte stängningen.",
                "%(num)s planerade pass ligger på de stängda dagarna. "
                "Ställ in dem med stängningen, eller spara inte stängningen.",
                len(sessions),
            ),
            None,
        )


@dataclass
class ClosureChange:
    """What a saved closure (or a removed one) did."""

    closure: CenterClosure
    cancelled: list[ValidationSession] = field(default_factory=list)


def sessions_closed_by(
    center: TestCenter,
    first: date,
    last: date,
    closures: list[CenterClosure],
    now: datetime | None = None,
) -> list[ValidationSession]:
    """The live sessions between first and last that fall on a day closed under `closures`.

    Sessions that have started are left alone: they are running or over.
    """
    rows = _coming_sessions(
        center,
        now or utcnow(),
        ValidationSession.starts_at >= local_to_utc(first, time(0)),
        ValidationSession.starts_at < local_to_utc(last + timedelta(days=1), time(0)),
    )
    return [s for s in rows if closed_reason(center, to_local(s.starts_at).date(), closures)]


def _coming_sessions(center: TestCenter, now: datetime, *within) -> list[ValidationSession]:
    """The center's live sessions not yet started (`within` narrows them), in time order."""
    return list(
        db.session.scalars(
            select(ValidationSession)
            .where(
                ValidationSession.center_id == center.id,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.starts_at > now,
                *within,
            )
            .options(joinedload(ValidationSession.model))
            .order_by(ValidationSession.starts_at, ValidationSession.id)
        )
    )


def _settle(
    center: TestCenter,
    first: date,
    last: date,
    actor: Person,
    cancel_ids: Collection[int] | None,
    reason: str | None,
    now: datetime,
) -> list[ValidationSession]:
    """Cancel what the change closes, if that is what the admin agreed to; else refuse.

    `reason` None: each session gets the reason its own day is closed (the holiday that
    a removed "open anyway" entry no longer opens)."""
    closures = closures_between(center.id, first, last)
    hit = sessions_closed_by(center, first, last, closures, now)
    if not hit:
        return []
    agreed = set(cancel_ids or ())
    if cancel_ids is None or not {s.id for s in hit} <= agreed:
        # Not chosen yet, or sessions planned since the admin looked: show them (again).
        raise SessionsOnClosedDays(hit, changed=cancel_ids is not None)
    reasons = [reason if reason is not None else _why_closed(center, s, closures) for s in hit]
    return [
        cancel_session(s.id, actor, reason=why, closure=True)
        for s, why in zip(hit, reasons, strict=True)
    ]


def _why_closed(center: TestCenter, session: ValidationSession, closures) -> str:
    """Why the session's day is closed, as stored data: in the default language (Swedish),
    whatever the admin reads, like the reasons admins type."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return closed_reason(center, to_local(session.starts_at).date(), closures) or ""


def close_days(
    center_id: int,
    first: date,
    last: date,
    reason: str,
    open_anyway: bool,
    actor: Person,
    cancel_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> ClosureChange:
    """Save a closure; cancel the sessions it closes when the admin agreed to exactly those.

    `cancel_ids` is None when the admin has not been asked: any session on the days then
    refuses the closure with SessionsOnClosedDays, which lists them.
    """
    now = now or utcnow()
    with unit_of_work():
        closure = add_closure(
            center_id, first, last, reason, open_anyway, actor, today=local_date(now)
        )
        db.session.flush()
        center = lock_center(center_id)
        cancelled = _settle(center, first, last, actor, cancel_ids, closure.reason, now)
        return ClosureChange(closure, cancelled)


def _closure_for(closure_id: int, actor: Person) -> CenterClosure:
    closure = db.session.get(CenterClosure, closure_id)
    if closure is None or not actor.is_staff_for_center(closure.center_id):
        raise NotFound(_("Stängningen finns inte."))
    return closure


def sessions_closed_by_removal(
    closure_id: int, actor: Person, now: datetime | None = None
) -> list[ValidationSession]:
    """The sessions that removing this entry would leave on closed days (read only)."""
    closure = _closure_for(closure_id, actor)
    others = [
        c
        for c in closures_between(closure.center_id, closure.first_day, closure.last_day)
        if c.id != closure.id
    ]
    center = db.session.get(TestCenter, closure.center_id)
    return sessions_closed_by(center, closure.first_day, closure.last_day, others, now)


def reopen_days(
    closure_id: int,
    actor: Person,
    cancel_ids: Collection[int] | None = None,
    now: datetime | None = None,
) -> ClosureChange:
    """Remove a closure or an "open anyway" entry; the days it closes again lose their sessions.

    Removing a closure only opens days. Removing an "open anyway" entry closes the
    holiday again, and its sessions go the way `close_days` says, each cancelled with
    the holiday's name as its reason.
    """
    now = now or utcnow()
    with unit_of_work():
        closure = _closure_for(closure_id, actor)
        center = lock_center(closure.center_id)
        remove_closure(closure_id, actor)
        db.session.flush()
        cancelled = _settle(
            center, closure.first_day, closure.last_day, actor, cancel_ids, None, now
        )
        return ClosureChange(closure, cancelled)


class SessionsOutsideHours(SessionsInTheWay):
    """New opening hours would leave live sessions outside them: move or cancel those first."""

    def __init__(self, sessions: list[ValidationSession]):
        super().__init__(
            sessions,
            ngettext(
                "%(num)s planerat pass ligger utanför de nya öppettiderna. "
                "Flytta eller ställ in det först; öppettiderna är inte ändrade.",
                "%(num)s planerade pass ligger utanför de nya öppettiderna. "
                "Flytta eller ställ in dem först; öppettiderna är inte ändrade.",
                len(sessions),
            ),
            "sessions_outside_hours",
        )


def change_opening_hours(
    center_id: int,
    hours: dict[int, tuple[time, time] | None],
    actor: Person,
    now: datetime | None = None,
) -> None:
    """Set the weekdays' hours, unless a coming session would fall outside them (or on a
    weekday they close): as with closures, no live session is left where the center is
    closed. Those are the admin's to move or cancel, each with its own message."""
    now = now or utcnow()
    with unit_of_work():
        center = center_for_admin(center_id, actor)
        coming = _coming_sessions(center, now)
        closures = []
        if coming:
            first, last = (to_local(s.starts_at).date() for s in (coming[0], coming[-1]))
            closures = closures_between(center.id, first, last)
        # Only what this change moves outside: a session already there is not its doing.
        before = _outside_hours(center, coming, closures)
        set_opening_hours(center_id, hours, actor)
        db.session.flush()
        db.session.refresh(center, ["opening_hours"])
        if moved_out := [s for s in _outside_hours(center, coming, closures) if s not in before]:
            raise SessionsOutsideHours(moved_out)


def _outside_hours(center: TestCenter, sessions, closures) -> list[ValidationSession]:
    return [
        s
        for s in sessions
        if closed_reason(center, to_local(s.starts_at).date(), closures)
        or outside_opening_hours(center, s.starts_at, s.ends_at)
    ]

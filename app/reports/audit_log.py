"""The audit log as people read it: each entry a sentence, with links, filtered and paged.

The audit layer (app.audit) is core and stores codes and ids only. This module sits at
the reports level, where bookings, sessions, people and centers may be read: it finds a
page of entries and loads what they name in bulk (a fixed number of queries, however
many rows), then writes each entry as a sentence in the reader's language. An object
that is gone, or a person erased under GDPR, still reads as a sentence; an action it
does not know reads as a plain "X changed Y" sentence.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import formatting
from app.accounts.models import Person, Role
from app.audit.models import AuditEntry
from app.bookings.models import Booking, BookingEventKind
from app.bookings.session_changes import ASSESSOR_CHANGED
from app.calendar.replies import CALENDAR_REPLY_NOTE
from app.centers.models import TestCenter
from app.centers.queries import workstation_kinds
from app.centers.services import admin_centers
from app.extensions import db
from app.formatting import clock, long_date
from app.projects.models import FundingProject
from app.projects.scope import PROJECT_ADMIN_SCOPE
from app.results.services import may_assess
from app.schedule.models import ValidationSession
from app.timeutil import day_start

log = logging.getLogger(__name__)

PER_PAGE = 50
# The longest name search accepted (Person.name holds 120 characters).
MAX_PERSON_SEARCH = 120


@dataclass(frozen=True)
class Kind:
    """A kind of change the reader can filter by: one entity, one or more action codes."""

    key: str
    label: object  # a lazy string
    entity: str
    actions: tuple[str, ...]


STAFF_OVERRIDE = " (staff override)"

# Every change the app records (grep `audit.record`), grouped as a reader thinks of them.
# A booking's (and an outcome's) action is the kind of its booking event.
KINDS = (
    Kind("booked", _l("Bokning"), "booking", (BookingEventKind.BOOKED,)),
    Kind("waitlisted", _l("Plats i kön"), "booking", (BookingEventKind.WAITLISTED,)),
    Kind("promoted", _l("Plats från kön"), "booking", (BookingEventKind.PROMOTED,)),
    Kind(
        "cancelled",
        _l("Avbokning"),
        "booking",
        (BookingEventKind.CANCELLED, BookingEventKind.CANCELLED + STAFF_OVERRIDE),
    ),
    Kind(
        "moved",
        _l("Flyttad bokning"),
        "booking",
        (BookingEventKind.MOVED, BookingEventKind.MOVED + STAFF_OVERRIDE),
    ),
    Kind(
        "checked_in",
        _l("Incheckning"),
        "booking",
        (BookingEventKind.CHECKED_IN, BookingEventKind.UNDO_CHECKIN),
    ),
    Kind(
        "attendance",
        _l("Närvaro och utebliven"),
        "booking",
        (BookingEventKind.ATTENDED, BookingEventKind.NO_SHOW),
    ),
    Kind("outcome", _l("Resultat"), "outcome", (BookingEventKind.OUTCOME,)),
    Kind("session_created", _l("Nytt pass"), "session", ("created",)),
    Kind("session_moved", _l("Flyttat pass"), "session", ("moved",)),
    Kind("session_assessor", _l("Ny testledare för pass"), "session", (ASSESSOR_CHANGED,)),
    Kind("session_cancelled", _l("Inställt pass"), "session", ("cancelled",)),
    Kind(
        "authorisation",
        _l("Testledares behörighet"),
        "person",
        ("authorised", "authorisation revoked"),
    ),
    Kind("home_center", _l("Testledares hemmacenter"), "person", ("home center",)),
    Kind("erased", _l("Borttagna personuppgifter"), "person", ("erased",)),
    Kind(
        "employment",
        _l("Medarbetares konton"),
        "person",
        ("invitation resent", "details corrected", "employment ended", "employment resumed"),
    ),
    Kind("admin_projects", _l("Projektadministratörers projekt"), "person", (PROJECT_ADMIN_SCOPE,)),
    Kind("travel_time", _l("Restid"), "travel_buffer", ("set", "deleted")),
    Kind(
        "project_companies",
        _l("Deltagande företag i projekt"),
        "project",
        ("company added", "company removed"),
    ),
    # A center's own settings, which its admins keep.
    Kind("opening_hours", _l("Öppettider"), "center", ("opening hours",)),
    Kind("workstations", _l("Arbetsplatser"), "center", ("workstations",)),
    Kind("closures", _l("Stängda dagar"), "closure", ("closed", "closure removed")),
    Kind(
        "open_anyway",
        _l("Öppet trots helgdag"),
        "closure",
        ("open anyway", "open anyway removed"),
    ),
)
# The entities of a center's own changes, which its admins read too.
CENTER_ENTITIES = ("booking", "outcome", "session", "center", "closure")
KIND_BY_KEY = {k.key: k for k in KINDS}
# A coordinator looking after an employee's account (app.accounts.employment).
_EMPLOYMENT = {
    "invitation resent": lambda: _("%(actor)s skickade en ny inbjudan till %(person)s"),
    "details corrected": lambda: _("%(actor)s rättade namn eller e-postadress för %(person)s"),
    "employment ended": lambda: _(
        "%(actor)s angav att %(person)s har slutat på företaget (kontot stängdes)"
    ),
    "employment resumed": lambda: _(
        "%(actor)s registrerade %(person)s igen efter att hen hade slutat"
    ),
}


@dataclass
class AuditFilters:
    """What the reader asked to see; None or "" means no limit."""

    first_day: date | None = None
    last_day: date | None = None
    person: str = ""
    center_id: int | None = None
    kind: str | None = None


@dataclass
class AuditRow:
    entry: AuditEntry
    sentence: Markup
    note: str = ""


@dataclass
class AuditPage:
    rows: list[AuditRow]
    page: int
    has_next: bool


# The log is not narrowed by company: a project admin limited to named projects does not
# read it (as a center admin too, they read their centers' part, like any center admin).


def may_read_audit(person: Person) -> bool:
    return person.sees_every_project or person.has_role(Role.CENTER_ADMIN)


def reader_centers(reader: Person) -> list[TestCenter]:
    """The centers whose changes the reader may read (and so filter by)."""
    return admin_centers(reader)


def reader_kinds(reader: Person) -> list[Kind]:
    """The kinds of change the reader can meet: a center's admins never see people's
    authorisations or travel times, which belong to no center."""
    if reader.sees_every_project:
        return list(KINDS)
    return [k for k in KINDS if k.entity in CENTER_ENTITIES]


def audit_page(reader: Person, filters: AuditFilters, page: int = 1) -> AuditPage:
    """One page of the entries the reader may read, newest first, as sentences."""
    query = _filtered(reader, filters).order_by(AuditEntry.id.desc())
    entries = list(db.session.scalars(query.offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)))
    has_next = len(entries) > PER_PAGE
    entries = entries[:PER_PAGE]
    writer = _Writer(reader, _load(entries))
    return AuditPage([writer.row(e) for e in entries], page, has_next)


def _filtered(reader: Person, filters: AuditFilters):
    query = select(AuditEntry)
    if not reader.sees_every_project:
        centers = [g.center_id for g in reader.role_grants if g.role == Role.CENTER_ADMIN]
        query = query.where(AuditEntry.center_id.in_(centers))
    if filters.first_day is not None:
        query = query.where(AuditEntry.at >= day_start(filters.first_day))
    if filters.last_day is not None:
        query = query.where(AuditEntry.at < day_start(filters.last_day + timedelta(days=1)))
    if filters.center_id is not None:
        query = query.where(AuditEntry.center_id == filters.center_id)
    if filters.kind:
        kind = KIND_BY_KEY[filters.kind]
        query = query.where(AuditEntry.entity == kind.entity, AuditEntry.action.in_(kind.actions))
    if filters.person.strip():
        query = query.where(_concerns(_people_named(filters.person.strip())))
    return query


def _people_named(text: str):
    """The ids of people whose name holds the text, whatever its case.

    SQLite's lower() and LIKE fold only ASCII letters, so "åsa" is also tried as typed,
    capitalised and in title case to find "Åsa".
    """
    variants = {text, text.lower(), text.capitalize(), text.title(), text.upper()}
    return select(Person.id).where(
        or_(
            func.lower(Person.name).contains(text.lower(), autoescape=True),
            *(Person.name.contains(v, autoescape=True) for v in sorted(variants)),
        )
    )


def _concerns(people):
    """Entries made by one of the people, or about them (their booking, their session)."""
    bookings = select(Booking.id).where(Booking.employee_id.in_(people))
    sessions = select(ValidationSession.id).where(ValidationSession.assessor_id.in_(people))
    return or_(
        AuditEntry.actor_id.in_(people),
        and_(AuditEntry.entity.in_(("booking", "outcome")), AuditEntry.entity_id.in_(bookings)),
        and_(AuditEntry.entity == "person", AuditEntry.entity_id.in_(people)),
        and_(AuditEntry.entity == "session", AuditEntry.entity_id.in_(sessions)),
    )


# --- loading what a page names, in bulk ------------------------------------------------


@dataclass
class _Loaded:
    bookings: dict[int, Booking]
    sessions: dict[int, ValidationSession]
    people: dict[int, Person]
    centers: dict[int, TestCenter]
    projects: dict[int, FundingProject]
    workstation_kinds: dict | None = None  # by id, when an entry names one


_MOVED_TO = re.compile(r"→\s*(\d{1,10})\s*$")


def _moved_to(entry: AuditEntry) -> int | None:
    match = _MOVED_TO.search(entry.detail or "")
    return int(match.group(1)) if match else None


def _home_center_id(entry: AuditEntry) -> int | None:
    detail = (entry.detail or "").strip()
    return int(detail) if detail.isdigit() and len(detail) < 10 else None


_WORKSTATION_CHANGE = re.compile(r"^(?P<kind>\d{1,9}): (?P<before>\d{1,9}) → (?P<after>\d{1,9})$")
_HOURS = r"–|\d\d:\d\d–\d\d:\d\d"
_HOURS_CHANGE = re.compile(rf"^(?P<day>[0-6]) (?P<before>{_HOURS}) → (?P<after>{_HOURS})$")
_CLOSURE = re.compile(
    r"^(?P<first>\d{4}-\d{2}-\d{2})–(?P<last>\d{4}-\d{2}-\d{2}): (?P<reason>.+)$", re.S
)


def _changes(entry: AuditEntry, pattern: re.Pattern) -> list[re.Match] | None:
    """The "; "-separated changes of a center's settings, or None if one does not read."""
    matches = [pattern.match(part) for part in (entry.detail or "").split("; ")]
    return matches if all(matches) else None


def _load(entries: list[AuditEntry]) -> _Loaded:
    """Everything the entries name, one query per kind of row (none for a kind not named).

    Bookings first, then their sessions with the sessions the entries name, then the
    people and the centers of all of them: the same statements whatever the rows.
    """
    booking_ids = {e.entity_id for e in entries if e.entity in ("booking", "outcome")}
    bookings = _by_id(Booking, booking_ids)
    session_ids = {b.session_id for b in bookings.values()}
    session_ids |= {e.entity_id for e in entries if e.entity == "session"}
    session_ids |= {
        target
        for e in entries
        if e.entity == "booking" and e.action.startswith(BookingEventKind.MOVED)
        if (target := _moved_to(e)) is not None
    }
    sessions = _by_id(ValidationSession, session_ids, joinedload(ValidationSession.model))
    for booking in bookings.values():  # set, so that booking.session asks nothing more
        set_committed_value(booking, "session", sessions.get(booking.session_id))
    person_ids = {e.actor_id for e in entries if e.actor_id is not None}
    person_ids |= {e.entity_id for e in entries if e.entity == "person"}
    person_ids |= {b.employee_id for b in bookings.values()}
    people = _by_id(Person, person_ids, selectinload(Person.role_grants))
    center_ids = {s.center_id for s in sessions.values()}
    center_ids |= {
        center_id
        for e in entries
        if e.entity == "person" and e.action == "home center"
        if (center_id := _home_center_id(e)) is not None
    }
    center_ids |= {
        e.center_id for e in entries if e.entity in ("center", "closure") and e.center_id
    }
    centers = _by_id(TestCenter, center_ids)
    for session in sessions.values():
        set_committed_value(session, "center", centers.get(session.center_id))
    projects = _by_id(FundingProject, {e.entity_id for e in entries if e.entity == "project"})
    loaded = _Loaded(bookings, sessions, people, centers, projects)
    if any(e.entity == "center" and e.action == "workstations" for e in entries):
        loaded.workstation_kinds = {k.id: k for k in workstation_kinds()}  # a handful
    return loaded


def _by_id(model, ids: set[int], *options) -> dict:
    ids = {i for i in ids if 0 < i < 2**31}  # an id no column holds names nothing
    if not ids:
        return {}
    rows = db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))
    return {row.id: row for row in rows}


# --- writing the sentences -------------------------------------------------------------


def _aware(text: str) -> datetime | None:
    """An ISO timestamp with its zone, as the services record them; else None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _link(text, href: str | None) -> Markup:
    if href is None:
        return escape(text)
    return Markup('<a href="{}">{}</a>').format(href, text)


def _say(message: str, **parts) -> Markup:
    """A translated message (from _() without arguments) with its parts escaped."""
    return Markup(escape(message)) % {
        k: v if isinstance(v, Markup) else escape(v) for k, v in parts.items()
    }


def _capitalised(sentence: Markup) -> Markup:
    """'systemet markerade …' starts a sentence as 'Systemet markerade …'."""
    text = str(sentence)
    if text[:1].islower():
        return Markup(text[0].upper() + text[1:])
    return sentence


_AUTHORISATION = re.compile(
    r"^(?P<model>.+) (?P<first>\d{4}-\d{2}-\d{2})–(?P<last>\d{4}-\d{2}-\d{2})$"
)
_TRAVEL_SET = re.compile(r"^(?P<a>[^–]+)–(?P<b>[^:]+): (?P<before>–|\d+) → (?P<after>\d+) min$")
_TRAVEL_DELETED = re.compile(r"^(?P<a>[^–]+)–(?P<b>[^:]+): (?P<minutes>\d+) min$")


class _Writer:
    def __init__(self, reader: Person, loaded: _Loaded):
        self.reader = reader
        self.loaded = loaded
        self.project_admin = reader.sees_every_project

    def row(self, entry: AuditEntry) -> AuditRow:
        try:
            sentence, note = self._write(entry)
        except Exception:  # a sentence is never worth a 500: say it plainly instead
            log.exception("audit entry %s could not be written as a sentence", entry.id)
            sentence, note = self._generic(entry), entry.detail or ""
        return AuditRow(entry, _capitalised(sentence), note)

    # -- the parts of a sentence ------------------------------------------------------
    def person(self, person_id: int | None) -> Markup:
        person = self.loaded.people.get(person_id) if person_id is not None else None
        if person is None or person.erased_at is not None:
            return escape(_("en borttagen person"))
        href = None
        if self.project_admin and person.has_role(Role.ASSESSOR):
            href = url_for("accounts.assessor", person_id=person.id)
        return _link(person.name, href)

    def actor(self, entry: AuditEntry) -> Markup:
        if entry.actor_id is None:
            return escape(_("systemet"))
        return self.person(entry.actor_id)

    def center(self, center_id: int | None) -> Markup:
        center = self.loaded.centers.get(center_id) if center_id is not None else None
        if center is None:
            return escape(_("ett testcenter som inte längre finns"))
        href = None
        if self.reader.is_staff_for_center(center.id):
            href = url_for("centers.admin", center_id=center.id)
        return _link(center.name, href)

    def session(self, session_id: int | None, with_day: bool = True) -> Markup:
        session = self.loaded.sessions.get(session_id) if session_id is not None else None
        if session is None:
            return escape(_("ett pass som inte längre finns"))
        model = _link(session.model.name, url_for("schedule.session_detail", session_id=session.id))
        parts = [model, self.center(session.center_id)]
        if with_day:
            parts.append(escape(long_date(session.starts_at)))
        return Markup(", ").join(parts)

    # -- one sentence per kind of change ------------------------------------------------
    def _write(self, entry: AuditEntry) -> tuple[Markup, str]:
        writer = {
            "booking": self._booking,
            "outcome": self._booking,
            "session": self._session,
            "person": self._person_change,
            "travel_buffer": self._travel_time,
            "project": self._project,
            "center": self._center_settings,
            "closure": self._closure,
        }.get(entry.entity)
        if writer is None:
            return self._generic(entry), entry.detail or ""
        return writer(entry)

    def _booking(self, entry: AuditEntry) -> tuple[Markup, str]:
        booking = self.loaded.bookings.get(entry.entity_id)
        if booking is None:
            return self._generic(entry), entry.detail or ""
        action = entry.action
        override = action.endswith(STAFF_OVERRIDE)
        if override:
            action = action[: -len(STAFF_OVERRIDE)]
        detail = entry.detail or ""
        if action == BookingEventKind.MOVED:
            detail = ""  # the session it went to, which the sentence names
        elif action == BookingEventKind.NO_SHOW and detail == "automatiskt":
            detail = _("Markerat automatiskt efter passet.")
        elif action == BookingEventKind.CANCELLED and detail == CALENDAR_REPLY_NOTE:
            detail = _("Med Avböj på inbjudan i kalendern.")
        notes = [_("Gjort av personal efter sista dag för ändringar.")] if override else []
        note = " ".join([*notes, detail]).strip()
        actor, person = self.actor(entry), self.person(booking.employee_id)
        session = self.session(booking.session_id)
        own = entry.actor_id is not None and entry.actor_id == booking.employee_id
        parts = dict(actor=actor, person=person, session=session)
        if entry.entity == "outcome" or action == BookingEventKind.OUTCOME:
            href = None
            if booking.session is not None and may_assess(self.reader, booking.session):
                href = url_for("results.outcome", booking_id=booking.id)
            parts["outcome"] = _link(_("resultatet"), href)
            return _say(
                _("%(actor)s registrerade %(outcome)s för %(person)s på %(session)s"), **parts
            ), note
        if action == BookingEventKind.BOOKED:
            if own:
                return _say(_("%(actor)s bokade en plats på %(session)s"), **parts), note
            return _say(_("%(actor)s bokade %(person)s på %(session)s"), **parts), note
        if action == BookingEventKind.WAITLISTED:
            if own:
                return _say(_("%(actor)s ställde sig i kön till %(session)s"), **parts), note
            return _say(_("%(actor)s ställde %(person)s i kön till %(session)s"), **parts), note
        if action == BookingEventKind.PROMOTED:
            return _say(_("%(person)s fick en plats från kön på %(session)s"), **parts), note
        if action == BookingEventKind.CANCELLED:
            if own:
                return _say(_("%(actor)s avbokade sin plats på %(session)s"), **parts), note
            return _say(_("%(actor)s avbokade %(person)s från %(session)s"), **parts), note
        if action == BookingEventKind.MOVED:
            parts["target"] = self.session(_moved_to(entry))
            if own:
                message = _("%(actor)s flyttade sin bokning från %(session)s till %(target)s")
            else:
                message = _("%(actor)s flyttade %(person)s från %(session)s till %(target)s")
            return _say(message, **parts), note
        if action == BookingEventKind.CHECKED_IN:
            return _say(_("%(actor)s checkade in %(person)s på %(session)s"), **parts), note
        if action == BookingEventKind.UNDO_CHECKIN:
            return _say(
                _("%(actor)s ångrade incheckningen av %(person)s på %(session)s"), **parts
            ), note
        if action == BookingEventKind.ATTENDED:
            return _say(
                _("%(actor)s markerade %(person)s som närvarande på %(session)s"), **parts
            ), note
        if action == BookingEventKind.NO_SHOW:
            return _say(
                _("%(actor)s markerade %(person)s som frånvarande på %(session)s"), **parts
            ), note
        return self._generic(entry), entry.detail or ""

    def _session(self, entry: AuditEntry) -> tuple[Markup, str]:
        session = self.loaded.sessions.get(entry.entity_id)
        actor = self.actor(entry)
        if session is None:
            return self._generic(entry), entry.detail or ""
        if entry.action == "created":
            return _say(
                _("%(actor)s skapade passet %(session)s"),
                actor=actor,
                session=self.session(session.id),
            ), ""
        if entry.action == "cancelled":
            note = entry.detail or ""
            if note:
                note = _("Orsak: %(reason)s", reason=note)
            return _say(
                _("%(actor)s ställde in passet %(session)s"),
                actor=actor,
                session=self.session(session.id),
            ), note
        if entry.action == "moved":
            return self._session_moved(entry, actor, session)
        if entry.action == ASSESSOR_CHANGED:
            before, arrow, after = (entry.detail or "").partition(" → ")
            if not (arrow and before and after):
                return self._generic(entry), entry.detail or ""
            message = _(
                "%(actor)s bytte testledare för passet %(session)s från %(before)s till %(after)s"
            )
            return _say(
                message,
                actor=actor,
                session=self.session(session.id),
                before=before,
                after=after,
            ), ""
        return self._generic(entry), entry.detail or ""

    def _session_moved(self, entry: AuditEntry, actor, session) -> tuple[Markup, str]:
        # "<earlier start> → <start> <testledare>"; before the earlier start was recorded,
        # "<start> <testledare>".
        words = (entry.detail or "").split(" ", 3)
        if len(words) == 4 and words[1] == "→":
            was, when, assessor = _aware(words[0]), _aware(words[2]), words[3]
        else:
            when_text, _sep, assessor = (entry.detail or "").partition(" ")
            was, when = None, _aware(when_text)
        if when is None or not assessor:
            return _say(
                _("%(actor)s flyttade passet %(session)s"),
                actor=actor,
                session=self.session(session.id),
            ), entry.detail or ""
        parts = dict(
            actor=actor,
            session=self.session(session.id, with_day=False),
            when=_("%(day)s kl. %(time)s", day=long_date(when), time=clock(when)),
            assessor=assessor,
        )
        if was is None:
            message = _(
                "%(actor)s flyttade passet %(session)s till %(when)s "
                "med %(assessor)s som testledare"
            )
        else:
            parts["was"] = _("%(day)s kl. %(time)s", day=long_date(was), time=clock(was))
            message = _(
                "%(actor)s flyttade passet %(session)s från %(was)s till %(when)s "
                "med %(assessor)s som testledare"
            )
        return _say(message, **parts), ""

    def _person_change(self, entry: AuditEntry) -> tuple[Markup, str]:
        actor, person = self.actor(entry), self.person(entry.entity_id)
        detail = entry.detail or ""
        if entry.action in ("authorised", "authorisation revoked"):
            match = _AUTHORISATION.match(detail)
            if match is None:
                return self._generic(entry), detail
            parts = dict(
                actor=actor,
                person=person,
                model=match["model"],
                first=long_date(date.fromisoformat(match["first"])),
                last=long_date(date.fromisoformat(match["last"])),
            )
            if entry.action == "authorised":
                message = _(
                    "%(actor)s gav %(person)s behörighet som testledare i %(model)s "
                    "från %(first)s till och med %(last)s"
                )
            else:
                message = _(
                    "%(actor)s tog bort behörigheten för %(person)s som testledare i %(model)s "
                    "(%(first)s till och med %(last)s)"
                )
            return _say(message, **parts), ""
        if entry.action == "home center":
            center_id = _home_center_id(entry)
            if center_id is None and detail.strip():
                return self._generic(entry), detail
            if center_id is None:
                return _say(
                    _("%(actor)s tog bort hemmacentret för %(person)s"), actor=actor, person=person
                ), ""
            return _say(
                _("%(actor)s gjorde %(center)s till hemmacenter för %(person)s"),
                actor=actor,
                person=person,
                center=self.center(center_id),
            ), ""
        if entry.action in _EMPLOYMENT:
            return _say(_EMPLOYMENT[entry.action](), actor=actor, person=person), detail
        if entry.action == "erased":
            return _say(
                _("%(actor)s tog bort personuppgifterna för %(person)s"),
                actor=actor,
                person=person,
            ), ""
        if entry.action == PROJECT_ADMIN_SCOPE:
            if not detail:
                return _say(
                    _("%(actor)s lät %(person)s administrera alla projekt"),
                    actor=actor,
                    person=person,
                ), ""
            return _say(
                _("%(actor)s begränsade %(person)s till att administrera %(projects)s"),
                actor=actor,
                person=person,
                projects=detail,
            ), ""
        return self._generic(entry), detail

    def _travel_time(self, entry: AuditEntry) -> tuple[Markup, str]:
        detail = entry.detail or ""
        href = url_for("centers.travel_times") if self.project_admin else None
        parts = dict(actor=self.actor(entry), travel=_link(_("restiden"), href))
        if entry.action == "set" and (match := _TRAVEL_SET.match(detail)):
            parts |= dict(a=match["a"], b=match["b"], after=match["after"])
            if match["before"] == "–":
                message = _(
                    "%(actor)s satte %(travel)s mellan %(a)s och %(b)s till %(after)s minuter"
                )
            else:
                parts["before"] = match["before"]
                message = _(
                    "%(actor)s ändrade %(travel)s mellan %(a)s och %(b)s "
                    "från %(before)s till %(after)s minuter"
                )
            return _say(message, **parts), ""
        if entry.action == "deleted" and (match := _TRAVEL_DELETED.match(detail)):
            parts |= dict(a=match["a"], b=match["b"], minutes=match["minutes"])
            return _say(
                _("%(actor)s tog bort %(travel)s mellan %(a)s och %(b)s (%(minutes)s minuter)"),
                **parts,
            ), ""
        return self._generic(entry), detail

    def _project(self, entry: AuditEntry) -> tuple[Markup, str]:
        """A company added to or removed from a project; the detail is the company's name."""
        project = self.loaded.projects.get(entry.entity_id)
        if project is None:
            name = escape(_("ett projekt som inte längre finns"))
        else:
            href = url_for("reports.project_settings", project_id=project.id)
            name = _link(project.name, href if self.project_admin else None)
        parts = dict(actor=self.actor(entry), company=entry.detail or "?", project=name)
        if entry.action == "company added":
            return _say(_("%(actor)s lade till %(company)s i projektet %(project)s"), **parts), ""
        if entry.action == "company removed":
            return _say(_("%(actor)s tog bort %(company)s ur projektet %(project)s"), **parts), ""
        return self._generic(entry), entry.detail or ""

    def _center_settings(self, entry: AuditEntry) -> tuple[Markup, str]:
        """A center's opening hours or workstation counts, each change "before → after"."""
        parts = dict(actor=self.actor(entry), center=self.center(entry.center_id))
        if entry.action == "opening hours" and (found := _changes(entry, _HOURS_CHANGE)):
            days = [wide for _short, wide in formatting.weekday_names()]
            parts["changes"] = ", ".join(
                f"{days[int(m['day'])]} {self._hours(m['before'])} → {self._hours(m['after'])}"
                for m in found
            )
            return _say(
                _("%(actor)s ändrade öppettiderna för %(center)s: %(changes)s"), **parts
            ), ""
        if entry.action == "workstations" and (found := _changes(entry, _WORKSTATION_CHANGE)):
            kinds = self.loaded.workstation_kinds or {}
            if all(int(m["kind"]) in kinds for m in found):
                parts["changes"] = ", ".join(
                    f"{kinds[int(m['kind'])].name} {m['before']} → {m['after']}" for m in found
                )
                return _say(
                    _("%(actor)s ändrade arbetsplatserna för %(center)s: %(changes)s"), **parts
                ), ""
        return self._generic(entry), entry.detail or ""

    @staticmethod
    def _hours(span: str) -> str:
        """'08:00–16:00' in the reader's clock ('08.00–16.00' in Swedish); '–' is closed."""
        if span == "–":
            return _("stängt")
        opens, closes = (datetime.strptime(t, "%H:%M").time() for t in span.split("–"))
        return f"{clock(opens)}–{clock(closes)}"

    def _closure(self, entry: AuditEntry) -> tuple[Markup, str]:
        """Days a center closed, or a holiday it opened anyway, added or removed."""
        match = _CLOSURE.match(entry.detail or "")
        messages = {
            "closed": _("%(actor)s stängde %(center)s %(days)s: %(reason)s"),
            "closure removed": _(
                "%(actor)s tog bort stängningen av %(center)s %(days)s: %(reason)s"
            ),
            "open anyway": _("%(actor)s öppnade %(center)s trots helgdag %(days)s: %(reason)s"),
            "open anyway removed": _(
                "%(actor)s tog bort undantaget öppet trots helgdag för %(center)s %(days)s: "
                "%(reason)s"
            ),
        }
        if match is None or entry.action not in messages:
            return self._generic(entry), entry.detail or ""
        first, last = (date.fromisoformat(match[end]) for end in ("first", "last"))
        days = formatting.day_span(first, last)
        return _say(
            messages[entry.action],
            actor=self.actor(entry),
            center=self.center(entry.center_id),
            days=days,
            reason=match["reason"],
        ), ""

    # -- anything else ----------------------------------------------------------------
    def _object(self, entry: AuditEntry) -> Markup:
        if entry.entity in ("booking", "outcome"):
            booking = self.loaded.bookings.get(entry.entity_id)
            if booking is None:
                return escape(_("en bokning som inte längre finns"))
            return _say(
                _("bokningen för %(person)s på %(session)s"),
                person=self.person(booking.employee_id),
                session=self.session(booking.session_id),
            )
        if entry.entity == "session":
            if entry.entity_id not in self.loaded.sessions:
                return self.session(None)
            return _say(_("passet %(session)s"), session=self.session(entry.entity_id))
        if entry.entity == "person":
            return self.person(entry.entity_id)
        if entry.entity == "travel_buffer":
            return escape(_("en restid"))
        if entry.entity in ("center", "closure"):
            return self.center(entry.center_id)
        if entry.entity == "project" and entry.entity_id in self.loaded.projects:
            return escape(self.loaded.projects[entry.entity_id].name)
        return escape(f"{entry.entity} {entry.entity_id}")

    def _generic(self, entry: AuditEntry) -> Markup:
        try:
            thing = self._object(entry)
        except Exception:
            log.exception("audit entry %s names an object that could not be shown", entry.id)
            thing = escape(f"{entry.entity} {entry.entity_id}")
        return _say(
            _("%(actor)s ändrade %(object)s (%(action)s)"),
            actor=self.actor(entry),
            object=thing,
            action=entry.action.replace("_", " "),
        )

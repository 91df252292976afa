"""GDPR: everything stored about a person, and erasing a person.

Erasing keeps the person's row (with its company and roles) and their bookings and
outcomes, so the reports still count them, but removes everything that tells who
they were: name, e-mail, phone, language, password, free-text notes, a testledare's
authorisations, availability and absences, tokens, calendar entries and mail.

What others wrote about a participant (the testledare's result comment and proposed
training) belongs to that participant and stays when its author is erased; only a
mention of the erased person's own name or address in it is replaced.

Every text column is in one of two lists below: FREE_TEXT_FIELDS, where a mention of
the erased person is replaced, or NO_PERSONAL_TEXT, with the reason it needs nothing.
tests/test_erasure_scrub.py fails for a new column that is in neither, so that whoever
adds one decides.
"""

import re

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from app.accounts.models import LoginSession, Person
from app.api.models import ApiToken
from app.audit import services as audit
from app.audit.models import AuditEntry
from app.bookings.models import Booking, BookingEvent
from app.calendar.models import CalendarEntry, FeedToken
from app.centers.models import TestCenter
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.text import readable_text, rewrite_text
from app.results.models import AreaOutcome
from app.schedule.models import (
    AssessorAbsence,
    AssessorAuthorisation,
    AssessorAvailability,
    ValidationSession,
)

ERASED_NAME = "Borttagen person"

# Text that people type, or that is written from what they typed, and may name anyone:
# a mention of the erased person's name or address is replaced, the rest kept. By
# "table.column", as some tables belong to features above this one.
FREE_TEXT_FIELDS = (
    "audit_log.detail",
    "booking_event.note",
    "booking.result_comment",
    "booking.support_note",
    "area_outcome.training",
    "assessor_absence.reason",
    "center_closure.reason",
    "api_token.name",
    "outbox_message.subject",
    "outbox_message.payload",
    "outbox_message.last_error",
    # The stored mail itself (MIME, its parts encoded): decoded, changed, written again.
    "outbox_message.raw",
    "webhook_delivery.payload",
    "webhook_delivery.last_error",
    "webhook_subscription.disabled_reason",
    # An API answer kept for a retry with the same Idempotency-Key: it may name people.
    "api_idempotency_record.response_body",
)

_CODE = "a code from a fixed list"
_REFERENCE = "reference data, not typed about people"
_GENERATED = "generated: a token, hash, key or id"
_OWN = "the erased person's own field: replaced or cleared as a whole"

# Text columns that hold no free text about anyone, and why.
NO_PERSONAL_TEXT = {
    "person.name": _OWN,
    "person.email": _OWN,
    "person.phone": _OWN,
    "person.locale": _OWN,
    "person.password_hash": _OWN,
    "role_grant.role": _CODE,
    "company.name": "the company's registered name (a sole trader's is its legal name)",
    "company.org_number": "the company's registered number",
    "company.industry": _CODE,
    "test_center.name": "the center's name",
    "test_center.street_address": "the center's address",
    "test_center.postal_code": "the center's address",
    "test_center.postal_town": "the center's address",
    # The organiser of every invite: never rewritten; erase() refuses while it names
    # the person, and the center admin puts in the new contact.
    "test_center.contact_name": "the center's contact: erasing waits until it is changed",
    "test_center.contact_email": "the center's contact: erasing waits until it is changed",
    "test_center.contact_phone": "the center's contact: erasing waits until it is changed",
    "workstation_kind.code": _REFERENCE,
    "workstation_kind.name": _REFERENCE,
    "county.code": _REFERENCE,
    "county.name": _REFERENCE,
    "municipality.code": _REFERENCE,
    "municipality.name": _REFERENCE,
    "competence_area.code": _REFERENCE,
    "competence_area.name": _REFERENCE,
    "validation_model.code": _REFERENCE,
    "validation_model.name": _REFERENCE,
    "validation_model.owner": _REFERENCE,
    "validation_model.description": _REFERENCE,
    "funding_project.name": _REFERENCE,
    "project_target.industry": _CODE,
    "validation_session.status": _CODE,
    "booking.status": _CODE,
    "booking.request_key": _GENERATED,
    "booking.support_needs": "codes from a fixed list (the person's own are cleared)",
    "booking_event.kind": _CODE,
    "area_outcome.result": _CODE,
    "audit_log.entity": _CODE,
    "audit_log.action": _CODE,
    "api_token.token_hash": _GENERATED,
    "api_token.prefix": _GENERATED,
    "feed_token.token": _GENERATED,
    "calendar_entry.uid": _GENERATED,
    "calendar_entry.role": _CODE,
    "calendar_entry.fingerprint": _GENERATED,
    "outbox_message.kind": _CODE,
    "outbox_message.recipient": "mail to the erased address is deleted; others' are theirs",
    "outbox_message.dedupe_key": _GENERATED,
    "outbox_message.claimed_by": _GENERATED,
    "login_session.id": _GENERATED,
    "login_session.user_agent": "what the browser calls itself",
    "webhook_subscription.url": "the receiver's address, typed by its owner for a machine",
    "webhook_subscription.secret": _GENERATED,
    "webhook_subscription.event_types": _CODE,
    "webhook_delivery.msg_id": _GENERATED,
    "webhook_delivery.event_type": _CODE,
    "webhook_delivery.claimed_by": _GENERATED,
    "api_idempotency_record.key": "chosen by the client's program for a retry",
    "api_idempotency_record.fingerprint": _GENERATED,
    "api_idempotency_record.claim": _GENERATED,
    "api_idempotency_record.state": _CODE,
    "api_idempotency_record.response_headers": "the answer's Location headers: paths",
}


def _iso(value):
    return value.isoformat() if value is not None else None


def _session(session: ValidationSession) -> dict:
    return {
        "session_id": session.id,
        "validation": session.model.name,
        "test_center": session.center.name,
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
    }


def export(person: Person) -> dict:
    """Everything stored about the person, as plain JSON-ready data.

    Other people appear in it only as ids (a booking, a session): what the person
    did to someone else's booking is theirs, who that someone is is not. Secrets
    (password hash, token values) are never included, only that they exist.
    """
    scalars = db.session.scalars
    bookings = scalars(
        select(Booking)
        .where(Booking.employee_id == person.id)
        .options(
            selectinload(Booking.session).selectinload(ValidationSession.model),
            selectinload(Booking.session).selectinload(ValidationSession.center),
        )
        .order_by(Booking.id)
    ).all()
    booking_ids = [b.id for b in bookings]
    by_booking: dict[int, list] = {}
    for o in scalars(
        select(AreaOutcome).where(AreaOutcome.booking_id.in_(booking_ids)).order_by(AreaOutcome.id)
    ):
        by_booking.setdefault(o.booking_id, []).append(
            {
                "area": o.area.name,
                "result": o.result,
                "training": o.training,
                "recorded_at": _iso(o.recorded_at),
            }
        )
    events = scalars(
        select(BookingEvent)
        .where(BookingEvent.booking_id.in_(booking_ids))
        .order_by(BookingEvent.id)
    ).all()
    # What they did to other people's bookings: booked, cancelled, checked in, assessed.
    actions = scalars(
        select(BookingEvent)
        .join(Booking, Booking.id == BookingEvent.booking_id)
        .where(BookingEvent.actor_id == person.id, Booking.employee_id != person.id)
        .order_by(BookingEvent.id)
    ).all()
    sessions_run = scalars(
        select(ValidationSession)
        .where(ValidationSession.assessor_id == person.id)
        .options(selectinload(ValidationSession.model), selectinload(ValidationSession.center))
        .order_by(ValidationSession.starts_at, ValidationSession.id)
    ).all()
    recorded = scalars(
        select(AreaOutcome)
        .where(AreaOutcome.recorded_by_id == person.id)
        .options(selectinload(AreaOutcome.booking))
        .order_by(AreaOutcome.id)
    ).all()
    authorisations = scalars(
        select(AssessorAuthorisation)
        .where(AssessorAuthorisation.person_id == person.id)
        .options(selectinload(AssessorAuthorisation.model))
        .order_by(AssessorAuthorisation.valid_from, AssessorAuthorisation.id)
    ).all()
    weekly = scalars(
        select(AssessorAvailability)
        .where(AssessorAvailability.person_id == person.id)
        .order_by(AssessorAvailability.weekday)
    ).all()
    absences = scalars(
        select(AssessorAbsence)
        .where(AssessorAbsence.person_id == person.id)
        .order_by(AssessorAbsence.first_day, AssessorAbsence.id)
    ).all()
    entries = scalars(
        select(CalendarEntry).where(CalendarEntry.person_id == person.id).order_by(CalendarEntry.id)
    ).all()
    feed = db.session.get(FeedToken, person.id)
    session_ids = [s.id for s in sessions_run]
    about_me = scalars(
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.entity == "person") & (AuditEntry.entity_id == person.id),
                AuditEntry.entity.in_(("booking", "outcome"))
                & AuditEntry.entity_id.in_(booking_ids),
                (AuditEntry.entity == "session") & AuditEntry.entity_id.in_(session_ids),
            )
        )
        .order_by(AuditEntry.id)
    ).all()
    return {
        "person": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "language": person.locale,
            "company": person.company.name if person.company else None,
            "company_org_number": person.company.org_number if person.company else None,
            "home_center": person.home_center.name if person.home_center else None,
            "roles": sorted(person.roles),
            "role_grants": [
                {
                    "role": g.role,
                    "center_id": g.center_id,
                    "center": _center_name(g.center_id),
                }
                for g in sorted(person.role_grants, key=lambda g: (g.role, g.center_id or 0))
            ],
            "created_at": _iso(person.created_at),
            "active": person.active,
            "has_password": bool(person.password_hash),
        },
        "bookings": [
            {
                "id": b.id,
                **_session(b.session),
                "status": b.status,
                "waitlist_number": b.waitlist_number,
                "booked_at": _iso(b.created_at),
                "booked_by_self": b.booked_by_id == person.id,
                "confirmed_at": _iso(b.confirmed_at),
                "moved_from_booking_id": b.moved_from_id,
                "cancelled_at": _iso(b.cancelled_at),
                "cancelled_by_self": b.cancelled_by_id == person.id
                if b.cancelled_by_id is not None
                else None,
                "checked_in_at": _iso(b.checked_in_at),
                "updated_at": _iso(b.updated_at),
                "support_needs": b.support_need_codes,
                "support_note": b.support_note,
                "result_comment": b.result_comment,
                "outcomes": by_booking.get(b.id, []),
            }
            for b in bookings
        ],
        "booking_history": [
            {
                "booking_id": e.booking_id,
                "event": e.kind,
                "at": _iso(e.at),
                "by_self": e.actor_id == person.id,
                "staff_override": e.staff_override,
                "note": e.note,
            }
            for e in events
        ],
        "actions_on_others_bookings": [
            {
                "booking_id": e.booking_id,
                "event": e.kind,
                "at": _iso(e.at),
                "staff_override": e.staff_override,
            }
            for e in actions
        ],
        "assessor_authorisations": [
            {
                "validation": a.model.name,
                "valid_from": _iso(a.valid_from),
                "valid_to": _iso(a.valid_to),
            }
            for a in authorisations
        ],
        "availability": {
            "weekly": [
                {"weekday": a.weekday, "starts": _iso(a.starts), "ends": _iso(a.ends)}
                for a in weekly
            ],
            "absences": [
                {
                    "first_day": _iso(a.first_day),
                    "last_day": _iso(a.last_day),
                    "reason": a.reason,
                }
                for a in absences
            ],
        },
        "sessions_as_assessor": [
            {
                **_session(s),
                "status": s.status,
                "seats": s.seats,
                "seats_taken": s.seats_taken,
                "created_at": _iso(s.created_at),
            }
            for s in sessions_run
        ],
        # The participant's verdict is theirs: only that, when and where it was recorded.
        "outcomes_recorded": [
            {
                "booking_id": o.booking_id,
                "session_id": o.booking.session_id,
                "area": o.area.name,
                "recorded_at": _iso(o.recorded_at),
            }
            for o in recorded
        ],
        "calendar_entries": [
            {
                "uid": c.uid,
                "role": c.role,
                "session_id": c.session_id,
                "booking_id": c.booking_id,
                "sequence": c.sequence,
                "cancelled": c.cancelled,
                "updated_at": _iso(c.updated_at),
            }
            for c in entries
        ],
        "calendar_feed": feed is not None,
        "calendar_feed_created_at": _iso(feed.created_at) if feed else None,
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in scalars(
                select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.id)
            )
        ],
        "mail": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
                "state": m.state,
            }
            for m in scalars(
                select(OutboxMessage).where(_to(person.email)).order_by(OutboxMessage.id)
            )
        ],
        # Details may name others (a session moved to another testledare): left out.
        "changes_made": [
            {"entity": a.entity, "id": a.entity_id, "action": a.action, "at": _iso(a.at)}
            for a in audit.entries_by_actor(person.id)
        ],
        "changes_about_me": [
            {
                "entity": a.entity,
                "id": a.entity_id,
                "action": a.action,
                "at": _iso(a.at),
                "by_self": a.actor_id == person.id,
                "detail": a.detail if a.entity in ("booking", "outcome", "person") else None,
            }
            for a in about_me
        ],
    }


def _center_name(center_id: int | None) -> str | None:
    center = db.session.get(TestCenter, center_id) if center_id is not None else None
    return center.name if center else None


def _to(email: str):
    """Mail to the address, also if it was written in other case."""
    return or_(
        OutboxMessage.recipient == email,
        func.lower(OutboxMessage.recipient) == email.lower(),
    )


def _mentions(name: str, email: str) -> tuple[re.Pattern | None, list[str]]:
    """A pattern for the ways the person is written about, and texts to narrow rows by.

    The full name, first and last name alone ("Anna Berg" for "Anna Maria Berg"),
    "Berg, Anna", and the address; as whole words in any case, also with a genitive s
    ("Anna Bergs" yes, "Anna Bergström" no). A first name alone is not replaced: it
    would take every other Anna out of the audit log.
    """
    parts = name.split()
    forms = [" ".join(parts)]
    if len(parts) > 2:
        forms.append(f"{parts[0]} {parts[-1]}")
    if len(parts) >= 2:
        forms.append(f"{parts[-1]}, {parts[0]}")
    forms.append(email.strip())
    forms = [f for f in dict.fromkeys(forms) if len(f) >= 3]
    if not forms:
        return None, []
    words = "|".join(r"\s+".join(re.escape(w) for w in f.split()) for f in forms)
    pattern = re.compile(rf"(?<!\w)(?:{words})(?=s?(?!\w))", re.IGNORECASE)
    # ILIKE ignores case in both databases, but SQLite only for ASCII letters: the usual
    # ways of writing a name (Åsa Öberg, åsa öberg, ÅSA ÖBERG) are asked for as well.
    variants = {v for f in forms for v in (f, f.lower(), f.upper(), f.title())}
    return pattern, sorted(variants)


def _field_column(field: str):
    """The column of a "table.column" name, or None for a feature's table not in use."""
    table_name, column_name = field.split(".")
    table = db.metadata.tables.get(table_name)
    return None if table is None else table.c[column_name]


def _replace_mentions(name: str, email: str) -> None:
    """Replace the person's name and address in every free-text field (FREE_TEXT_FIELDS).

    ILIKE narrows the rows in the database; the regular expression decides, the same
    on both. Stored mail is encoded, so every stored message is read.
    """
    pattern, variants = _mentions(name, email)
    if pattern is None:
        return

    def scrub(text: str) -> str:
        return pattern.sub(ERASED_NAME, text)

    for field in FREE_TEXT_FIELDS:
        column = _field_column(field)
        if column is None:
            continue
        table = column.table
        key = list(table.primary_key.columns)
        query = select(*key, column).where(column.is_not(None))
        if field != "outbox_message.raw":
            query = query.where(or_(*(column.icontains(v, autoescape=True) for v in variants)))
        changes = []
        for *ids, value in db.session.execute(query.execution_options(yield_per=200)):
            if isinstance(value, bytes):
                mentioned = pattern.search(readable_text(value))
                new = rewrite_text(value, scrub) if mentioned else None
            else:
                new = scrub(value)
                new = None if new == value else new
            if new is not None:
                changes.append((ids, new))
        for ids, new in changes:
            where = [c == i for c, i in zip(key, ids, strict=True)]
            db.session.execute(update(table).where(*where).values({column.name: new}))


def _contact_of(name: str, email: str) -> TestCenter | None:
    """A test center whose published contact is this person (by address or name)."""
    pattern, _variants = _mentions(name, "")
    for center in db.session.scalars(select(TestCenter).order_by(TestCenter.id)):
        if center.contact_email.strip().lower() == email.lower():
            return center
        if pattern is not None and pattern.fullmatch(center.contact_name.strip()):
            return center
    return None


def erase(person_id: int, actor: Person) -> Person:
    """Remove a person's personal data; their bookings and outcomes stay, anonymous."""
    if not actor.has_role("project_admin"):
        raise Forbidden()
    now = utcnow()
    with unit_of_work():
        person = db.session.get(Person, person_id)
        if person is None:
            raise NotFound(_("Personen finns inte."))
        if person.erased_at is not None:
            raise DomainError(_("Personens uppgifter är redan borttagna."))
        if person.id == actor.id:
            raise DomainError(_("Du kan inte ta bort dina egna uppgifter själv."))
        upcoming = db.session.scalar(
            select(Booking.id)
            .join(Booking.session)
            .where(
                Booking.employee_id == person.id,
                Booking.status.in_(("confirmed", "waitlisted")),
                ValidationSession.ends_at > now,
            )
            .limit(1)
        )
        if upcoming is not None:
            raise DomainError(
                _("Personen har kommande bokningar. Avboka dem först, så får kön platserna.")
            )
        # A session still to come (or running) would have nobody to run it.
        running = db.session.scalar(
            select(ValidationSession.id)
            .where(
                ValidationSession.assessor_id == person.id,
                ValidationSession.status == "scheduled",
                ValidationSession.ends_at > now,
            )
            .limit(1)
        )
        if running is not None:
            raise DomainError(
                _(
                    "Personen är testledare för kommande pass. "
                    "Byt testledare eller ställ in passen först."
                )
            )
        # The organiser of the center's invites: not rewritten to nobody, changed first.
        center = _contact_of(person.name, person.email)
        if center is not None:
            raise DomainError(
                _(
                    "Personen är kontaktperson för %(center)s. Byt kontaktperson på "
                    "testcentrets sida först.",
                    center=center.name,
                )
            )
        old_name, old_email = person.name, person.email
        db.session.execute(delete(OutboxMessage).where(_to(old_email)))
        for table in (
            LoginSession,
            FeedToken,
            ApiToken,
            CalendarEntry,
            AssessorAuthorisation,
            AssessorAvailability,
            AssessorAbsence,
        ):
            db.session.execute(delete(table).where(table.person_id == person.id))
        bookings = db.session.scalars(select(Booking).where(Booking.employee_id == person.id)).all()
        booking_ids = [b.id for b in bookings]
        for booking in bookings:
            booking.support_note = ""
            booking.support_needs = ""
            booking.result_comment = ""
        for outcome in db.session.scalars(
            select(AreaOutcome).where(AreaOutcome.booking_id.in_(booking_ids))
        ):
            outcome.training = ""
        for event in db.session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id.in_(booking_ids))
        ):
            event.note = ""
        db.session.flush()
        _replace_mentions(old_name, old_email)
        person.name = ERASED_NAME
        person.email = f"borttagen-{person.id}@invalid.invalid"
        person.phone = None
        person.locale = None
        person.home_center_id = None
        person.password_hash = None
        person.active = False
        person.session_version += 1
        person.erased_at = now
        audit.record(actor, "person", person.id, "erased", at=now)
        return person

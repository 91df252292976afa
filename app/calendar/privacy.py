"""Calendar entries, the calendar feed and mail in the GDPR export and erasure (see
app.accounts.privacy)."""

from sqlalchemy import delete, func, or_, select, update

from app.accounts.models import Person
from app.accounts.privacy import CODE, GENERATED, EncodedText, Part, iso, mentions
from app.calendar.models import CalendarEntry, FeedToken
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.text import readable_text, rewrite_text


def _to(email: str):
    """Mail to the address, also if it was written in other case."""
    return or_(
        OutboxMessage.recipient == email,
        func.lower(OutboxMessage.recipient) == email.lower(),
    )


def _export(person: Person) -> dict:
    scalars = db.session.scalars
    entries = scalars(
        select(CalendarEntry).where(CalendarEntry.person_id == person.id).order_by(CalendarEntry.id)
    ).all()
    feed = db.session.get(FeedToken, person.id)
    return {
        "calendar_entries": [
            {
                "uid": c.uid,
                "role": c.role,
                "session_id": c.session_id,
                "booking_id": c.booking_id,
                "sequence": c.sequence,
                "cancelled": c.cancelled,
                "updated_at": iso(c.updated_at),
            }
            for c in entries
        ],
        "calendar_feed": feed is not None,
        "calendar_feed_created_at": iso(feed.created_at) if feed else None,
        "mail": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "created_at": iso(m.created_at),
                "sent_at": iso(m.sent_at),
                "state": m.state,
            }
            for m in scalars(
                select(OutboxMessage).where(_to(person.email)).order_by(OutboxMessage.id)
            )
        ],
    }


def _erase(person: Person) -> None:
    db.session.execute(delete(OutboxMessage).where(_to(person.email)))
    for table in (FeedToken, CalendarEntry):
        db.session.execute(delete(table).where(table.person_id == person.id))
    # Others' stored feed texts name a center's contact, which the person may have been:
    # their key holds that name and address unfolded. Dropped, they are written anew.
    _pattern, variants = mentions(person.name, person.email)
    if variants:
        db.session.execute(
            update(CalendarEntry)
            .where(or_(*(CalendarEntry.feed_key.icontains(v, autoescape=True) for v in variants)))
            .values(feed_text=None, feed_key=None)
        )


PART = Part(
    "calendar",
    export=_export,
    erase=_erase,
    free_text=(
        "outbox_message.subject",
        "outbox_message.payload",
        "outbox_message.last_error",
        # The stored mail itself (MIME, its parts encoded): decoded, changed, written again.
        "outbox_message.raw",
    ),
    encoded={"outbox_message.raw": EncodedText(readable_text, rewrite_text)},
    no_personal_text={
        "feed_token.token": GENERATED,
        "calendar_entry.uid": GENERATED,
        "calendar_entry.role": CODE,
        "calendar_entry.fingerprint": GENERATED,
        # A feed event names no participant or testledare (no ORGANIZER or ATTENDEE),
        # only the center's contact: cleared on erasure where the key names the person.
        "calendar_entry.feed_key": "the event's inputs; cleared where it names the erased",
        "calendar_entry.feed_text": "the event as the feed writes it; cleared with feed_key",
        "outbox_message.kind": CODE,
        "outbox_message.recipient": "mail to the erased address is deleted; others' are theirs",
        "outbox_message.dedupe_key": GENERATED,
        "outbox_message.claimed_by": GENERATED,
    },
)

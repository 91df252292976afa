"""Erasing a person replaces their name and address in every free-text field.

Staff type names where they like: a closure's reason, an absence, a comment, a token's
label. Every text column is either listed in privacy.FREE_TEXT_FIELDS (scrubbed) or in
privacy.NO_PERSONAL_TEXT (with the reason it needs nothing); a new column in neither
fails here until someone decides.
"""

import json
import re
from email import message_from_bytes, policy

from sqlalchemy import LargeBinary, String, func, inspect, select

from app.accounts.models import EmployeeImport, Person
from app.accounts.privacy import ERASED_NAME, FREE_TEXT_FIELDS, NO_PERSONAL_TEXT
from app.api.models import ApiToken
from app.audit import services as audit
from app.audit.models import AuditEntry
from app.bookings.models import Booking, BookingEvent
from app.bookings.services import book_seat, cancel_booking
from app.calendar.feeds import ensure_feed_token
from app.calendar.models import CalendarEntry
from app.centers.models import CenterClosure, TestCenter
from app.extensions import db
from app.mail.compose import compose
from app.mail.models import OutboxMessage
from app.results.models import AreaOutcome
from app.results.services import model_areas
from app.schedule.models import AssessorAbsence, ValidationSession
from tests.access_world import OWNER_EMAIL, OWNER_NAME, build_world, sign_in_clients
from tests.forms import form_of

# Rows of the webhook and API-retry features are made by their own tests; the same
# query scrubs them.
NOT_WRITTEN_HERE = {
    "webhook_delivery.payload",
    "webhook_delivery.last_error",
    "webhook_subscription.disabled_reason",
    "api_idempotency_record.response_body",
}
# How staff write her: any case, surname first, genitive, her address.
MENTIONS = ("Åsa Ägarsson", "ÅSA ÄGARSSON", "åsa ägarsson", "Ägarsson, Åsa", "Åsa Ägarssons")
GONE = re.compile(r"ägarsson|agarsson", re.IGNORECASE)


def _text_columns(app) -> set[str]:
    """Every text column, in the models and in the database the migrations built."""
    found = {
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, String | LargeBinary)
    }
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        for column in inspector.get_columns(table):
            if isinstance(column["type"], String | LargeBinary):
                found.add(f"{table}.{column['name']}")
    return found


def test_every_text_column_is_scrubbed_or_said_to_hold_no_personal_text(app):
    with app.app_context():
        columns = _text_columns(app)
    listed = set(FREE_TEXT_FIELDS) | set(NO_PERSONAL_TEXT)
    assert not set(FREE_TEXT_FIELDS) & set(NO_PERSONAL_TEXT)
    undecided = sorted(columns - listed)
    assert not undecided, (
        f"New text columns {undecided}: add each to FREE_TEXT_FIELDS (a mention of an "
        "erased person is replaced) or to NO_PERSONAL_TEXT with the reason, in the "
        "privacy.py of the table's feature"
    )
    # A listed column of a table in use must exist (a misspelt name would scrub nothing).
    tables = {name.split(".")[0] for name in columns}
    stale = sorted(n for n in listed - columns if n.split(".")[0] in tables)
    assert not stale, stale


def _mail_to_someone_else(app, address: str) -> bytes:
    with app.test_request_context():
        return compose(
            ("Kim Kollega", address),
            "Samåkning med Åsa Ägarsson",
            f"Hej! {MENTIONS[1]} åker med dig. Fråga {OWNER_EMAIL} om tiden.\n",
            f"<p>Hej! {MENTIONS[2]} åker med dig.</p>",
        ).as_bytes(policy=policy.SMTP)


def _decoded(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    texts = [str(message["Subject"])]
    texts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
    return "\n".join(texts)


def _erase(client, person_id):
    page = client.get(f"/people/{person_id}/erase")
    if page.status_code != 200:
        return page
    return form_of(page, client, button="Ta bort för alltid").submit()


def test_erasing_replaces_the_name_wherever_staff_wrote_it(app, make):
    with app.app_context():
        world = build_world(make)
        ids, people = world.ids, world.people
        owner = db.session.get(Person, ids["owner"])
        cancel_booking(ids["booking"], owner)
        colleague = db.session.get(Person, ids["colleague"])
        assessor = db.session.get(Person, ids["assessor"])
        # Someone else's past booking, with a result, that mentions her.
        past = db.session.get(ValidationSession, ids["past_session"])
        theirs = Booking(
            session=past,
            employee=colleague,
            booked_by=colleague,
            status="attended",
            support_note=f"Samåker med {MENTIONS[0]}",
            result_comment=f"Gjorde provet ihop med {MENTIONS[3]}, bra.",
        )
        db.session.add(theirs)
        db.session.flush()
        db.session.add(
            BookingEvent(
                booking=theirs, kind="booked", actor=colleague, note=f"Bytt med {MENTIONS[4]} plats"
            )
        )
        area = model_areas(past.model_id)[0]
        db.session.add(
            AreaOutcome(
                booking=theirs,
                area_id=area.id,
                result="not_yet",
                recorded_by=assessor,
                training=f"Läs ritningar, som {MENTIONS[2]}.",
            )
        )
        # The reported case: a closure's reason. A first name alone, or another Åsa, stays.
        closure = db.session.get(CenterClosure, ids["closure"])
        closure.reason = f"Stängt, {MENTIONS[2]} sjuk; Åsa Berg vikarierar"
        db.session.get(
            TestCenter, closure.center_id
        ).accessibility = f"Hiss till plan 2; fråga {MENTIONS[1]} i receptionen."
        db.session.get(AssessorAbsence, ids["absence"]).reason = f"Handleder {MENTIONS[0]}"
        past.cancel_reason = f"Inställt: {MENTIONS[3]} är sjuk"
        token = db.session.scalar(select(ApiToken).where(ApiToken.person_id == colleague.id))
        token.name = f"Skript av {MENTIONS[1]}"
        audit.record(
            people["center_admin"],
            "session",
            past.id,
            "moved",
            detail=f"På begäran av {MENTIONS[4]} chef",
        )
        # Mail to others that names her: a stored message, and an invite kept as its snapshot.
        db.session.add(
            OutboxMessage(
                kind="invitation",
                recipient=colleague.email,
                subject=f"Samåkning med {MENTIONS[0]}",
                stored_raw=_mail_to_someone_else(app, colleague.email),
                last_error=f"550 {OWNER_EMAIL} okänd",
            )
        )
        db.session.commit()
        book_seat(ids["other_session"], colleague, colleague)
        letter = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.recipient == colleague.email, OutboxMessage.payload.is_not(None)
            )
        )
        payload = json.loads(letter.payload)
        payload["details"] = f"Samåk med {MENTIONS[0]}"
        letter.payload = json.dumps(payload, ensure_ascii=False)
        db.session.commit()
        theirs_id, past_id = theirs.id, past.id

    clients = sign_in_clients(app, world)
    assert _erase(clients["project_admin"], ids["owner"]).status_code == 302

    with app.app_context():
        values = {
            "center_closure.reason": db.session.get(CenterClosure, ids["closure"]).reason,
            "assessor_absence.reason": db.session.get(AssessorAbsence, ids["absence"]).reason,
            "validation_session.cancel_reason": db.session.get(
                ValidationSession, past_id
            ).cancel_reason,
            "test_center.accessibility": db.session.scalar(
                select(TestCenter.accessibility).join(
                    CenterClosure, CenterClosure.center_id == TestCenter.id
                )
            ),
            "booking.support_note": db.session.get(Booking, theirs_id).support_note,
            "booking.result_comment": db.session.get(Booking, theirs_id).result_comment,
            "booking_event.note": db.session.scalar(
                select(BookingEvent.note).where(BookingEvent.booking_id == theirs_id)
            ),
            "area_outcome.training": db.session.scalar(
                select(AreaOutcome.training).where(AreaOutcome.booking_id == theirs_id)
            ),
            "api_token.name": db.session.scalar(
                select(ApiToken.name).where(ApiToken.person_id == ids["colleague"])
            ),
            "audit_log.detail": db.session.scalar(
                select(AuditEntry.detail).where(AuditEntry.detail.startswith("På begäran"))
            ),
            # The coordinator's import rejected a row with her (tests/access_world.py).
            "employee_import.details": db.session.scalar(select(EmployeeImport.details)),
        }
        stored = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.stored_raw.is_not(None), OutboxMessage.kind == "invitation"
            )
        )
        values["outbox_message.subject"] = stored.subject
        values["outbox_message.last_error"] = stored.last_error
        values["outbox_message.raw"] = _decoded(stored.raw)
        letter = db.session.scalar(select(OutboxMessage).where(OutboxMessage.payload.is_not(None)))
        values["outbox_message.payload"] = letter.payload
        details = json.loads(letter.payload)["details"]
        letter_text = _decoded(letter.raw)  # still a message the worker can write

    # Every free-text field was written to above, and none of them names her now.
    assert set(values) == set(FREE_TEXT_FIELDS) - NOT_WRITTEN_HERE
    for field, value in values.items():
        assert not GONE.search(value), (field, value)
        assert ERASED_NAME in value, (field, value)
    # What else they said stays.
    assert values["center_closure.reason"] == (f"Stängt, {ERASED_NAME} sjuk; Åsa Berg vikarierar")
    assert values["booking.result_comment"] == f"Gjorde provet ihop med {ERASED_NAME}, bra."
    assert values["booking_event.note"] == f"Bytt med {ERASED_NAME}s plats"
    assert values["audit_log.detail"] == f"På begäran av {ERASED_NAME}s chef"
    assert values["outbox_message.last_error"] == f"550 {ERASED_NAME} okänd"
    assert "åker med dig" in values["outbox_message.raw"]
    assert details == f"Samåk med {ERASED_NAME}" and ERASED_NAME in letter_text


def test_erasing_waits_while_the_person_is_a_centers_contact(app, make):
    with app.app_context():
        world = build_world(make)
        cancel_booking(world.ids["booking"], db.session.get(Person, world.ids["owner"]))
        center = db.session.get(TestCenter, world.ids["center"])
        center.contact_name = OWNER_NAME
        center_name = center.name
        db.session.commit()
    admin = sign_in_clients(app, world)["project_admin"]
    # The erase page says so first, and offers no button until it is sorted out.
    page = admin.get(f"/people/{world.ids['owner']}/erase").get_data(as_text=True)
    assert f"kontaktperson för {center_name}" in page
    assert "Ta bort för alltid" not in page
    with app.app_context():
        assert db.session.get(Person, world.ids["owner"]).erased_at is None
        colleague = db.session.get(Person, world.ids["colleague"])
        book_seat(world.ids["session"], colleague, colleague)
        token = ensure_feed_token(colleague)
    # The colleague's feed keeps its events' texts, which name the center's contact.
    assert app.test_client().get(f"/calendar/feed/{token}.ics").status_code == 200
    naming = select(func.count()).where(CalendarEntry.feed_key.contains(OWNER_NAME))
    with app.app_context():
        assert db.session.scalar(naming)
        db.session.get(TestCenter, world.ids["center"]).contact_name = "Kim Kontakt"
        db.session.commit()
    assert _erase(admin, world.ids["owner"]).status_code == 302
    with app.app_context():
        assert not db.session.scalar(naming)  # no stored feed text names them any more

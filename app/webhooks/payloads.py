"""What a webhook tells about a booking or a result, and to whom it may tell it.

An event is stored without names or e-mail addresses: only ids, the session's
model, center and times, and for a result each competence area's verdict. The
employee's name and e-mail are read when the event is sent, and only for a
subscription that may see them then (a project admin's, or the coordinator of the
employee's company at that time), so an erased person is never sent on, and a
delivery waiting in the outbox holds no personal data. The testledare's proposed
training and comments are free text and are not sent: they are on the statement
(intyg) in the app.
"""

import json
from datetime import UTC, datetime

from sqlalchemy import select

from app.accounts.models import Person
from app.bookings.models import Booking
from app.extensions import db
from app.results.models import AreaOutcome, ModelArea


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def booking_data(booking: Booking, **extra) -> dict:
    session = booking.session
    return {
        "booking_id": booking.id,
        "status": booking.status,
        "session_id": session.id,
        "model": {"id": session.model.id, "code": session.model.code, "name": session.model.name},
        "center": {"id": session.center.id, "name": session.center.name},
        "starts_at": iso(session.starts_at),
        "ends_at": iso(session.ends_at),
        "employee": {"id": booking.employee_id},
        "company_id": booking.employee.company_id,
        **extra,
    }


def result_data(booking: Booking) -> dict:
    """The outcome per competence area, as the coordinator sees it on the statement."""
    rows = db.session.execute(
        select(AreaOutcome, ModelArea.position)
        .join(
            ModelArea,
            (ModelArea.area_id == AreaOutcome.area_id)
            & (ModelArea.model_id == booking.session.model_id),
        )
        .where(AreaOutcome.booking_id == booking.id)
        .order_by(ModelArea.position)
    ).all()
    areas = [
        {"code": outcome.area.code, "name": outcome.area.name, "result": outcome.result}
        for outcome, _position in rows
    ]
    overall = "approved" if all(a["result"] == "approved" for a in areas) else "not_yet"
    return booking_data(booking, overall=overall, areas=areas)


def message(event_type: str, at: datetime, data: dict) -> str:
    """The stored event: Standard Webhooks' recommended shape."""
    return json.dumps({"type": event_type, "timestamp": iso(at), "data": data}, ensure_ascii=False)


def body_for(payload: str, subscription_company_id: int | None) -> bytes:
    """The body to send now: the stored event, with the employee's name and e-mail
    when this subscription may see them."""
    event = json.loads(payload)
    employee = event.get("data", {}).get("employee")
    if employee is not None:
        person = db.session.get(Person, employee["id"])
        if person is not None and _may_see(person, subscription_company_id):
            employee.update(name=person.name, email=person.email)
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def _may_see(person: Person, subscription_company_id: int | None) -> bool:
    if person.erased_at is not None:
        return False
    return subscription_company_id is None or person.company_id == subscription_company_id

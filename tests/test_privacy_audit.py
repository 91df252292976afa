"""GDPR export and erasure; the audit log of bookings, sessions and outcomes."""

import json

from sqlalchemy import func, select

from app.accounts.models import Person
from app.audit.models import AuditEntry
from app.bookings.models import Booking
from app.bookings.services import cancel_booking
from app.calendar.models import FeedToken, OutboxMessage
from app.extensions import db
from app.results.models import AreaOutcome
from app.results.services import AreaVerdict, model_areas, record_outcomes
from app.schedule.planning import cancel_session
from tests.access_world import (
    OWNER_EMAIL,
    OWNER_NAME,
    RESULT_COMMENT,
    SUPPORT_NOTE,
    build_world,
    sign_in_clients,
)
from tests.conftest import Auth, csrf_token


def test_export_holds_everything_about_me_and_nothing_about_others(app, make):
    with app.app_context():
        world = build_world(make)
    clients = sign_in_clients(app, world)
    response = clients["owner"].get("/account/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["name"] == OWNER_NAME
    assert data["person"]["email"] == OWNER_EMAIL
    notes = [b["support_note"] for b in data["bookings"]]
    assert SUPPORT_NOTE in notes
    past = next(b for b in data["bookings"] if b["id"] == world.ids["past_booking"])
    assert past["result_comment"] == RESULT_COMMENT
    assert past["outcomes"] and {o["result"] for o in past["outcomes"]} == {"approved"}
    assert data["calendar_feed"] is True
    assert data["mail"], "the booking confirmation is stored about them"
    assert [t["name"] for t in data["api_tokens"]] == ["test"]
    text = response.get_data(as_text=True)
    assert world.emails["colleague"] not in text
    assert world.emails["coordinator"] not in text
    # Signed out there is nothing to download.
    assert clients["anonymous"].get("/account/export.json").status_code == 302


def _erase(client, person_id):
    page = client.get(f"/people/{person_id}/erase")
    if page.status_code != 200:
        return page
    return client.post(
        f"/people/{person_id}/erase", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
    )


def test_erase_removes_personal_data_and_keeps_the_statistics(app, make):
    with app.app_context():
        world = build_world(make)
    clients = sign_in_clients(app, world)
    owner_id = world.ids["owner"]
    admin = clients["project_admin"]
    # A live upcoming booking would keep a seat for nobody: cancel it first.
    refused = _erase(admin, owner_id)
    assert refused.status_code == 409
    assert "kommande bokningar" in refused.get_data(as_text=True)
    with app.app_context():
        cancel_booking(world.ids["booking"], db.session.get(Person, owner_id))
        company_id = db.session.get(Person, owner_id).company_id
        bookings_before = db.session.scalar(select(func.count(Booking.id)))
        outcomes_before = db.session.scalar(select(func.count(AreaOutcome.id)))

    found = admin.get("/people?q=agarsson").get_data(as_text=True)
    assert OWNER_EMAIL in found
    response = _erase(admin, owner_id)
    assert response.status_code == 302

    with app.app_context():
        person = db.session.get(Person, owner_id)
        assert person.name == "Borttagen person"
        assert OWNER_EMAIL not in person.email and person.phone is None
        assert person.password_hash is None and not person.active and person.erased_at
        assert person.company_id == company_id  # still counted for the company
        assert db.session.scalar(select(func.count(Booking.id))) == bookings_before
        assert db.session.scalar(select(func.count(AreaOutcome.id))) == outcomes_before
        past = db.session.get(Booking, world.ids["past_booking"])
        assert past.status == "attended" and past.result_comment == ""
        assert all(b.support_note == "" for b in db.session.scalars(select(Booking)))
        assert db.session.get(FeedToken, owner_id) is None
        assert not db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == OWNER_EMAIL)
        ).all()
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "erased"))
        assert entry.entity_id == owner_id
        assert entry.actor_id == world.person_ids["project_admin"]
    # Signed out everywhere, and cannot sign in again.
    assert clients["owner"].get("/bookings").status_code == 302
    assert Auth(app.test_client()).login(OWNER_EMAIL).status_code == 400
    # The company's list no longer shows them; erasing twice is refused.
    assert OWNER_NAME not in clients["coordinator"].get("/company/employees").get_data(as_text=True)
    page = admin.get(f"/people/{owner_id}/erase").get_data(as_text=True)
    again = admin.post(f"/people/{owner_id}/erase", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 409
    assert "redan borttagna" in again.get_data(as_text=True)


def test_erase_is_for_project_admins_only(app, make):
    with app.app_context():
        world = build_world(make)
    clients = sign_in_clients(app, world)
    for actor in ("owner", "coordinator", "center_admin", "assessor"):
        assert _erase(clients[actor], world.ids["colleague"]).status_code == 403
    with app.app_context():
        assert db.session.get(Person, world.ids["colleague"]).erased_at is None


def test_audit_log_records_booking_session_and_outcome_changes(app, make):
    with app.app_context():
        world = build_world(make)
        coordinator = db.session.get(Person, world.person_ids["coordinator"])
        cancel_booking(world.ids["booking"], coordinator)
        assessor = db.session.get(Person, world.person_ids["assessor"])
        past = db.session.get(Booking, world.ids["past_booking"])
        verdicts = [
            AreaVerdict(area_id=a.id, result="approved") for a in model_areas(past.session.model_id)
        ]
        record_outcomes(past.id, verdicts, "Bra", assessor)
        admin = db.session.get(Person, world.person_ids["center_admin"])
        cancel_session(world.ids["other_session"], admin, reason="Sjuk testledare")
        rows = {
            (e.entity, e.entity_id, e.action, e.actor_id)
            for e in db.session.scalars(select(AuditEntry))
        }
        assert ("booking", world.ids["booking"], "cancelled", coordinator.id) in rows
        assert ("outcome", past.id, "outcome", assessor.id) in rows
        assert ("session", world.ids["other_session"], "cancelled", admin.id) in rows
    clients = sign_in_clients(app, world)
    page = clients["center_admin"].get("/audit").get_data(as_text=True)
    assert "Sjuk testledare" in page and "cancelled" in page and "outcome" in page
    filtered = clients["project_admin"].get(f"/audit?entity=booking&id={world.ids['booking']}")
    assert filtered.status_code == 200
    assert "Sjuk testledare" not in filtered.get_data(as_text=True)
    # Another center's admin sees none of it; people who are not staff may not look.
    other = clients["other_center_admin"].get("/audit").get_data(as_text=True)
    assert "Sjuk testledare" not in other and "Inga ändringar att visa." in other
    for actor in ("owner", "coordinator", "assessor"):
        assert clients[actor].get("/audit").status_code == 403
    for junk in ("entity=%00&id=x", "id=-5", "id=99999999999999999999", "entity=" + "a" * 5000):
        assert clients["project_admin"].get(f"/audit?{junk}").status_code == 200

"""GDPR export and erasure; the audit log of bookings, sessions and outcomes."""

import json
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Person
from app.accounts.privacy import ERASED_NAME, erase
from app.audit.models import AuditEntry
from app.bookings.models import Booking
from app.bookings.services import book_seat, cancel_booking
from app.bookings.session_changes import ASSESSOR_CHANGED, cancel_session, move_session
from app.calendar.models import CalendarEntry, FeedToken
from app.centers.models import TestCenter
from app.centers.services import closed_reason
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.mail.models import OutboxMessage
from app.projects.services import add_companies_in_scope
from app.reports import services as report_services
from app.reports.forms import week_text
from app.results.models import AreaOutcome
from app.results.services import (
    AreaVerdict,
    model_areas,
    outcomes_of,
    record_outcomes,
    set_attendance,
)
from app.schedule.availability import add_absence, set_weekly_hours
from app.schedule.models import (
    AssessorAbsence,
    AssessorAuthorisation,
    AssessorAvailability,
    ValidationSession,
)
from app.views import reports as report_views
from tests.access_world import (
    OWNER_EMAIL,
    OWNER_NAME,
    PERSONAL_MARKERS,
    RESULT_COMMENT,
    SUPPORT_NOTE,
    build_world,
    sign_in_clients,
)
from tests.conftest import Auth
from tests.forms import form_of, page_form

OWNER_PHONE = "070-123 45 67"
ASSESSOR_NAME = "Tove Testledarsson"
ASSESSOR_EMAIL = "tove.testledarsson@skola.example.se"
ABSENCE_REASON = "Operation, sjukskriven två veckor"
OWNER_TRAINING = "Repetera måttsättning, Åsa vill ha kvällskurs"


def test_export_holds_everything_about_me_and_nothing_about_others(app, make):
    with app.app_context():
        world = build_world(make)
        owner = db.session.get(Person, world.ids["owner"])
        owner.locale, owner.phone = "en", OWNER_PHONE
        db.session.commit()
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
    assert past["status"] == "attended" and past["booked_by_self"] is True
    live = next(b for b in data["bookings"] if b["id"] == world.ids["booking"])
    assert live["support_needs"] == ["interpreter"] and live["session_id"] == world.ids["session"]
    assert data["person"]["language"] == "en"
    assert data["person"]["phone"] == OWNER_PHONE
    assert data["person"]["company"] and data["person"]["company_org_number"]
    assert data["person"]["role_grants"] == [
        {"role": "employee", "center_id": None, "center": None}
    ]
    assert data["person"]["has_password"] is True
    assert {e["event"] for e in data["booking_history"]} >= {"booked"}
    # The calendar: the invite's UID and SEQUENCE, and that a feed exists, not its secret.
    [entry] = data["calendar_entries"]
    assert entry["booking_id"] == world.ids["booking"] and entry["role"] == "participant"
    assert entry["uid"] and entry["sequence"] == 0
    assert data["calendar_feed"] is True and data["calendar_feed_created_at"]
    assert data["mail"], "the booking confirmation is stored about them"
    assert [t["name"] for t in data["api_tokens"]] == ["test"]
    # A row naming her that her coordinator's import rejected (tests/access_world.py).
    [row] = data["employee_import_rows_about_me"]
    assert row["cells"][:2] == [OWNER_NAME, OWNER_EMAIL] and data["employee_imports_made"] == []
    assert {(a["entity"], a["id"]) for a in data["changes_about_me"]} >= {
        ("booking", world.ids["booking"])
    }
    assert ("booking", world.ids["booking"], "booked") in {
        (a["entity"], a["id"], a["action"]) for a in data["changes_made"]
    }
    # An employee runs no sessions and has no availability.
    assert data["sessions_as_assessor"] == [] and data["assessor_authorisations"] == []
    assert data["availability"] == {"weekly": [], "absences": []}
    text = response.get_data(as_text=True)
    assert world.emails["colleague"] not in text
    assert world.emails["coordinator"] not in text
    assert world.values["feed_token"] not in text
    assert world.api_tokens["owner"] not in text and "token_hash" not in text
    assert "password_hash" not in text
    # Signed out there is nothing to download.
    assert clients["anonymous"].get("/account/export.json").status_code == 302


def _erase(client, person_id):
    """Erase as the page offers it: its button, or the page saying what blocks it."""
    page = client.get(f"/people/{person_id}/erase")
    if page.status_code != 200 or "Ta bort för alltid" not in page.get_data(as_text=True):
        return page
    return form_of(page, client, button="Ta bort för alltid").submit()


def test_erase_removes_personal_data_and_keeps_the_statistics(app, make):
    with app.app_context():
        world = build_world(make)
    clients = sign_in_clients(app, world)
    owner_id = world.ids["owner"]
    admin = clients["project_admin"]
    # A live upcoming booking would keep a seat for nobody: the page says so first and
    # offers no erase button; the admin cancels it there.
    blocked = _erase(admin, owner_id)
    assert blocked.status_code == 200
    assert "kommande bokningar" in blocked.get_data(as_text=True)
    assert "Ta bort för alltid" not in blocked.get_data(as_text=True)
    page_form(admin, f"/people/{owner_id}/erase", button="Avboka").submit()
    with app.app_context():
        assert db.session.get(Booking, world.ids["booking"]).status == "cancelled"
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
    again = admin.get(f"/people/{owner_id}/erase").get_data(as_text=True)
    assert "redan borttagna" in again and "Ta bort för alltid" not in again


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
    assert "Sjuk testledare" in page and "ställde in passet" in page
    assert "registrerade" in page and "resultatet" in page
    filtered = clients["project_admin"].get("/audit?kind=cancelled")  # bookings, not sessions
    assert filtered.status_code == 200
    assert "Sjuk testledare" not in filtered.get_data(as_text=True)
    # Another center's admin sees none of it; people who are not staff may not look.
    other = clients["other_center_admin"].get("/audit").get_data(as_text=True)
    assert "Sjuk testledare" not in other and "Inga ändringar att visa." in other
    for actor in ("owner", "coordinator", "assessor"):
        assert clients[actor].get("/audit").status_code == 403
    for junk in ("entity=x&id=x", "id=-5", "id=99999999999999999999", "entity=" + "a" * 5000):
        assert clients["project_admin"].get(f"/audit?{junk}").status_code == 200
    # A NUL no column can hold is refused with a message (app/input_guard.py).
    nul = clients["project_admin"].get("/audit?entity=%00&id=x")
    assert nul.status_code == 400 and "(NUL)" in nul.get_data(as_text=True)


def _open_weekday(center, after_days: int) -> date:
    """A weekday the center is open, at least after_days from today."""
    day = date.today() + timedelta(days=after_days)
    while closed_reason(center, day) is not None:
        day += timedelta(days=1)
    return day


def test_a_testledares_export_holds_their_work_but_not_the_participants(app, make):
    with app.app_context():
        world = build_world(make)
        assessor = db.session.get(Person, world.person_ids["assessor"])
        assessor.home_center_id = world.ids["center"]
        db.session.commit()
        set_weekly_hours(assessor, {0: (time(7), time(16)), 2: (time(8), time(12))})
        center_name = db.session.get(TestCenter, world.ids["center"]).name
        model_name = make.model().name
    clients = sign_in_clients(app, world)
    response = clients["assessor"].get("/account/export.json")
    data = response.get_json()
    assert data["person"]["home_center"] == center_name
    assert data["person"]["roles"] == ["assessor"]
    assert [(a["validation"], a["valid_to"]) for a in data["assessor_authorisations"]] == [
        (model_name, "2035-12-31")
    ]
    assert data["availability"]["weekly"] == [
        {"weekday": 0, "starts": "07:00:00", "ends": "16:00:00"},
        {"weekday": 2, "starts": "08:00:00", "ends": "12:00:00"},
    ]
    assert [a["reason"] for a in data["availability"]["absences"]] == ["Semester"]
    ran = {s["session_id"]: s for s in data["sessions_as_assessor"]}
    assert set(ran) == {world.ids[k] for k in ("session", "other_session", "past_session")}
    assert ran[world.ids["session"]]["seats_taken"] == 1
    assert ran[world.ids["session"]]["test_center"] == center_name
    recorded = {(o["booking_id"], o["session_id"]) for o in data["outcomes_recorded"]}
    assert recorded == {(world.ids["past_booking"], world.ids["past_session"])}
    assert data["bookings"] == [] and data["person"]["company"] is None
    # The participants they assessed are not theirs to download.
    text = json.dumps(data, ensure_ascii=False)
    for marker in (*PERSONAL_MARKERS, world.emails["owner"]):
        assert marker not in text
    # A center admin's grant names the center.
    grants = clients["center_admin"].get("/account/export.json").get_json()["person"]
    assert grants["role_grants"] == [
        {"role": "center_admin", "center_id": world.ids["center"], "center": center_name}
    ]


def test_erasing_a_testledare_waits_for_their_sessions_and_clears_their_traces(app, make):
    with app.app_context():
        world = build_world(make)
        assessor = db.session.get(Person, world.person_ids["assessor"])
        assessor_id = assessor.id
        assessor.name, assessor.email = ASSESSOR_NAME, ASSESSOR_EMAIL
        world.emails["assessor"] = ASSESSOR_EMAIL
        assessor.home_center_id, assessor.locale = world.ids["center"], "sv"
        db.session.commit()
        set_weekly_hours(assessor, {d: (time(7), time(17)) for d in range(5)})
        add_absence(
            assessor,
            date.today() + timedelta(days=90),
            date.today() + timedelta(days=91),
            ABSENCE_REASON,
        )
        center_admin = db.session.get(Person, world.person_ids["center_admin"])
        other_assessor = db.session.get(Person, world.person_ids["other_assessor"])
        center = db.session.get(TestCenter, world.ids["center"])
        # A session given to them from another testledare: the log names them.
        day = _open_weekday(center, 35)
        handed_id = make.session(center=center, assessor=other_assessor, local_day=day).id
        move_session(handed_id, day, time(8), center_admin, assessor_id=assessor_id)
        moved_entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == ASSESSOR_CHANGED)
        )
        assert ASSESSOR_NAME in moved_entry.detail
        moved_entry_id = moved_entry.id
        # They assessed a colleague and signed the comment and training with their name.
        past = db.session.get(ValidationSession, world.ids["past_session"])
        colleague = db.session.get(Person, world.ids["colleague"])
        assessed = Booking(session=past, employee=colleague, booked_by=colleague, status="attended")
        past.seats_taken += 1
        db.session.add(assessed)
        db.session.commit()
        areas = model_areas(past.model_id)
        verdicts = [AreaVerdict(area_id=a.id, result="approved") for a in areas[1:]]
        verdicts.append(
            AreaVerdict(areas[0].id, "not_yet", f"Öva ritningsläsning, {ASSESSOR_NAME}s underlag")
        )
        record_outcomes(assessed.id, verdicts, f"Genomgånget med {ASSESSOR_NAME}.", assessor)
        assessed_id = assessed.id
        assert db.session.scalar(
            select(func.count(CalendarEntry.id)).where(CalendarEntry.person_id == assessor_id)
        )
        assert db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == ASSESSOR_EMAIL)
        )
    clients = sign_in_clients(app, world)
    admin = clients["project_admin"]
    assert ASSESSOR_NAME in admin.get("/audit").get_data(as_text=True)

    # Sessions still to come would have nobody to run them: listed, with their pages.
    blocked = _erase(admin, assessor_id).get_data(as_text=True)
    assert "kommande pass" in blocked and "Ta bort för alltid" not in blocked
    for session_id in (world.ids["session"], world.ids["other_session"], handed_id):
        assert f'href="/sessions/{session_id}/manage"' in blocked
    with app.app_context():
        assert db.session.get(Person, assessor_id).erased_at is None
        center_admin = db.session.get(Person, world.person_ids["center_admin"])
        for session_id in (world.ids["session"], world.ids["other_session"], handed_id):
            cancel_session(session_id, center_admin, reason="Ny testledare saknas")
    assert _erase(admin, assessor_id).status_code == 302

    with app.app_context():
        person = db.session.get(Person, assessor_id)
        assert person.name == ERASED_NAME and ASSESSOR_EMAIL not in person.email
        assert person.home_center_id is None and person.locale is None
        for table in (AssessorAuthorisation, AssessorAvailability, AssessorAbsence, CalendarEntry):
            rows = select(func.count()).select_from(table).where(table.person_id == assessor_id)
            assert db.session.scalar(rows) == 0, table.__name__
        assert not db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == ASSESSOR_EMAIL)
        ).all()
        # The statistics keep who ran and who assessed, as the anonymous row.
        ran = select(func.count(ValidationSession.id)).where(
            ValidationSession.assessor_id == assessor_id
        )
        assert db.session.scalar(ran) == 4
        assert {o.recorded_by_id for o in db.session.scalars(select(AreaOutcome))} == {assessor_id}
        # What they wrote about participants is the participants': kept, their name replaced.
        assessed = db.session.get(Booking, assessed_id)
        assert assessed.result_comment == f"Genomgånget med {ERASED_NAME}."
        trainings = {o.training for o in outcomes_of(assessed)} - {""}
        assert trainings == {f"Öva ritningsläsning, {ERASED_NAME}s underlag"}
        owners = db.session.get(Booking, world.ids["past_booking"])
        assert owners.result_comment == RESULT_COMMENT
        detail = db.session.get(AuditEntry, moved_entry_id).detail
        assert ASSESSOR_NAME not in detail and ERASED_NAME in detail
        # Gone from the planning too: nobody can give them a session again.
        center = db.session.get(TestCenter, world.ids["center"])
        other_assessor = db.session.get(Person, world.person_ids["other_assessor"])
        center_admin = db.session.get(Person, world.person_ids["center_admin"])
        later = make.session(center=center, assessor=other_assessor, local_day=day)
        with pytest.raises(DomainError):
            move_session(later.id, day, time(8), center_admin, assessor_id=assessor_id)
    log = admin.get("/audit").get_data(as_text=True)
    assert ASSESSOR_NAME not in log and ASSESSOR_EMAIL not in log
    # The participant's results, with the comment about them, are still theirs.
    mine = clients["owner"].get("/account/export.json").get_json()
    past = next(b for b in mine["bookings"] if b["id"] == world.ids["past_booking"])
    assert past["result_comment"] == RESULT_COMMENT and past["outcomes"]
    assert ASSESSOR_NAME not in json.dumps(mine, ensure_ascii=False)


# --- the dashboard adds up the same after an erasure -----------------------------------


def _figures(mondays) -> dict:
    """Every figure the project dashboard shows (views.reports._render_dashboard), as plain data."""
    figures = {
        "utilisation": [
            (c.center.id, sorted(c.weeks.items()), c.hours_offered, c.hours_booked, c.hours_used)
            for c in report_services.utilisation(mondays)
        ],
        "low_sessions": [
            (low.session.id, low.session.seats_taken, low.attended)
            for low in report_services.low_sessions(mondays, 101)
        ],
        "demand": [
            (r.center.id, r.model.id, r.attended, r.no_shows, r.waitlisted)
            for r in report_services.demand(mondays)
        ],
    }
    for project in report_services.projects():
        figures[project.name] = {
            "targets": [
                (p.target.id, p.reach.companies, p.reach.employees)
                for p in report_services.target_progress(project)
            ],
            "models": [
                (m.model.id, m.reach.companies, m.reach.employees)
                for m in report_services.model_progress(project)
            ],
            "months": [
                [
                    (point.month, point.employees)
                    for point in report_services.monthly_progress(project, t)
                ]
                for t in project.targets
            ],
        }
    return figures


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def _interest_apart(html: str) -> tuple[str, str]:
    """The page without the interest table, and the table."""
    start = html.index('<section aria-labelledby="interest-demand-heading">')
    end = html.index("</section>", start) + len("</section>")
    return html[:start] + html[end:], html[start:end]


def _past_booking(session, employee, status):
    session.seats_taken += 1
    booking = Booking(session=session, employee=employee, booked_by=employee, status="confirmed")
    db.session.add(booking)
    db.session.commit()
    if status != "confirmed":
        set_attendance(booking.id, status, session.assessor)
    return booking


def test_the_dashboard_adds_up_the_same_after_erasing_and_names_nobody(app, make):
    app.config["REPORTS_CACHE_SECONDS"] = 0
    with app.app_context():
        world = build_world(make)
        owner = db.session.get(Person, world.ids["owner"])
        owner.phone = OWNER_PHONE
        assessor = db.session.get(Person, world.person_ids["assessor"])
        assessor.name, assessor.email = ASSESSOR_NAME, ASSESSOR_EMAIL
        world.emails["assessor"] = ASSESSOR_EMAIL
        db.session.commit()
        colleague = db.session.get(Person, world.ids["colleague"])
        outsider = db.session.get(Person, world.person_ids["outsider"])
        center = db.session.get(TestCenter, world.ids["center"])
        # A project running now, for the employees of Norrbotten's steel industry.
        today = date.today()
        project = report_services.create_project(
            "Projekt kring idag", today - timedelta(days=300), today + timedelta(days=100)
        )
        norrbotten = make.municipality("Luleå").county_id
        report_services.add_target(project.id, norrbotten, "steel", 3, 10)
        add_companies_in_scope(project.id)  # companies A and B take part
        # Another past session: the owner attended and is not yet approved in one area,
        # the colleague did not come, the outsider passed.
        earlier = make.session(
            center=center,
            assessor=assessor,
            model=make.model(),
            starts_at=utcnow() - timedelta(days=60),
        )
        areas = model_areas(earlier.model_id)
        mine = _past_booking(earlier, owner, "attended")
        _past_booking(earlier, colleague, "no_show")
        theirs = _past_booking(earlier, outsider, "attended")
        approved = [AreaVerdict(area_id=a.id, result="approved") for a in areas]
        record_outcomes(theirs.id, approved, "Bra", assessor)
        mixed = [*approved[1:], AreaVerdict(areas[0].id, "not_yet", OWNER_TRAINING)]
        record_outcomes(mine.id, mixed, f"Åsa {SUPPORT_NOTE.lower()}", assessor)
        # A queue for a coming session, and the owner's live booking given up.
        full = make.session(center=center, assessor=world.people["other_assessor"], seats=1)
        book_seat(full.id, outsider, outsider)
        book_seat(full.id, colleague, colleague)
        cancel_booking(world.ids["booking"], owner)
        # The testledare's coming sessions are cancelled, so they too can be erased.
        admin_person = db.session.get(Person, world.person_ids["center_admin"])
        for session_id in (world.ids["session"], world.ids["other_session"]):
            cancel_session(session_id, admin_person)
        this_monday = today - timedelta(days=today.weekday())
        mondays = report_services.week_range(
            this_monday - timedelta(weeks=40), this_monday + timedelta(weeks=12)
        )
        before = _figures(mondays)
        project_id = project.id
    # The figures count what the test set up, so that comparing them proves something.
    [(_target, companies, employees)] = before["Projekt kring idag"]["targets"]
    assert companies == {"booked": 2, "attended": 2, "passed": 2}
    assert employees == {"booked": 3, "attended": 2, "passed": 2}
    assert any(row[4] for row in before["demand"]), "someone waits for a seat"
    assert any(row[3] for row in before["demand"]), "someone did not come"

    clients = sign_in_clients(app, world)
    admin = clients["project_admin"]
    weeks = f"from_week={week_text(mondays[0])}&to_week={week_text(mondays[-1])}&below=100"
    tables = (*report_views.PROJECT_TABLES, *report_views.CENTER_TABLES)

    def downloads():
        return {
            name: admin.get(f"/reports/{name}.csv?project={project_id}&{weeks}").get_data()
            for name in tables
        }

    csv_before = downloads()
    dashboard_before = admin.get(f"/reports/?project={project_id}&{weeks}").get_data(as_text=True)
    assert all(response for response in csv_before.values())
    log_before = admin.get("/audit").get_data(as_text=True)
    assert OWNER_NAME in log_before and ASSESSOR_NAME in log_before

    for person_id in (world.ids["owner"], world.person_ids["assessor"]):
        assert _erase(admin, person_id).status_code == 302
    admin.get("/people")  # shows (and so clears) the messages about the erasure

    with app.app_context():
        assert _figures(mondays) == before
    csv_after = downloads()
    assert csv_after == csv_before
    dashboard_after = admin.get(f"/reports/?project={project_id}&{weeks}").get_data(as_text=True)
    # The owner's interest (issue 18) is erased with them: the interest table loses it,
    # every figure stays.
    before_figures, before_interest = _interest_apart(_without_tokens(dashboard_before))
    after_figures, after_interest = _interest_apart(_without_tokens(dashboard_after))
    assert after_figures == before_figures
    assert "Antal personer" in before_interest and "Antal personer" not in after_interest

    # Nobody else's download, no report and no page of the log names them any more.
    markers = (
        *PERSONAL_MARKERS,
        OWNER_PHONE,
        OWNER_TRAINING,
        ASSESSOR_NAME,
        ASSESSOR_EMAIL,
        "Åsa",
    )
    pages = {f"{name}.csv": body.decode() for name, body in csv_after.items()}
    pages["dashboard"] = dashboard_after
    for actor in ("project_admin", "center_admin"):
        pages[f"audit for {actor}"] = clients[actor].get("/audit").get_data(as_text=True)
    for actor in ("colleague", "coordinator", "outsider", "other_assessor", "center_admin"):
        export = clients[actor].get("/account/export.json")
        assert export.status_code == 200
        pages[f"export of {actor}"] = json.dumps(export.get_json(), ensure_ascii=False)
    for where, text in pages.items():
        for marker in markers:
            assert marker not in text, f"{marker!r} in {where}"
    assert OWNER_NAME not in admin.get("/people?q=agarsson").get_data(as_text=True)


def test_the_erase_page_lists_what_blocks_it_and_staff_cancel_there_after_the_deadline(
    app, make, auth, client
):
    with app.app_context():
        admin = make.person(("project_admin",))
        admin_email = admin.email
        employee = make.employee()
        employee_id = employee.id
        center, model = make.center(), make.model()
        session = make.session(center=center, model=model, assessor=make.assessor(model))
        session_id, center_name = session.id, center.name
    auth.login(admin_email)
    # Nothing in the way yet: the button is offered...
    stale = page_form(client, f"/people/{employee_id}/erase", button="Ta bort för alltid")
    # ...and meanwhile they book a seat, in a session that then moves to within the
    # employees' cancellation deadline (staff may still cancel).
    with app.app_context():
        employee = db.session.get(Person, employee_id)
        booking_id = book_seat(session_id, employee, employee).id
        session = db.session.get(ValidationSession, session_id)
        length = session.ends_at - session.starts_at
        session.starts_at = utcnow() + timedelta(hours=3)
        session.ends_at = session.starts_at + length
        db.session.commit()
    refused = stale.submit()
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    # Not an error page: this page again, the reason in its error summary, the seat listed.
    assert 'class="error-summary"' in page and "kommande bokningar" in page
    assert center_name in page and "Ta bort för alltid" not in page
    with app.app_context():
        assert db.session.get(Person, employee_id).erased_at is None
    cancelled = form_of(refused, client, button="Avboka").submit()
    assert cancelled.status_code == 302
    assert cancelled.headers["Location"].endswith(f"/people/{employee_id}/erase")
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "cancelled"
    form = page_form(client, f"/people/{employee_id}/erase", button="Ta bort för alltid")
    erased = form.submit()
    assert erased.status_code == 302
    with app.app_context():
        assert db.session.get(Person, employee_id).erased_at is not None
    # The same form sent again (a reload): the page saying it is done, not an error.
    again = form.submit()
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/people/{employee_id}/erase")
    done = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Uppgifterna för den här personen är redan borttagna." in done
    assert "måste ordnas först" not in done and "Fel:" not in done
    assert "Ta bort för alltid" not in done and 'href="/people"' in done


def test_people_does_not_offer_erasing_oneself(app, make, auth, client):
    with app.app_context():
        admin = make.person(("project_admin",), name="Ada Admin")
        admin_email, admin_id = admin.email, admin.id
        other_id = make.person(("project_admin",), name="Ada Annan").id
    auth.login(admin_email)
    found = client.get("/people?q=Ada").get_data(as_text=True)
    assert f"/people/{other_id}/erase" in found
    assert f"/people/{admin_id}/erase" not in found
    own = client.get(f"/people/{admin_id}/erase").get_data(as_text=True)
    assert "Du kan inte ta bort dina egna uppgifter. En annan projektadministratör" in own
    assert "måste ordnas först" not in own and "kan inte tas bort än" not in own
    assert "Ta bort för alltid" not in own and 'href="/people"' in own


def test_an_erased_person_is_named_in_the_readers_language(app, make, auth, client):
    with app.app_context():
        center, model = make.center(), make.model()
        assessor = make.assessor(model)
        assessor.locale = "en"
        assessor_email = assessor.email
        employee = make.employee(name="Eino Erasesson")
        past = make.session(
            center=center, model=model, assessor=assessor, starts_at=utcnow() - timedelta(days=9)
        )
        past.seats_taken = 1
        booking = Booking(session=past, employee=employee, booked_by=employee, status="attended")
        db.session.add(booking)
        db.session.flush()
        for area in model_areas(model.id):
            db.session.add(
                AreaOutcome(
                    booking=booking, area_id=area.id, result="approved", recorded_by=assessor
                )
            )
        db.session.commit()
        booking_id, session_id = booking.id, past.id
        erase(employee.id, make.person(("project_admin",)))
    auth.login(assessor_email)
    for page in (f"/sessions/{session_id}/participants", f"/bookings/{booking_id}/intyg"):
        text = client.get(page).get_data(as_text=True)
        assert "Erased person" in text, page
        assert ERASED_NAME not in text and "Eino" not in text, page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
@pytest.mark.parametrize("query", ["Erased person", "erased", "Borttagen person"])
def test_people_finds_an_erased_person_by_the_name_shown(app, make, auth, client, query):
    with app.app_context():
        admin = make.person(("project_admin",))
        admin.locale = "en"  # an English reader sees "Erased person"
        db.session.commit()
        admin_email = admin.email
        employee_id = make.employee(name="Eino Erasesson").id
        erase(employee_id, admin)
    auth.login(admin_email)
    found = page_form(client, "/people", field="q").fill(q=query).submit()
    assert f"borttagen-{employee_id}@invalid.invalid" in found.get_data(as_text=True)


@pytest.mark.parametrize(
    ("locale", "link", "filename"),
    [
        ("sv", "Hämta mina uppgifter", "mina-uppgifter.json"),
        ("en", "Download my data", "my-data.json"),
    ],
)
def test_my_data_download_is_named_in_my_language(app, make, auth, client, locale, link, filename):
    with app.app_context():
        person = make.employee()
        person.locale = locale
        db.session.commit()
        address = person.email
    auth.login(address)
    account = client.get("/account").get_data(as_text=True)
    href = re.search(rf'<a href="([^"]+)">{link}</a>', account).group(1)
    download = client.get(href)
    assert download.headers["Content-Disposition"] == f'attachment; filename="{filename}"'

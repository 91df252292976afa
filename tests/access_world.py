"""A small world with one of every kind of person and object, for the access tests.

Company A's employee ("owner") has a live booking in a session at center C run by
testledare "assessor", and an attended past booking with a result there. Everyone
else is someone who should, or should not, see and change those. Company A takes part
in funding project "Projekt A" (company B does not), to which "limited_admin" is limited.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.employee_import import import_employees
from app.accounts.services import link_token
from app.api.tokens import create_token
from app.bookings.models import Booking, Interest
from app.bookings.services import book_seat
from app.calendar.feeds import ensure_feed_token
from app.centers.models import CenterClosure
from app.db import utcnow
from app.extensions import db
from app.mail.models import OutboxMessage
from app.projects.models import FundingProject, ProjectCompany, ProjectTarget
from app.regions.models import TravelBuffer
from app.results.models import AreaOutcome
from app.results.services import model_areas
from app.schedule.models import AssessorAbsence, AssessorAuthorisation
from app.webhooks.models import EVENT_TYPES
from app.webhooks.services import create_subscription
from tests.conftest import Auth
from tests.factories import Factory

ACTORS = (
    "anonymous",
    "owner",  # an employee of company A, whose bookings these are
    "colleague",  # another employee of company A
    "coordinator",  # company A's coordinator
    "outsider",  # an employee of company B
    "other_coordinator",  # company B's coordinator
    "assessor",  # the session's testledare
    "other_assessor",
    "center_admin",  # admin of the session's center
    "other_center_admin",  # admin of another center
    "project_admin",  # of every project
    "limited_admin",  # a project admin limited to a project company A takes part in, not B
)

OWNER_NAME = "Åsa Ägarsson"
OWNER_EMAIL = "asa.agarsson@foretag-a.example.se"
SUPPORT_NOTE = "Behöver tolk till tigrinja"
RESULT_COMMENT = "Stark på ritningsläsning"
# Text that must never reach someone who may not see the owner.
PERSONAL_MARKERS = (OWNER_NAME, OWNER_EMAIL, SUPPORT_NOTE, RESULT_COMMENT)


@dataclass
class World:
    people: dict = field(default_factory=dict)
    emails: dict = field(default_factory=dict)
    person_ids: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    api_tokens: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def build_world(make: Factory) -> World:
    """Create the world; call inside an app context."""
    world = World()
    company_a, company_b = make.company(), make.company()
    center, other_center = make.center(), make.center()
    model = make.model()
    assessor = make.assessor(model)
    people = {
        "owner": make.person(("employee",), company=company_a, name=OWNER_NAME, email=OWNER_EMAIL),
        "colleague": make.employee(company=company_a),
        "coordinator": make.person(("coordinator",), company=company_a),
        "outsider": make.employee(company=company_b),
        "other_coordinator": make.person(("coordinator",), company=company_b),
        "assessor": assessor,
        "other_assessor": make.assessor(model),
        "center_admin": make.person(("center_admin",), center=center),
        "other_center_admin": make.person(("center_admin",), center=other_center),
        "project_admin": make.person(("project_admin",)),
    }
    limited_project = make.project(company_a, name="Projekt A")
    people["limited_admin"] = make.person(("project_admin",), projects=(limited_project,))
    world.people = people
    owner = people["owner"]
    session = make.session(center=center, model=model, assessor=assessor)
    other_session = make.session(
        center=center, model=model, assessor=assessor, starts_in=timedelta(days=21)
    )
    booking = book_seat(
        session.id, owner, owner, support_needs=["interpreter"], support_note=SUPPORT_NOTE
    )

    # A past, attended booking with a result: written directly, since the booking
    # rules (rightly) refuse to book a session that is over.
    past = make.session(
        center=center, model=model, assessor=assessor, starts_at=utcnow() - timedelta(days=30)
    )
    past.seats_taken = 1
    past_booking = Booking(
        session=past,
        employee=owner,
        booked_by=owner,
        status="attended",
        confirmed_at=past.starts_at - timedelta(days=3),
        result_comment=RESULT_COMMENT,
    )
    db.session.add(past_booking)
    db.session.flush()
    for area in model_areas(model.id):
        db.session.add(
            AreaOutcome(
                booking=past_booking, area_id=area.id, result="approved", recorded_by=assessor
            )
        )
    closure = CenterClosure(
        center_id=center.id,
        first_day=date.today() + timedelta(days=60),
        last_day=date.today() + timedelta(days=61),
        reason="Inventering",
        open_anyway=False,
    )
    absence = AssessorAbsence(
        person_id=assessor.id,
        first_day=date.today() + timedelta(days=70),
        last_day=date.today() + timedelta(days=71),
        reason="Semester",
    )
    low, high = sorted((make.municipality("Kiruna").id, make.municipality("Piteå").id))
    travel = TravelBuffer(from_municipality_id=low, to_municipality_id=high, minutes=200)
    interest = Interest(
        person=owner,
        model=model,
        municipality=company_a.municipality,
        from_date=date.today() + timedelta(days=1),
        to_date=date.today() + timedelta(days=40),
        created_by=owner,
    )
    db.session.add_all([closure, absence, travel, interest])
    # Company A takes part in the first project: its settings page lists it.
    first_project = db.session.scalar(select(FundingProject.id).order_by(FundingProject.id))
    db.session.add(ProjectCompany(project_id=first_project, company_id=company_a.id))
    db.session.commit()

    for name, person in people.items():
        world.api_tokens[name] = create_token(person, "test")[1]
    # The coordinator's import of a list with the owner in a row it rejected (the phone).
    coordinator_import = import_employees(
        f"namn;e-post;telefon\n{OWNER_NAME};{OWNER_EMAIL};ring mig\n".encode(),
        company_a,
        people["coordinator"],
    )
    coordinator_webhook, _secret = create_subscription(
        people["coordinator"], "https://hr.foretag-a.example.se/webhook", EVENT_TYPES
    )
    owner_token_row = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == OWNER_EMAIL)
        .order_by(OutboxMessage.id)
    )
    world.ids = {
        "session": session.id,
        "other_session": other_session.id,
        "past_session": past.id,
        "booking": booking.id,
        "past_booking": past_booking.id,
        "center": center.id,
        "other_center": other_center.id,
        "closure": closure.id,
        "absence": absence.id,
        "travel_buffer": travel.id,
        "owner_api_token": db.session.scalar(
            select(db.metadata.tables["api_token"].c.id).where(
                db.metadata.tables["api_token"].c.person_id == owner.id
            )
        ),
        "owner_message": owner_token_row.id,
        "coordinator_webhook": coordinator_webhook.id,
        "owner_interest": interest.id,
        "coordinator_import": coordinator_import.id,
        "owner": owner.id,
        "company_a": company_a.id,
        "colleague": people["colleague"].id,
        "assessor": assessor.id,
        "model": model.id,
        "authorisation": db.session.scalar(
            select(AssessorAuthorisation.id).where(AssessorAuthorisation.person_id == assessor.id)
        ),
        "project": db.session.scalar(select(FundingProject.id).order_by(FundingProject.id)),
        "limited_project": limited_project.id,
        "limited_admin_person": people["limited_admin"].id,
        "target": db.session.scalar(select(ProjectTarget.id).order_by(ProjectTarget.id)),
    }
    world.emails = {name: person.email for name, person in people.items()}
    world.person_ids = {name: person.id for name, person in people.items()}
    world.values = {
        "feed_token": ensure_feed_token(owner),
        "reset_token": link_token(owner, "reset"),
    }
    return world


def sign_in_clients(app, world: World) -> dict:
    """A test client per actor, signed in (the anonymous one is not)."""
    clients = {}
    for name in ACTORS:
        client = app.test_client()
        if name != "anonymous":
            response = Auth(client).login(world.emails[name])
            assert response.status_code == 302, f"{name} could not sign in"
            client.get("/account")  # show (and so clear) the welcome message
        clients[name] = client
    return clients

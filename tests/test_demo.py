"""`flask seed-demo` loads a believable data set once."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import Company, Person
from app.bookings.models import Booking, Interest
from app.calendar.models import CalendarEntry, EntryRole
from app.centers.models import TestCenter
from app.centers.services import closed_reason, outside_opening_hours
from app.demo import MITT_COMPANIES, seed_demo
from app.extensions import db
from app.mail.models import OutboxMessage
from app.regions.models import County, Municipality
from app.results.models import AreaOutcome
from app.schedule.models import ValidationSession
from app.schedule.planning import travel_minutes
from app.timeutil import day_start
from tests.conftest import TEST_CONFIG, Auth
from tests.demo_seed import seeded_demo_copy


def _both_counties_with_companies_people_and_sessions(app) -> int:
    """The shape of the loaded data; the number of bookings it made."""
    with app.app_context():
        counties = set(
            db.session.scalars(
                select(County.name)
                .join(Municipality)
                .join(TestCenter, TestCenter.municipality_id == Municipality.id)
            )
        )
        # The north's two counties, and the second project's (Västernorrland, Jämtland).
        assert counties == {
            "Norrbottens län",
            "Västerbottens län",
            "Västernorrlands län",
            "Jämtlands län",
        }
        assert db.session.scalar(select(func.count(TestCenter.id))) >= 8
        # Every center stands at its postal town (here its municipality's seat) and says
        # how accessible it is.
        for center in db.session.scalars(select(TestCenter)):
            assert center.postal_town == center.municipality.name
            assert (center.latitude, center.longitude) == (
                center.municipality.latitude,
                center.municipality.longitude,
            )
            assert center.accessibility
        assert db.session.scalar(select(func.count(Company.id))) == 50 + len(MITT_COMPANIES)
        industries = dict(
            db.session.execute(
                select(Company.industry, func.count()).group_by(Company.industry)
            ).all()
        )
        assert industries["steel"] >= 20 and industries["metal"] >= 10
        employees = db.session.scalar(
            select(func.count(Person.id)).where(Person.company_id.isnot(None))
        )
        assert employees >= 500
        sessions = db.session.scalars(select(ValidationSession)).all()
        full = [s for s in sessions if s.seats_taken == s.seats]
        assert len(sessions) > 100 and len(full) >= 5
        waiting = db.session.scalar(
            select(func.count(func.distinct(Booking.session_id))).where(
                Booking.status == "waitlisted"
            )
        )
        assert waiting >= 3
        return db.session.scalar(select(func.count(Booking.id)))


def test_the_demo_has_both_counties_a_history_people_can_see_and_loads_once(
    _sqlite_databases, tmp_path_factory, worker_id
):
    """Past sessions were booked, attended and assessed; nobody was mailed about them.
    On SQLite, where `flask seed-demo` runs in the README's first command, loaded once
    for the run (tests/demo_seed.py, as the role journeys use it); PostgreSQL: the test
    below."""
    url, lines = seeded_demo_copy(_sqlite_databases, tmp_path_factory, worker_id)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    auth = Auth(client)
    output = "\n".join(lines)
    assert "deltagare@demo.example.se" in output and "demo1234" in output
    assert "projektadmin.mitt@demo.example.se" in output
    mitt = re.search(r"Projektet (Validering Mitt \d{4}–\d{4})", output).group(1)
    bookings = _both_counties_with_companies_people_and_sessions(app)
    now = datetime.now(UTC)
    with app.app_context():
        sessions = db.session.scalars(select(ValidationSession)).all()
        past = [s for s in sessions if s.ends_at <= now]
        assert len(past) >= 200
        assert min(s.local_date for s in past) < date(2024, 10, 1)
        assert any(s.starts_at < day_start(date(2026, 6, 1)) for s in past)
        assert any(s.starts_at >= day_start(date(2026, 6, 1)) for s in past)
        # The same rules as planning: open days, within opening hours, one session per
        # center and per testledare a day.
        for session in sessions:
            assert not closed_reason(session.center, session.local_date, closures=[])
            assert not outside_opening_hours(session.center, session.starts_at, session.ends_at)
        assert len({(s.center_id, s.local_date) for s in sessions}) == len(sessions)
        assert len({(s.assessor_id, s.local_date) for s in sessions}) == len(sessions)
        # Travel times a planner would recognise: stored ones, and the estimate elsewhere.
        town = {m.name: m.id for m in db.session.scalars(select(Municipality))}
        assert travel_minutes(town["Boden"], town["Luleå"]) == 45
        assert travel_minutes(town["Luleå"], town["Kiruna"]) == 240
        assert travel_minutes(town["Umeå"], town["Skellefteå"]) == 115  # estimated, 108 km

        statuses = dict(
            db.session.execute(
                select(Booking.status, func.count())
                .join(Booking.session)
                .where(ValidationSession.ends_at <= now)
                .group_by(Booking.status)
            ).all()
        )
        assert statuses.get("confirmed", 0) == 0  # everyone's attendance is recorded
        assert statuses["attended"] >= 500 and statuses["no_show"] >= 30
        assert statuses["no_show"] < statuses["attended"] / 5
        results = dict(
            db.session.execute(
                select(AreaOutcome.result, func.count()).group_by(AreaOutcome.result)
            ).all()
        )
        assert results["approved"] > 3 * results["not_yet"] > 0
        assessed = db.session.scalar(select(func.count(func.distinct(AreaOutcome.booking_id))))
        assert assessed >= 0.9 * statuses["attended"]
        # Only what is still to come was mailed: one message per booking of a future
        # session, and to its testledare one invite per coming session, as planning sends.
        future_bookings = db.session.scalar(
            select(func.count(Booking.id))
            .join(Booking.session)
            .where(ValidationSession.ends_at > now)
        )
        coming = [s for s in sessions if s.ends_at > now]
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == future_bookings + len(
            coming
        )
        # So each testledare's calendar knows their coming sessions: a later change is
        # an update (SEQUENCE 1), and their feed has a Last-Modified.
        entries = db.session.scalars(
            select(CalendarEntry).where(CalendarEntry.role == EntryRole.ASSESSOR)
        ).all()
        assert {(e.session_id, e.person_id) for e in entries} == {
            (s.id, s.assessor_id) for s in coming
        }

        demo = db.session.scalar(select(Person).where(Person.email == "deltagare@demo.example.se"))
        attended = db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .where(
                Booking.employee_id == demo.id,
                Booking.status == "attended",
                ValidationSession.ends_at <= now,
            )
        ).all()
        assert attended
        assert db.session.scalar(
            select(func.count(AreaOutcome.id)).where(
                AreaOutcome.booking_id.in_([b.id for b in attended]),
                AreaOutcome.result == "not_yet",
            )
        )

    assert auth.login("deltagare@demo.example.se", "demo1234").status_code == 302
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Bekräftad plats" in mine and "Resultat och intyg" in mine
    statement = re.search(r'href="(/bookings/\d+/intyg)"', mine).group(1)
    assert client.get(statement).status_code == 200
    auth.logout()

    assert auth.login("samordnare@demo.example.se", "demo1234").status_code == 302
    company = client.get("/company/results").get_data(as_text=True)
    assert re.search(r'href="/bookings/\d+/intyg"', company)
    auth.logout()

    assert auth.login("projektadmin@demo.example.se", "demo1234").status_code == 302
    page = client.get("/reports/")
    assert page.status_code == 200
    # Both targets' companies and employees: booked, attended and passed, each partial.
    reached = re.findall(r'<progress max="(\d+)" value="(\d+)"', page.get_data(as_text=True))
    goals = {"30", "300", "20", "200"}
    progress = [(int(goal), int(value)) for goal, value in reached if goal in goals]
    assert {goal for goal, _ in progress} == {30, 300, 20, 200}
    for goal, value in progress:
        assert 0.2 * goal <= value <= 0.8 * goal, (goal, value)
    # Planners see where people want to validate (issue 18): interest from four places.
    demand = page.get_data(as_text=True).split('id="interest-demand-heading"', 1)[1]
    demand = demand.split("</section>", 1)[0]
    for town in ("Gällivare", "Kiruna", "Lycksele", "Skellefteå"):
        assert f"<td>{town}</td>" in demand, town
    assert "Svets, alla nivåer" in demand
    csv = client.get("/reports/targets.csv").get_data(as_text=True)
    rows = [line.split(";") for line in csv.splitlines()[1:] if line]
    assert len(rows) == 2 and all(int(row[3]) > 0 and int(row[9]) > 0 for row in rows)

    # Two projects side by side, each with companies reached, for the unlimited admin.
    table = page.get_data(as_text=True).split('id="comparison"', 1)[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a></th>.*?<td>(\d+)</td>', table, re.S)
    assert [name for name, _ in rows] == ["Industrivalidering Norr", mitt]
    assert all(int(taking_part) > 0 for _, taking_part in rows)
    auth.logout()
    # The limited admins see their own project alone, with progress.
    for email, project in (
        ("projektadmin.mitt@demo.example.se", mitt),
        ("projektadmin.norr@demo.example.se", "Industrivalidering Norr"),
    ):
        assert auth.login(email, "demo1234").status_code == 302
        page = client.get("/reports/").get_data(as_text=True)
        assert f"Mål och utfall: {project}" in page and 'id="comparison"' not in page
        assert re.search(r'<progress max="\d+" value="[1-9]\d*"', page), email
        auth.logout()

    with app.app_context():
        interests = db.session.scalar(select(func.count(Interest.id)))
        assert interests >= 8
    second = app.test_cli_runner().invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "redan" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == bookings
        assert db.session.scalar(select(func.count(Company.id))) == 50 + len(MITT_COMPANIES)
        assert db.session.scalar(select(func.count(Interest.id))) == interests


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_demo_loads_on_postgresql_through_the_same_services(app, client, auth):
    """The same loading on PostgreSQL, made as if on a day two and a half months into
    the history (its whole history took 40 s of the suite; the services it calls are the
    same). Every part is there: both projects, a history with outcomes, interest, the
    limited admins; a second load adds nothing."""
    made_on = datetime(2024, 11, 15, 9, tzinfo=UTC)
    with app.app_context():
        lines = seed_demo(now=made_on)
        assert "Validering Mitt" in lines[3]
        counts = dict(
            db.session.execute(select(Booking.status, func.count()).group_by(Booking.status)).all()
        )
        assert counts["attended"] > 50 and counts["confirmed"] > 50 and counts["no_show"]
        assert db.session.scalar(select(func.count(AreaOutcome.id))) > 100
        assert db.session.scalar(select(func.count(Interest.id))) >= 8
        assert db.session.scalar(select(func.count(Company.id))) == 50 + len(MITT_COMPANIES)
        bookings = db.session.scalar(select(func.count(Booking.id)))
    for email in ("projektadmin@demo.example.se", "projektadmin.mitt@demo.example.se"):
        assert auth.login(email, "demo1234").status_code == 302
        assert client.get("/reports/").status_code == 200
        auth.logout()
    with app.app_context():
        assert seed_demo()[0].startswith("Demodata finns redan")
        assert db.session.scalar(select(func.count(Booking.id))) == bookings

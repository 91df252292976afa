"""`flask seed-demo` loads a believable data set once."""

from sqlalchemy import func, select

from app.accounts.models import Company, Person
from app.bookings.models import Booking
from app.centers.models import TestCenter
from app.extensions import db
from app.regions.models import County, Municipality
from app.schedule.models import ValidationSession


def test_seed_demo_loads_both_counties_and_adds_nothing_the_second_time(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "deltagare@demo.example.se" in first.output and "demo1234" in first.output
    with app.app_context():
        counties = set(
            db.session.scalars(
                select(County.name)
                .join(Municipality)
                .join(TestCenter, TestCenter.municipality_id == Municipality.id)
            )
        )
        assert counties == {"Norrbottens län", "Västerbottens län"}
        assert db.session.scalar(select(func.count(TestCenter.id))) >= 8
        assert db.session.scalar(select(func.count(Company.id))) == 50
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
        bookings = db.session.scalar(select(func.count(Booking.id)))

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "redan" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == bookings
        assert db.session.scalar(select(func.count(Company.id))) == 50


def test_demo_employee_can_sign_in_and_sees_bookings(app, client, auth):
    app.test_cli_runner().invoke(args=["seed-demo"])
    assert auth.login("deltagare@demo.example.se", "demo1234").status_code == 302
    assert "Bekräftad plats" in client.get("/bookings").get_data(as_text=True)

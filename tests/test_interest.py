"""Interest when nothing fits (issue 18, item 6): registering it, one mail per person when a
matching session is planned, its end, the planners' counts, personal data."""

import re
import threading
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from app.accounts import privacy
from app.accounts.models import Person, RoleGrant
from app.bookings.interest import expire_interests, notify_interested, today
from app.bookings.models import Interest, InterestEnd
from app.bookings.services import book_seat
from app.bookings.session_changes import cancel_session
from app.centers.models import TestCenter
from app.centers.services import holiday_name
from app.db import utcnow
from app.extensions import db
from app.regions.models import TravelBuffer
from app.schedule.models import ValidationModel, ValidationSession
from tests.calendars import outbox, parse_mail
from tests.forms import form_of, page_form


def _tuesday_ahead(days: int) -> date:
    """A Tuesday at least `days` ahead, and the Tuesdays two weeks on, none a holiday."""
    day = today() + timedelta(days=days)
    while day.weekday() != 1 or any(holiday_name(day + timedelta(weeks=n)) for n in range(3)):
        day += timedelta(days=1)
    return day


@pytest.fixture
def world(app, make):
    """A steel works in Gällivare (Norrbotten) with two employees and a coordinator;
    a center in Luleå (Norrbotten) and one in Umeå (Västerbotten).

    Interest matches sessions within its travel time (2 h unless chosen): this world's
    project admin stored Gällivare–Luleå as 2 h (test data; the estimate says 3 h 20 min),
    and Umeå is estimated over 6 h away."""
    with app.app_context():
        low, high = sorted((make.municipality("Gällivare").id, make.municipality("Luleå").id))
        db.session.add(TravelBuffer(from_municipality_id=low, to_municipality_id=high, minutes=120))
        works = make.company("Malmverket AB", municipality="Gällivare")
        other = make.company("Annat Bolag AB", municipality="Umeå")
        model = make.model("industriteknik-bas")
        return {
            "anna": make.employee(works, name="Anna Andersson").id,
            "bo": make.employee(works, name="Bo Berg").id,
            "cia": make.person(("coordinator",), company=works, name="Cia Samordnare").email,
            "other_coordinator": make.person(("coordinator",), company=other).email,
            "outsider": make.employee(other, name="Olle Utanför").id,
            "model": model.id,
            "gallivare": make.municipality("Gällivare").id,
            "lulea_center": make.center(name="Luleå tekniska gymnasium", municipality="Luleå").id,
            "umea_center": make.center(name="Umeå industricenter", municipality="Umeå").id,
            "assessor": make.assessor(model).id,
            "other_assessor": make.assessor(model).id,
        }


def _email(app, person_id: int) -> str:
    with app.app_context():
        return db.session.get(Person, person_id).email


def _interests(app) -> list[tuple]:
    with app.app_context():
        return [
            (i.person.name, i.model_id, i.municipality_id, i.from_date, i.to_date, i.end_reason)
            for i in db.session.scalars(select(Interest).order_by(Interest.id))
        ]


def _register_own(client, world, **values):
    form = page_form(client, "/interest", field="from_date")
    form.fill(model=world["model"], **values)
    return form.submit()


def test_an_employee_registers_interest_with_their_company_place_prefilled(
    app, client, auth, world
):
    auth.login(_email(app, world["anna"]))
    form = page_form(client, "/interest", button="Anmäl intresse")
    assert form.value("municipality") == str(world["gallivare"])
    assert form.value("from_date") == today().isoformat()
    answer = form.fill(
        model=world["model"], to_date=(today() + timedelta(days=60)).isoformat()
    ).submit(follow_redirects=True)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Intresset är anmält" in html and "Industriteknik BAS" in html and "Gällivare" in html
    assert _interests(app) == [
        (
            "Anna Andersson",
            world["model"],
            world["gallivare"],
            today(),
            today() + timedelta(days=60),
            None,
        )
    ]


def test_the_full_sessions_link_prefills_model_and_place(app, client, auth, world):
    auth.login(_email(app, world["anna"]))
    form = page_form(
        client, f"/interest?model={world['model']}&municipality=1", button="Anmäl intresse"
    )
    assert form.value("model") == str(world["model"]) and form.value("municipality") == "1"
    # A hand-edited link is just no choice, not an error.
    assert client.get("/interest?model=abc&municipality=99999999999").status_code == 200


def test_a_coordinator_registers_several_employees_at_once(app, client, auth, world):
    auth.login(world["cia"])
    # Mina bokningar's and the search's link (shared with employees) leads to their form.
    link = re.search(r'href="(/interest[^"]*)"', client.get("/bookings").get_data(as_text=True))
    followed = client.get(link[1])
    assert followed.status_code == 302 and followed.headers["Location"].startswith(
        "/company/interest"
    )
    form = page_form(client, "/company/interest", button="Anmäl intresse")
    assert sorted(form.options("employees")) == sorted([str(world["anna"]), str(world["bo"])])
    answer = form.fill(
        employees=[world["anna"], world["bo"]],
        model=world["model"],
        to_date=(today() + timedelta(days=30)).isoformat(),
    ).submit(follow_redirects=True)
    assert answer.status_code == 200
    assert "för 2 medarbetare" in answer.get_data(as_text=True)
    assert [row[0] for row in _interests(app)] == ["Anna Andersson", "Bo Berg"]
    # Someone outside the company is not offered, and sent by hand is a form error.
    form = page_form(client, "/company/interest", button="Anmäl intresse")
    refused = (
        form.fill(model=world["model"]).set("employees", [world["outsider"]], tamper=True).submit()
    )
    assert refused.status_code == 400
    assert len(_interests(app)) == 2


def test_a_duplicate_or_bad_dates_are_form_errors_and_nothing_is_saved(app, client, auth, world):
    auth.login(_email(app, world["anna"]))
    assert _register_own(client, world).status_code == 302
    overlapping = _register_own(
        client,
        world,
        from_date=(today() + timedelta(days=10)).isoformat(),
        to_date=(today() + timedelta(days=200)).isoformat(),
    )
    assert overlapping.status_code == 400
    assert "Det finns redan en intresseanmälan" in overlapping.get_data(as_text=True)
    for values, message in [
        ({"from_date": (today() - timedelta(days=1)).isoformat()}, "före i dag"),
        (
            {
                "from_date": (today() + timedelta(days=200)).isoformat(),
                "to_date": (today() + timedelta(days=199)).isoformat(),
            },
            "Sista dagen ligger före första dagen",
        ),
        (
            {
                "from_date": (today() + timedelta(days=100)).isoformat(),
                "to_date": (today() + timedelta(days=100 + 400)).isoformat(),
            },
            "högst ett år",
        ),
        (
            {
                "from_date": (today() + timedelta(days=400)).isoformat(),
                "to_date": (today() + timedelta(days=410)).isoformat(),
            },
            "börja inom ett år",
        ),
        ({"to_date": "not a day"}, 'class="error"'),
    ]:
        answer = _register_own(client, world, **values)
        assert answer.status_code == 400, values
        assert message in answer.get_data(as_text=True), values
    tampered = page_form(client, "/interest", button="Anmäl intresse")
    assert tampered.set("model", "99999", tamper=True).submit().status_code == 400
    assert len(_interests(app)) == 1


def _plan(client, center_id, model_id, assessor_id, first_day: date, weeks: int):
    """The center admin plans a weekly series on the planning page: preview, then create."""
    planner = page_form(client, f"/centers/{center_id}/plan", button="Förhandsgranska")
    planner.fill(
        model=model_id,
        assessor=assessor_id,
        first_day=first_day.isoformat(),
        start="08:00",
        weeks=str(weeks),
        weekdays=[str(first_day.weekday())],
    )
    preview = planner.submit()
    assert preview.status_code == 200, preview.get_data(as_text=True)
    created = form_of(preview, client, button=f"Skapa {weeks} pass").submit()
    assert created.status_code == 302


def _notices(app) -> list:
    with app.app_context():
        return [row for row in outbox() if row.kind == "interest_notice"]


@pytest.fixture
def center_admin(app, make, world):
    with app.app_context():
        lulea = db.session.get(TestCenter, world["lulea_center"])
        admin = make.person(("center_admin",), center=lulea)
        make._save(
            RoleGrant(person_id=admin.id, role="center_admin", center_id=world["umea_center"])
        )
        return admin.email


def test_each_interested_person_gets_one_mail_when_matching_sessions_are_planned(
    app, client, auth, world, center_admin
):
    first = _tuesday_ahead(28)
    auth.login(world["cia"])
    form = page_form(client, "/company/interest", button="Anmäl intresse")
    form.fill(
        employees=[world["anna"], world["bo"]],
        model=world["model"],
        to_date=(first + timedelta(days=30)).isoformat(),
    ).submit()
    auth.logout()
    auth.login(center_admin)
    # In Västerbotten: not the county of Gällivare, so no mail.
    _plan(client, world["umea_center"], world["model"], world["other_assessor"], first, 1)
    assert _notices(app) == []
    # Two matching sessions in one series, then one more: still one mail each.
    _plan(client, world["lulea_center"], world["model"], world["assessor"], first, 2)
    _plan(
        client,
        world["lulea_center"],
        world["model"],
        world["assessor"],
        first + timedelta(days=14),
        1,
    )
    notices = _notices(app)
    assert sorted(n.recipient for n in notices) == sorted(
        [_email(app, world["anna"]), _email(app, world["bo"])]
    )
    with app.app_context():
        first_session = db.session.scalar(
            select(ValidationSession)
            .where(ValidationSession.center_id == world["lulea_center"])
            .order_by(ValidationSession.starts_at)
        )
        mail = parse_mail(notices[0].raw)
        text = mail.get_body(("plain",)).get_content()
        assert mail["Subject"] == "Ett pass för Industriteknik BAS går att boka"
        assert f"Boka en plats här: http://127.0.0.1:5000/sessions/{first_session.id}" in text
        assert "Luleå tekniska gymnasium" in text
        interests = db.session.scalars(select(Interest)).all()
        assert all(i.notified_session_id == first_session.id for i in interests)
        assert all(i.ended_at is None for i in interests)  # still counted for planners


def test_a_session_beyond_the_booking_window_says_when_booking_opens(
    app, client, auth, world, center_admin
):
    far = _tuesday_ahead(120)  # booking opens 90 days before
    auth.login(_email(app, world["anna"]))
    _register_own(
        client,
        world,
        from_date=(far - timedelta(days=7)).isoformat(),
        to_date=(far + timedelta(days=7)).isoformat(),
    )
    auth.logout()
    auth.login(center_admin)
    _plan(client, world["lulea_center"], world["model"], world["assessor"], far, 1)
    (notice,) = _notices(app)
    text = parse_mail(notice.raw).get_body(("plain",)).get_content()
    assert "Bokningen öppnar " in text and "Boka en plats här" not in text


def test_a_session_too_close_to_book_mails_nobody_and_keeps_the_one_mail(
    app, client, auth, world, make
):
    """Planned for tomorrow, booking has closed (24 h before the start): the one mail
    would point to a session nobody can book, and the next one would go untold."""
    auth.login(_email(app, world["anna"]))
    _register_own(client, world)
    with app.app_context():
        center = db.session.get(TestCenter, world["lulea_center"])
        model = db.session.get(ValidationModel, world["model"])
        for hours in (20, 24 * 6):
            session = make.session(starts_in=timedelta(hours=hours), center=center, model=model)
            told = notify_interested(session, utcnow())
            assert told == (0 if hours == 20 else 1), hours
        db.session.commit()  # as the planning's unit of work does
        (interest,) = db.session.scalars(select(Interest)).all()
        assert interest.notified_session_id == session.id
    assert len(_notices(app)) == 1


def test_english_speakers_get_the_notice_in_english(app, client, auth, world, center_admin):
    first = _tuesday_ahead(28)
    with app.app_context():
        db.session.get(Person, world["anna"]).locale = "en"
        db.session.commit()
    auth.login(_email(app, world["anna"]))
    _register_own(client, world, to_date=(first + timedelta(days=3)).isoformat())
    auth.logout()
    auth.login(center_admin)
    _plan(client, world["lulea_center"], world["model"], world["assessor"], first, 1)
    (notice,) = _notices(app)
    assert "Industriteknik BAS" in notice.subject and "går att boka" not in notice.subject


def test_booking_the_model_ends_the_interest(app, client, auth, world, make):
    with app.app_context():
        session_id = make.session(
            center=db.session.get(TestCenter, world["lulea_center"]),
            starts_in=timedelta(days=20),
        ).id
    auth.login(_email(app, world["anna"]))
    _register_own(client, world)
    book = page_form(client, f"/sessions/{session_id}", button="Boka plats")
    assert book.submit().status_code == 302
    assert _interests(app)[0][-1] == InterestEnd.BOOKED
    page = client.get("/interest").get_data(as_text=True)
    assert "Bokad" in page and "Ta bort" not in page


def test_a_session_the_center_cancels_opens_the_interest_it_ended_again(
    app, client, auth, world, center_admin
):
    """Interest, a mail about a new session, a seat in it (the interest ends as booked),
    then the center cancels the session: the person has no seat, so the interest is
    live again, and the next matching session is mailed about."""
    first = _tuesday_ahead(28)
    anna = _email(app, world["anna"])
    auth.login(anna)
    _register_own(client, world, to_date=(first + timedelta(days=30)).isoformat())
    auth.logout()
    auth.login(center_admin)
    _plan(client, world["lulea_center"], world["model"], world["assessor"], first, 1)
    auth.logout()
    assert len(_notices(app)) == 1
    with app.app_context():
        session_id = db.session.scalar(select(Interest.notified_session_id))
    auth.login(anna)
    booked = page_form(client, f"/sessions/{session_id}", button="Boka plats").submit()
    assert booked.status_code == 302
    page = client.get("/interest").get_data(as_text=True)
    assert "Bokad" in page and "Ta bort" not in page
    auth.logout()

    auth.login(center_admin)
    manage = page_form(client, f"/sessions/{session_id}/manage", button="Ställ in")
    assert manage.fill(reason="Testledaren är sjuk").submit().status_code == 302
    auth.logout()
    auth.login(anna)
    page = client.get("/interest").get_data(as_text=True)
    assert "Bokad" not in page and "Ta bort" in page and "Gäller" in page
    assert [i[-1] for i in _interests(app)] == [None]
    auth.logout()

    auth.login(center_admin)
    later = first + timedelta(days=14)
    _plan(client, world["lulea_center"], world["model"], world["assessor"], later, 1)
    assert [n.recipient for n in _notices(app)] == [anna, anna]


def test_a_cancelled_session_leaves_the_interest_booked_while_another_seat_holds(
    app, client, auth, world, make
):
    with app.app_context():
        lulea = db.session.get(TestCenter, world["lulea_center"])
        cancelled = make.session(center=lulea, starts_in=timedelta(days=20))
        kept = make.session(center=lulea, starts_in=timedelta(days=25))
        cancelled_id, kept_id = cancelled.id, kept.id
        admin = make.person(("center_admin",), center=lulea)
    auth.login(_email(app, world["anna"]))
    _register_own(client, world)
    for session_id in (cancelled_id, kept_id):
        book = page_form(client, f"/sessions/{session_id}", button="Boka plats")
        assert book.submit().status_code == 302
    with app.app_context():
        cancel_session(cancelled_id, db.session.merge(admin), "Stängt")
    assert _interests(app)[0][-1] == InterestEnd.BOOKED
    assert "Bokad" in client.get("/interest").get_data(as_text=True)


def test_withdrawing_and_expiry_end_the_interest(app, client, auth, world):
    auth.login(_email(app, world["anna"]))
    _register_own(client, world)
    withdraw = page_form(client, "/interest", button="Ta bort")
    assert withdraw.submit().status_code == 302
    assert _interests(app)[0][-1] == InterestEnd.WITHDRAWN
    # A new one, for a period that has since passed: read as ended at once, swept later.
    _register_own(client, world)
    with app.app_context():
        latest = db.session.scalar(select(Interest).order_by(Interest.id.desc()))
        latest.from_date = today() - timedelta(days=20)
        latest.to_date = today() - timedelta(days=1)
        db.session.commit()
    assert "Perioden har passerat" in client.get("/interest").get_data(as_text=True)
    with app.app_context():
        assert expire_interests() == 1
    assert _interests(app)[1][-1] == InterestEnd.EXPIRED


def test_another_companys_coordinator_cannot_withdraw_it(app, client, auth, world):
    auth.login(_email(app, world["anna"]))
    _register_own(client, world)
    auth.logout()
    auth.login(world["other_coordinator"])
    page = page_form(client, "/company/interest", button="Anmäl intresse")
    page.fill(employees=[world["outsider"]], model=world["model"]).submit()
    withdraw = page_form(client, "/company/interest", button="Ta bort")
    with app.app_context():
        annas = db.session.scalar(select(Interest.id).where(Interest.person_id == world["anna"]))
    withdraw.action = f"/interest/{annas}/withdraw"  # a hand-edited id
    assert withdraw.submit().status_code == 404
    assert _interests(app)[0][-1] is None


def test_planners_see_counts_per_municipality_and_model_without_names(
    app, client, auth, world, center_admin, make
):
    auth.login(world["cia"])
    page_form(client, "/company/interest", button="Anmäl intresse").fill(
        employees=[world["anna"], world["bo"]], model=world["model"]
    ).submit()
    auth.logout()
    auth.login(center_admin)
    plan = client.get(f"/centers/{world['lulea_center']}/plan").get_data(as_text=True)
    section = plan.split('id="interest-demand-heading"', 1)[1]
    assert "Gällivare" in section and "Industriteknik BAS" in section
    assert '<td data-label="Antal personer">2</td>' in section
    assert "Anna" not in plan and "Bo Berg" not in plan
    # The Umeå center's county has none of it.
    umea = client.get(f"/centers/{world['umea_center']}/plan").get_data(as_text=True)
    assert "Ingen har anmält intresse just nu." in umea
    auth.logout()
    with app.app_context():
        boss = make.person(("project_admin",)).email
    auth.login(boss)
    dashboard = client.get("/reports/").get_data(as_text=True)
    section = dashboard.split('id="interest-demand-heading"', 1)[1]
    assert "Gällivare" in section and '<td data-label="Antal personer">2</td>' in section
    assert "Anna Andersson" not in dashboard


def test_export_lists_interest_and_erasure_deletes_it(app, client, auth, world, make):
    auth.login(_email(app, world["anna"]))
    _register_own(client, world)
    with app.app_context():
        anna = db.session.get(Person, world["anna"])
        exported = privacy.export(anna)["interest"]
        assert [(e["model"], e["municipality"], e["registered_by_self"]) for e in exported] == [
            ("Industriteknik BAS", "Gällivare", True)
        ]
        boss = make.person(("project_admin",))
        privacy.erase(anna.id, boss)
        assert db.session.scalar(select(func.count(Interest.id))) == 0


def test_two_sessions_planned_at_the_same_moment_still_mail_each_person_once(
    app, make, database_url, monkeypatch
):
    """A real race: two centers plan a matching session in two transactions at once.

    Both read the same un-told interest before either claims it (a barrier holds each
    after its read); the claims are conditional UPDATEs, so the second waits for the
    first's row locks and then finds nothing left. SQLite lets one writer in at a time
    (BEGIN IMMEDIATE), so the two cannot interleave there: PostgreSQL only.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one write transaction at a time: nothing interleaves")
    from app.bookings import interest as interest_module
    from app.schedule.planning import create_sessions

    day = _tuesday_ahead(28)
    with app.app_context():
        works = make.company(municipality="Gällivare")
        people = [make.employee(works) for _ in range(5)]
        model = make.model()
        centers = [make.center(municipality="Luleå"), make.center(municipality="Piteå")]
        assessors = [make.assessor(model), make.assessor(model)]
        boss = make.person(("project_admin",))
        for person in people:
            db.session.add(
                Interest(
                    person=person,
                    model=model,
                    municipality=make.municipality("Gällivare"),
                    max_minutes=0,  # any distance: the race is the point here
                    from_date=today(),
                    to_date=day + timedelta(days=7),
                    created_by=person,
                )
            )
        db.session.commit()
        plan = [(c.id, a.id) for c, a in zip(centers, assessors, strict=True)]
        model_id, boss_id = model.id, boss.id
        emails = sorted(p.email for p in people)

    barrier = threading.Barrier(2)
    read = interest_module.matching_interests

    def read_then_wait(session):
        found = read(session)
        barrier.wait(timeout=60)  # a guard against hanging, not a timed assertion
        return found

    monkeypatch.setattr(interest_module, "matching_interests", read_then_wait)
    made, errors = [], []

    def planner(center_id, assessor_id):
        try:
            with app.app_context():
                actor = db.session.get(Person, boss_id)
                created, refused = create_sessions(
                    center_id, model_id, assessor_id, [day], time(8, 0), actor
                )
                made.append((len(created), len(refused)))
        except Exception as error:  # reported below, with the thread's error
            errors.append(error)

    threads = [threading.Thread(target=planner, args=pair) for pair in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and made == [(1, 0), (1, 0)]
    notices = _notices(app)
    assert sorted(n.recipient for n in notices) == emails
    with app.app_context():
        assert all(i.notified_session_id for i in db.session.scalars(select(Interest)))


def test_a_full_sessions_page_links_to_the_form_with_model_and_place(
    app, client, auth, world, make
):
    with app.app_context():
        center = db.session.get(TestCenter, world["lulea_center"])
        full = make.session(center=center, seats=1, starts_in=timedelta(days=20))
        other = make.employee(make.company())
        book_seat(full.id, other, other)
        lulea = center.municipality_id
        link = f"/interest?model={full.model_id}&amp;municipality={lulea}"
        full_id = full.id
    auth.login(_email(app, world["anna"]))
    page = client.get(f"/sessions/{full_id}").get_data(as_text=True)
    assert link in page
    form = page_form(client, link.replace("&amp;", "&"), field="from_date")
    assert form.value("municipality") == str(lulea)
    assert 'href="/interest"' in client.get("/bookings").get_data(as_text=True)


def test_two_overlapping_registrations_at_the_same_moment_save_one(
    app, make, database_url, monkeypatch
):
    """A real race: the employee and their coordinator register the same interest at once.

    Both transactions have begun and read before either locks (a barrier holds them
    just before the lock); the person's row lock makes the second wait and then see the
    first's interest. PostgreSQL only, as above.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one write transaction at a time: nothing interleaves")
    from app.bookings import interest as interest_module
    from app.bookings.interest import InterestOverlaps, register_interest

    with app.app_context():
        works = make.company(municipality="Gällivare")
        anna = make.employee(works)
        cia = make.person(("coordinator",), company=works)
        ids = (anna.id, cia.id, make.model().id, make.municipality("Gällivare").id)

    barrier = threading.Barrier(2)
    lock = interest_module.lock_people

    def wait_then_lock(person_ids):
        barrier.wait(timeout=60)  # a guard against hanging, not a timed assertion
        lock(person_ids)

    outcomes = []

    def register(actor_id):
        anna_id, _cia_id, model_id, place_id = ids
        try:
            with app.app_context():
                actor = db.session.get(Person, actor_id)
                employee = db.session.get(Person, anna_id)
                register_interest(
                    [employee],
                    model_id,
                    place_id,
                    today(),
                    today() + timedelta(days=30),
                    actor,
                )
                outcomes.append("saved")
        except InterestOverlaps:
            outcomes.append("refused")
        except Exception as error:  # reported below
            outcomes.append(repr(error))

    monkeypatch.setattr(interest_module, "lock_people", wait_then_lock)
    threads = [threading.Thread(target=register, args=(who,)) for who in ids[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Interest.id))) == 1

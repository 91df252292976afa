"""The project admin's page of travel times between municipalities, which planning uses."""

import threading
from datetime import date, time

import pytest
from sqlalchemy import func, select

from app.accounts.models import Person
from app.audit.models import AuditEntry
from app.centers import services
from app.centers.models import TestCenter
from app.errors import Forbidden, InvalidInput
from app.extensions import db
from app.regions.models import TravelBuffer
from app.schedule.planning import create_sessions, plan_session, travel_minutes
from tests.forms import page_form

PAGE = "/centers/travel-times"
TUESDAY = date(2027, 9, 14)  # well ahead, no holiday near it


@pytest.fixture
def places(app, make):
    with app.app_context():
        return {name: make.municipality(name).id for name in ("Luleå", "Kiruna", "Umeå")}


@pytest.fixture
def project_admin(app, make, auth):
    with app.app_context():
        email = make.person(("project_admin",)).email
    auth.login(email)
    return email


def _form(client):
    return page_form(client, PAGE, field="minutes")


def _set(client, first, second, minutes, form=None, tamper=False):
    """Fill the page's form; `tamper` sends a municipality the lists do not offer."""
    form = (form or _form(client)).copy()
    return form.fill(first=first, second=second, tamper=tamper).fill(minutes=minutes).submit()


def _delete_form(client):
    return page_form(client, PAGE, button="Ta bort")


def _rows(app) -> list[tuple[int, int, int]]:
    with app.app_context():
        return [
            (r.from_municipality_id, r.to_municipality_id, r.minutes)
            for r in db.session.scalars(select(TravelBuffer))
        ]


def _minutes(app, a: int, b: int) -> tuple[int, int]:
    with app.app_context():
        return travel_minutes(a, b), travel_minutes(b, a)


def test_a_project_admin_sets_changes_and_removes_a_pair(app, client, places, project_admin):
    lulea, kiruna = places["Luleå"], places["Kiruna"]
    page = client.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Restider mellan kommuner" in html
    assert "gånger 1,3 för vägen, i 75 km/h" in html  # the estimate, stated
    assert "Inga egna restider" in html
    # Both counties in the lists, each a group of its own.
    assert 'label="Norrbottens län"' in html and 'label="Västerbottens län"' in html

    # Picked with the higher id first: stored lowest id first all the same.
    high, low = max(lulea, kiruna), min(lulea, kiruna)
    saved = _set(client, high, low, "240")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(PAGE)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Restiden mellan Kiruna och Luleå är sparad: 240 minuter." in html
    assert "Kiruna – Luleå" in html and "240 minuter" in html
    assert "280 minuter" in html  # the estimate beside it (266 km)
    assert "restiden Kiruna – Luleå</span>" in html  # the delete button says which pair
    assert _rows(app) == [(low, high, 240)]
    assert _minutes(app, lulea, kiruna) == (240, 240)

    # The same pair again, in the other order: the one row changes.
    assert _set(client, low, high, "90").status_code == 302
    assert _rows(app) == [(low, high, 90)]
    assert _minutes(app, lulea, kiruna) == (90, 90)
    # Zero is a time too: the two places are next to each other.
    assert _set(client, kiruna, lulea, "0").status_code == 302
    assert _minutes(app, lulea, kiruna) == (0, 0)

    with app.app_context():
        row_id = db.session.scalar(select(TravelBuffer.id))
    delete = _delete_form(client)
    assert delete.action == f"{PAGE}/{row_id}/delete"
    deleted = delete.submit()
    assert deleted.status_code == 302
    assert "Restiden är borttagen" in client.get(PAGE).get_data(as_text=True)
    assert _rows(app) == []
    assert _minutes(app, lulea, kiruna) == (280, 280)  # the estimate again
    assert _minutes(app, lulea, lulea) == (0, 0)

    with app.app_context():
        audited = db.session.execute(
            select(AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.entity == "travel_buffer", AuditEntry.entity_id == row_id)
            .order_by(AuditEntry.id)
        ).all()
    assert [a for a, _ in audited] == ["set", "set", "set", "deleted"]
    assert audited[0][1] == "Kiruna–Luleå: – → 240 min"
    assert audited[1][1] == "Kiruna–Luleå: 240 → 90 min"
    assert audited[-1][1] == "Kiruna–Luleå: 0 min"


def test_the_page_is_found_from_the_centers_pages(app, client, make, project_admin):
    with app.app_context():
        only = make.center().id
    # One center: the project admin lands on it, and its menu has the link.
    landing = client.get("/centers", follow_redirects=True).get_data(as_text=True)
    assert f'href="{PAGE}"' in landing and f"/centers/{only}/admin" in landing
    with app.app_context():
        make.center()
    index = client.get("/centers").get_data(as_text=True)
    assert f'href="{PAGE}"' in index and "Restider mellan kommuner" in index


def test_only_project_admins_see_or_change_the_times(app, client, make, auth, places):
    with app.app_context():
        center = make.center()
        center_admin = make.person(("center_admin",), center=center).email
        employee = make.employee().email
        db.session.add(
            TravelBuffer(
                from_municipality_id=min(places["Luleå"], places["Kiruna"]),
                to_municipality_id=max(places["Luleå"], places["Kiruna"]),
                minutes=60,
            )
        )
        db.session.commit()
        row_id = db.session.scalar(select(TravelBuffer.id))
    before = _rows(app)

    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for email in (center_admin, employee):
        auth.login(email)
        assert client.get(PAGE).status_code == 403
        # The subject is that a forbidden request is refused: the page shows these people
        # no form, so the POSTs are built by hand, with the token of a form they do see.
        token = page_form(client, "/account", action="/account/sign-out-everywhere").value(
            "csrf_token"
        )
        data = {"first": places["Luleå"], "second": places["Umeå"], "minutes": "30"}
        assert client.post(PAGE, data={**data, "csrf_token": token}).status_code == 403
        deleted = client.post(f"{PAGE}/{row_id}/delete", data={"csrf_token": token})
        assert deleted.status_code == 403
        assert _rows(app) == before
        center_page = client.get("/centers", follow_redirects=True).get_data(as_text=True)
        assert f'href="{PAGE}"' not in center_page
        auth.logout()
    # The services refuse as well, whoever calls them.
    with app.app_context():
        admin = db.session.scalar(select(Person).where(Person.email == center_admin))
        with pytest.raises(Forbidden):
            services.set_travel_time(places["Luleå"], places["Umeå"], 30, admin)
        with pytest.raises(Forbidden):
            services.remove_travel_time(row_id, admin)
    assert _rows(app) == before


def test_bad_input_is_refused_with_a_clear_message_and_stores_nothing(
    app, client, places, project_admin
):
    lulea, kiruna = places["Luleå"], places["Kiruna"]
    assert _set(client, lulea, kiruna, "45").status_code == 302
    before = _rows(app)
    # The last three send a municipality the lists do not offer (a hand-edited request).
    cases = [
        (lulea, lulea, "60", "Välj två olika kommuner."),
        (lulea, kiruna, "", "Ange restiden i minuter."),
        (lulea, kiruna, "  ", "Ange restiden i minuter."),
        (lulea, kiruna, "-5", "Restiden ska vara mellan 0 och 1440 minuter."),
        (lulea, kiruna, "1441", "Restiden ska vara mellan 0 och 1440 minuter."),
        (lulea, kiruna, "abc", "Ange restiden som ett heltal, i minuter."),
        (lulea, kiruna, "1.5", "Ange restiden som ett heltal, i minuter."),
        (lulea, kiruna, "99999999999999999999", "Ange restiden som ett heltal, i minuter."),
        ("", kiruna, "60", "Välj en kommun."),  # the list's "choose" line
        (lulea, 999999, "60", "Kommunen finns inte. Välj en kommun i listan."),
        ("x", kiruna, "60", "Kommunen finns inte. Välj en kommun i listan."),
        (lulea, "-1", "60", "Kommunen finns inte. Välj en kommun i listan."),
    ]
    form = _form(client)
    for n, (first, second, minutes, message) in enumerate(cases):
        response = _set(client, first, second, minutes, form, tamper=n >= len(cases) - 3)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, (first, second, minutes)
        assert message in html, (first, second, minutes)
        assert html.count('class="error"') == 1, (first, second, minutes)  # one message
        assert "Kiruna – Luleå" in html  # the list is still shown
    assert _rows(app) == before

    # Deleting a row that is not there (any more): the row's form, its address edited.
    delete = _delete_form(client)
    delete.action = f"{PAGE}/999999/delete"
    missing = delete.submit()
    assert missing.status_code == 404 and "Restiden finns inte." in missing.get_data(as_text=True)
    # And the service refuses bad values from any other caller, too.
    with app.app_context():
        for args in ((lulea, lulea, 5), (lulea, kiruna, -1), (lulea, kiruna, 1441)):
            with pytest.raises(InvalidInput):
                services.set_travel_time(*args, None)
    assert _rows(app) == before


def test_a_form_without_its_csrf_token_is_refused(app, client, places, project_admin):
    form = _form(client).fill(first=places["Luleå"], second=places["Kiruna"], minutes="60")
    response = form.remove("csrf_token").submit()
    assert response.status_code == 400
    assert "saknade säkerhetskod" in response.get_data(as_text=True)
    assert _set(client, places["Luleå"], places["Kiruna"], "60").status_code == 302
    with app.app_context():
        row_id = db.session.scalar(select(TravelBuffer.id))
    delete = _delete_form(client)
    assert delete.action == f"{PAGE}/{row_id}/delete"
    refused = delete.set("csrf_token", "forged").submit()
    assert refused.status_code == 400
    assert _rows(app) != []


def test_two_admins_setting_the_same_pair_at_once_both_succeed(app, places, make, monkeypatch):
    """The second admin's check found no row, but the first one's insert got there first:
    the unique pair refuses the insert, and the second time updates the first's row."""
    lulea, kiruna = places["Luleå"], places["Kiruna"]
    with app.app_context():
        first_admin, second_admin = make.person(("project_admin",)), make.person(("project_admin",))
        services.set_travel_time(lulea, kiruna, 200, first_admin)
        looked = []
        real = services._locked_pair

        def missed_the_first(low, high):
            looked.append((low, high))
            return None if len(looked) == 1 else real(low, high)

        monkeypatch.setattr(services, "_locked_pair", missed_the_first)
        services.set_travel_time(kiruna, lulea, 210, second_admin)
        assert len(looked) == 2
        assert db.session.scalar(select(func.count(TravelBuffer.id))) == 1
        assert travel_minutes(lulea, kiruna) == 210


def test_an_admin_waiting_on_anothers_unsaved_pair_updates_it(app, places, make, monkeypatch):
    """For real: one transaction has inserted the pair and not committed yet; the
    service, meanwhile, sets the same pair. It waits, then changes the other's row.

    On PostgreSQL the service does not see the unsaved row, so its own insert waits
    and then hits the unique pair; on SQLite it waits for the write lock instead."""
    lulea, kiruna = places["Luleå"], places["Kiruna"]
    low, high = sorted((lulea, kiruna))
    with app.app_context():
        admin_id = make.person(("project_admin",)).id
        engine = db.engine
    errors, lookups = [], []
    real = services._locked_pair
    monkeypatch.setattr(services, "_locked_pair", lambda *pair: lookups.append(pair) or real(*pair))

    def second_admin():
        with app.app_context():
            try:
                services.set_travel_time(kiruna, lulea, 75, db.session.get(Person, admin_id))
            except Exception as error:  # reported below, not lost in the thread
                errors.append(error)

    with engine.connect() as other:
        other.execute(
            TravelBuffer.__table__.insert().values(
                from_municipality_id=low, to_municipality_id=high, minutes=30
            )
        )
        waiting = threading.Thread(target=second_admin)
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # held up by the unsaved row
        other.commit()
    waiting.join(timeout=30)
    assert not errors, errors
    assert _rows(app) == [(low, high, 75)]
    assert len(lookups) == (2 if engine.dialect.name == "postgresql" else 1)


def test_the_page_in_english(app, client, places, project_admin):
    page_form(client, PAGE, action="/language").submit("language=en")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Travel times between municipalities" in html and "times 1.3 for the road" in html
    assert "Restider mellan kommuner" not in html
    bad = _set(client, places["Luleå"], places["Luleå"], "60")
    assert bad.status_code == 400 and "Choose two different municipalities." in bad.get_data(
        as_text=True
    )
    assert _set(client, places["Luleå"], places["Kiruna"], "240").status_code == 302
    html = client.get(PAGE).get_data(as_text=True)
    assert "240 minutes" in html and "Kiruna – Luleå" in html


def test_planning_uses_the_stored_time(app, client, make, places, project_admin):
    with app.app_context():
        lulea = make.center(municipality="Luleå")
        kiruna = make.center(municipality="Kiruna")
        model = make.model()
        assessor = make.assessor(model)
        admin = make.person(("center_admin",), center=lulea)
        create_sessions(lulea.id, model.id, assessor.id, [TUESDAY], time(8, 0), admin)  # 08–11
        # Without a stored time the estimate (280 minutes for 266 km) refuses 14:00.
        refused = plan_session(kiruna, model, assessor, TUESDAY, time(14, 0)).problems
        assert "hinner inte resa från Luleå (restid 280 min)" in " ".join(refused)
        ids = kiruna.id, assessor.id
    assert _set(client, places["Luleå"], places["Kiruna"], "180").status_code == 302
    with app.app_context():
        kiruna, assessor = db.session.get(TestCenter, ids[0]), db.session.get(Person, ids[1])
        model = make.model()
        refused = plan_session(kiruna, model, assessor, TUESDAY, time(13, 0)).problems
        assert "hinner inte resa från Luleå (restid 180 min)" in " ".join(refused)
        assert plan_session(kiruna, model, assessor, TUESDAY, time(14, 0)).ok


def test_a_longer_time_is_refused_while_planned_sessions_rely_on_the_shorter(
    app, client, make, places, project_admin
):
    """Luleå 08–11 and Kiruna 14:00 the same day hold with 180 minutes. Raising it to
    240, or removing it (the estimate is 280), would leave the testledare no time to
    travel: refused, naming both sessions, and the stored time stays."""
    assert _set(client, places["Luleå"], places["Kiruna"], "180").status_code == 302
    with app.app_context():
        lulea = make.center(municipality="Luleå")
        kiruna = make.center(municipality="Kiruna")
        model = make.model()
        assessor = make.assessor(model)
        assessor.name = "Birgitta Berg"
        admin = make.person(("project_admin",))
        made = [
            create_sessions(center.id, model.id, assessor.id, [TUESDAY], start, admin)[0]
            for center, start in ((lulea, time(8, 0)), (kiruna, time(14, 0)))
        ]
        assert all(made)
    refused = _set(client, places["Luleå"], places["Kiruna"], "240")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "hinner testledaren inte resa mellan 2 planerade pass" in html
    assert html.count("(Birgitta Berg)") == 2 and "tisdag 14 september 2027" in html
    assert _rows(app) == [(*sorted((places["Luleå"], places["Kiruna"])), 180)]

    removed = _delete_form(client).submit(follow_redirects=True)
    assert "hinner testledaren inte resa mellan 2 planerade pass" in removed.get_data(as_text=True)
    assert _rows(app) == [(*sorted((places["Luleå"], places["Kiruna"])), 180)]
    # A shorter time changes nothing for them: saved.
    assert _set(client, places["Luleå"], places["Kiruna"], "150").status_code == 302

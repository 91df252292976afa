"""The company's competence overview, training needs and validations (issue 19, items 1
and 3): cells and totals, filters, CSV, who may see them, printing, and on a phone."""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app import create_app
from app.accounts.models import Person
from app.bookings.models import Booking
from app.bookings.services import book_seat, move_booking
from app.db import utcnow
from app.extensions import db
from app.querycount import count_queries
from app.results.competence import competence_overview
from app.results.models import AreaOutcome
from app.results.services import model_areas
from tests.conftest import TEST_CONFIG
from tests.factories import Factory
from tests.forms import page_form
from tests.live import chromium, serving
from tests.test_browser import _axe, _page, sign_in

PHONE = {"width": 390, "height": 844}
FORMULA_NAME = '=HYPERLINK("http://evil")'


@dataclass
class World:
    company: int
    coordinator: str
    other_coordinator: str
    employee: str
    project_admin: str
    anna_past: int
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path


def _attended(make, session, person, verdicts):
    """An attended booking with a verdict per area, written directly: the session is over."""
    booking = Booking(session=session, employee=person, booked_by=person, status="attended")
    db.session.add(booking)
    db.session.flush()
    for area, (result, training) in zip(model_areas(session.model_id), verdicts, strict=True):
        db.session.add(
            AreaOutcome(
                booking=booking,
                area_id=area.id,
                result=result,
                training=training,
                recorded_by=session.assessor,
            )
        )
    session.seats_taken += 1
    db.session.commit()
    return booking


def build(make: Factory) -> World:
    """Anna (Svets) approved in 9 of 10 areas, the formula-named Svets welder in 1, Bo
    (Montering) booked into a coming session; another company, its coordinator and staff."""
    company = make.company("Verkstad AB")
    anna = make.employee(company, name="Anna Andersson")
    bo = make.employee(company, name="Bo Berg")
    cilla = make.employee(company, name=FORMULA_NAME)
    anna.team, cilla.team, bo.team = "Svets", "Svets", "Montering"
    coordinator = make.person(("coordinator",), company=company)
    other = make.company()
    make.employee(other, name="Olle Annan")
    past = make.session(starts_at=utcnow() - timedelta(days=30), seats=5)
    approved, not_yet = ("approved", ""), ("not_yet", "Kurs i ritningsläsning")
    anna_past = _attended(make, past, anna, [approved] * 9 + [not_yet])
    _attended(make, past, cilla, [approved] + [("not_yet", "Grundkurs mätteknik")] * 9)
    coming = make.session(starts_in=timedelta(days=20), model=past.model)
    book_seat(coming.id, bo, coordinator)
    return World(
        company=company.id,
        coordinator=coordinator.email,
        other_coordinator=make.person(("coordinator",), company=other).email,
        employee=anna.email,
        project_admin=make.person(("project_admin",)).email,
        anna_past=anna_past.id,
    )


@pytest.fixture
def world(app, make):
    with app.app_context():
        return build(make)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_cells_totals_and_filters(app, world):
    with app.app_context():
        (matrix,) = competence_overview(world.company).matrices
        assert matrix.model.name == "Industriteknik BAS" and len(matrix.areas) == 10
        rows = {r.person.name: r for r in matrix.rows}
        anna, bo, cilla = rows["Anna Andersson"], rows["Bo Berg"], rows[FORMULA_NAME]
        assert (anna.approved, bo.approved, cilla.approved) == (9, 0, 1)
        assert [c.status for c in anna.cells[-2:]] == ["approved", "not_yet"]
        assert anna.cells[-1].training == "Kurs i ritningsläsning"
        assert {c.status for c in bo.cells} == {"booked"} and bo.cells[0].day is not None
        assert matrix.approved_per_area == [2] + [1] * 8 + [0]
        # Areas shared with Automation BAS count there too; the other five are not done.
        automation = competence_overview(world.company, model_id=_model_id("automation-bas"))
        anna_auto = next(
            r for r in automation.matrices[0].rows if r.person.name == "Anna Andersson"
        )
        assert (anna_auto.approved, len(anna_auto.cells)) == (9, 15)
        svets = competence_overview(world.company, team="Svets").matrices[0]
        assert {r.person.name for r in svets.rows} == {"Anna Andersson", FORMULA_NAME}
        booked = competence_overview(world.company, status="booked").matrices[0]
        assert [r.person.name for r in booked.rows] == ["Bo Berg"]
        needs = dict(competence_overview(world.company).training_needs)
        ((anna_needs, areas),) = needs["Kurs i ritningsläsning"]
        assert anna_needs.name == "Anna Andersson" and len(areas) == 1
        ((_cilla, areas),) = needs["Grundkurs mätteknik"]
        assert len(areas) == 9


def test_a_welding_level_counts_for_that_level_only(app, make):
    """Svets VIT, GRÖN, BLÅ and SVART name the same two areas, each at its own level:
    Josefin's VIT pass after a SVART "inte ännu" left SVART's practical test not yet
    approved (it read approved), and Erik's VIT pass hid his SVART booking."""
    with app.app_context():
        company = make.company("Svetsarna AB")
        josefin = make.employee(company, name="Josefin Marklund")
        erik = make.employee(company, name="Erik Nordström")
        vit, svart = make.model("svets-vit"), make.model("svets-svart")
        days_ago = lambda n: utcnow() - timedelta(days=n)  # noqa: E731
        svart_then = make.session(model=svart, starts_at=days_ago(60))
        vit_later = make.session(model=vit, starts_at=days_ago(30))
        _attended(make, svart_then, josefin, [("approved", ""), ("not_yet", "Mer övning")])
        _attended(make, vit_later, josefin, [("approved", ""), ("approved", "")])
        _attended(make, vit_later, erik, [("approved", ""), ("approved", "")])
        book_seat(make.session(model=svart, starts_in=timedelta(days=20)).id, erik, erik)

        def row(model, name):
            (matrix,) = competence_overview(company.id, model_id=model.id).matrices
            return next(r for r in matrix.rows if r.person.name == name)

        assert [c.status for c in row(svart, "Josefin Marklund").cells] == [
            "approved",
            "not_yet",
        ]
        assert [c.status for c in row(vit, "Josefin Marklund").cells] == ["approved"] * 2
        assert [c.status for c in row(svart, "Erik Nordström").cells] == ["booked"] * 2
        assert [c.status for c in row(vit, "Erik Nordström").cells] == ["approved"] * 2
        needs = dict(competence_overview(company.id, model_id=svart.id).training_needs)
        ((person, areas),) = needs["Mer övning"]
        assert person.name == "Josefin Marklund"
        assert [a.name for a in areas] == ["Praktiskt svetsprov (Svets SVART)"]


def _model_id(code: str) -> int:
    return Factory().model(code).id


def test_the_coordinator_filters_the_page_and_downloads_the_same_rows(client, auth, world):
    auth.login(world.coordinator)
    page = client.get("/company/overview")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "9 av 10 områden" in html and "2 av 3 godkända" in html and "0 av 3 godkända" in html
    assert 'role="region"' in html and '<th scope="row">Anna Andersson' in html
    assert "Kurs i ritningsläsning" in html and "Utbildningsbehov" in html
    assert "data-print" in html and "print.js" in html  # the Print button and its script

    filtered = page_form(client, "/company/overview", field="team").fill(team="Svets").submit()
    html = filtered.get_data(as_text=True)
    assert "Anna Andersson" in html and "Bo Berg" not in html and "1 av 2 godkända" in html
    csv_link = f"/company/overview.csv?{filtered.request.query_string.decode()}"
    rows = _csv(client.get(csv_link))
    assert rows[0][:5] == ["Validering", "Medarbetare", "Avdelning", "Kompetensområde", "Status"]
    assert {r[1] for r in rows[1:]} == {"Anna Andersson", "'" + FORMULA_NAME}  # neutralised
    assert len(rows) == 1 + 2 * 10
    assert sorted({r[4] for r in rows if r[1] == "Anna Andersson"}) == ["Godkänt", "Inte ännu"]

    needs = _csv(client.get("/company/training-needs.csv?team=Svets"))
    assert needs[1][:3] == ["Grundkurs mätteknik", needs[1][1], "'" + FORMULA_NAME]
    assert ["Kurs i ritningsläsning", "Anna Andersson"] in [[r[0], r[2]] for r in needs]
    assert client.get("/company/overview?status=nonsense").status_code == 400
    assert client.get("/company/overview.csv?model=99999").status_code == 400


def test_one_who_left_is_out_of_the_overview_but_in_the_history(app, client, auth, world):
    """The overview and the training needs are the competence the company has now."""
    auth.login(world.coordinator)
    with app.app_context():
        anna_id = db.session.scalar(select(Person.id).where(Person.email == world.employee))
    leave = f"/company/employees/{anna_id}/left"
    page_form(client, leave, button="Ja, Anna Andersson har slutat").submit(follow_redirects=True)
    html = client.get("/company/overview").get_data(as_text=True)
    assert "Anna Andersson" not in html and "Kurs i ritningsläsning" not in html
    assert "Bo Berg" in html
    assert "Anna Andersson" not in {r[1] for r in _csv(client.get("/company/overview.csv"))}
    needs = _csv(client.get("/company/training-needs.csv"))
    assert "Anna Andersson" not in {r[2] for r in needs[1:]}
    assert "Anna Andersson" in _listed(client.get("/company/results"))  # history kept


def test_the_validations_page_splits_searches_filters_and_exports(client, auth, world):
    auth.login(world.coordinator)
    html = client.get("/company/results").get_data(as_text=True)
    upcoming, past = html.split('id="upcoming"')[1].split('id="past"')
    assert "Bo Berg" in upcoming and "Anna Andersson" not in upcoming
    assert "9 av 10 områden" in past and f"/bookings/{world.anna_past}/intyg" in past
    form = page_form(client, "/company/results", field="q")
    html = _listed(form.fill(q="anna").submit())
    assert "Anna Andersson" in html and "Bo Berg" not in html
    html = _listed(form.fill(q="", status="not_yet").submit())
    assert "1 av 10 områden" in html and "9 av 10 områden" in html and "Bo Berg" not in html
    html = _listed(form.fill(status="booked").submit())
    assert "Bo Berg" in html and "Anna Andersson" not in html
    rows = _csv(client.get("/company/results.csv?status=approved"))  # nobody has all ten
    assert len(rows) == 1 and rows[0][0] == "Medarbetare"
    rows = _csv(client.get("/company/results.csv"))
    assert {(r[0], r[5], r[6]) for r in rows[1:]} == {
        ("Bo Berg", "Bekräftad plats", ""),
        ("Anna Andersson", "Inte ännu", "9"),
        ("'" + FORMULA_NAME, "Inte ännu", "1"),
    }


def test_a_moved_booking_is_listed_as_moved_not_cancelled(app, client, auth, make, world):
    """Moving a booking ends it and makes another: HR counting cancellations must not
    count the move, and the page says what the employee's own page says."""
    with app.app_context():
        bo = db.session.scalar(select(Booking).where(Booking.status == "confirmed"))
        later = make.session(starts_in=timedelta(days=27), model=bo.session.model)
        coordinator = db.session.scalar(select(Person).where(Person.email == world.coordinator))
        move_booking(bo.id, later.id, coordinator)
    auth.login(world.coordinator)
    form = page_form(client, "/company/results", field="q")
    moved = _listed(form.fill(status="moved").submit())
    assert "Bo Berg" in moved and "Flyttad" in moved
    # Nothing found for the filter is said as such, not as a company without bookings.
    none = _listed(form.fill(status="cancelled").submit())
    assert "Bo Berg" not in none and "Inga bokningar matchar sökningen." in none
    assert "Inga bokningar ännu." not in none
    assert "Bekräftad plats" in _listed(form.fill(status="booked").submit())
    rows = _csv(client.get("/company/results.csv?status=moved"))
    assert [(r[0], r[5]) for r in rows[1:]] == [("Bo Berg", "Flyttad")]


def test_downloads_are_named_in_the_readers_language(client, auth, world):
    auth.login(world.coordinator)
    named = lambda url: client.get(url).headers["Content-Disposition"]  # noqa: E731
    assert named("/company/overview.csv") == 'attachment; filename="kompetensoversikt.csv"'
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB"
    assert named("/company/overview.csv") == 'attachment; filename="competence-overview.csv"'
    assert named("/company/results.csv") == 'attachment; filename="validations.csv"'
    assert named("/company/training-needs.csv").endswith('filename="training-needs.csv"')


def _listed(response) -> str:
    """The page's sections of validations, without the filters' lists of names."""
    return response.get_data(as_text=True).split('id="upcoming"')[1]


def test_who_may_see_a_companys_overview(client, auth, world):
    assert client.get("/company/overview").status_code == 302  # to the sign-in page
    auth.login(world.employee)
    for url in ("/company/overview", "/company/overview.csv", "/company/results.csv"):
        assert client.get(url).status_code == 403
    auth.logout()
    auth.login(world.other_coordinator)
    for url in ("/company/overview", f"/company/results?company={world.company}"):
        html = client.get(url).get_data(as_text=True)  # their own company, never another's
        assert "Anna Andersson" not in html
    auth.logout()
    auth.login(world.project_admin)
    assert "Välj ett företag" in client.get("/company/overview").get_data(as_text=True)
    assert f"/company/overview?company={world.company}" in client.get("/companies").text
    form = page_form(client, "/company/overview", field="company")
    html = form.fill(company=str(world.company)).submit().get_data(as_text=True)
    assert "9 av 10 områden" in html
    assert "Anna Andersson" in client.get(f"/company/results?company={world.company}").text
    assert client.get("/company/overview.csv").status_code == 400  # no company chosen
    assert client.get("/company/overview?company=99999").status_code == 400


def test_the_overview_reads_a_bigger_company_in_as_many_queries(app, client, auth, world, make):
    auth.login(world.coordinator)

    def queries() -> int:
        with app.app_context(), count_queries(db.engine) as counter:
            assert client.get("/company/overview").status_code == 200
        return counter.count

    three = queries()
    with app.app_context():
        company = db.session.get(type(make.company()), world.company)
        session = make.session(starts_in=timedelta(days=30))
        for n in range(9):  # twelve employees, each with a booking
            person = make.employee(company, name=f"Extra {n}")
            book_seat(session.id, person, person) if n < 5 else None
    assert queries() == three


@pytest.fixture(scope="module")
def served(_sqlite_databases, tmp_path_factory):
    url = _sqlite_databases.create(tmp_path_factory.mktemp("overview-browser"))
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        world = build(Factory())
        db.session.remove()
    with serving(app) as base:
        world.base = base
        yield world


def test_a_coordinator_filters_by_team_on_a_phone_and_prints(served):
    with chromium() as browser:
        page = _page(browser, PHONE, javascript=True)
        sign_in(page, served, served.coordinator)
        page.get_by_role("link", name="Kompetensöversikt").click()
        page.get_by_label("Avdelning").select_option("Svets")
        page.get_by_role("button", name="Visa", exact=True).click()
        region = page.get_by_role(
            "region", name="Industriteknik BAS: medarbetare och kompetensområden"
        )
        expect(region).to_contain_text("1 av 2 godkända")
        expect(region).not_to_contain_text("Bo Berg")
        # The matrix scrolls inside its region, not the page; the names stay in view.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        region.evaluate("r => { r.scrollIntoView(); r.scrollLeft = r.scrollWidth; }")
        assert region.evaluate("r => r.scrollLeft") > 0
        name = page.get_by_role("rowheader", name="Anna Andersson").bounding_box()
        assert 0 <= name["x"] < PHONE["width"] / 2, name
        expect(page.get_by_role("button", name="Skriv ut")).to_be_visible()
        assert not _axe(page)
        page.emulate_media(media="print")
        expect(page.get_by_role("navigation")).to_be_hidden()
        expect(page.get_by_role("button", name="Visa", exact=True)).to_be_hidden()
        expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()
        expect(region).to_contain_text("1 av 2 godkända")
        # Printed without the form, the page says which employees it covers.
        expect(page.locator(".filters-chosen")).to_have_text("Urval: Avdelning: Svets")

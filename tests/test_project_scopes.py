"""A project admin limited to named funding projects, as they and the operator meet it.

Company A takes part in "Projekt Norr", which Lena administers; company B takes part in
"Projekt Syd" only. Lena works with A's people and figures and nothing of B's, and what
is installation-wide (centers, testledare, travel times, mail, webhooks, the audit log)
is for a project admin of every project, Petra.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Company, Person, RoleGrant
from app.api.tokens import create_token
from app.audit.models import AuditEntry
from app.bookings.interest import register_interest
from app.bookings.interest import today as interest_today
from app.bookings.models import Booking
from app.extensions import db
from app.projects.models import FundingProject
from app.reports.services import add_target
from tests.conftest import Auth
from tests.forms import page_form

A_NAME = "Anna Andersson"
B_NAME = "Bertil Bengtsson"


@pytest.fixture
def world(app, make):
    with app.app_context():
        company_a = make.company(name="Alfa Stål AB")
        company_b = make.company(name="Beta Metall AB", municipality="Umeå", industry="metal")
        north = make.project(company_a, name="Projekt Norr")
        south = make.project(company_b, name="Projekt Syd")
        anna = make.employee(company=company_a, name=A_NAME)
        bertil = make.employee(company=company_b, name=B_NAME)
        lena = make.person(("project_admin",), name="Lena Limited", projects=(north,))
        petra = make.person(("project_admin",), name="Petra Projekt")
        session = make.session()
        return {
            "a": company_a.id,
            "b": company_b.id,
            "north": north.id,
            "south": south.id,
            "anna": anna.id,
            "bertil": bertil.id,
            "lena": lena.email,
            "lena_id": lena.id,
            "petra": petra.email,
            "petra_id": petra.id,
            "session": session.id,
        }


def _signed_in(app, email):
    client = app.test_client()
    assert Auth(client).login(email).status_code == 302
    return client


def _menu(client) -> str:
    return client.get("/account").get_data(as_text=True)


def test_a_limited_admin_sees_their_projects_companies_and_people_only(app, world):
    lena = _signed_in(app, world["lena"])
    account = _menu(lena)
    assert "Projekt du administrerar" in account and "Projekt Norr" in account
    assert "Projekt Syd" not in account
    # No links to what is not theirs.
    for link in (
        'href="/centers"',
        'href="/audit"',
        'href="/calendar/outbox"',
        "/account/webhooks",
    ):
        assert link not in account

    companies = lena.get("/companies").get_data(as_text=True)
    assert "Alfa Stål AB" in companies and "Beta Metall AB" not in companies
    assert "Registrera ett företag" not in companies

    overview = page_form(lena, "/company/overview", field="company")
    assert overview.options("company") == ["", str(world["a"])]
    assert overview.fill(company=str(world["a"])).submit().status_code == 200
    # The validations page offers the company's people to filter by.
    validations = page_form(lena, "/company/results", field="company")
    shown = validations.fill(company=str(world["a"])).submit()
    assert shown.status_code == 200 and A_NAME in shown.get_data(as_text=True)
    # Another company by hand: not among the choices, as a company that does not exist.
    other = lena.get(f"/company/results?company={world['b']}")
    assert other.status_code == 400 and B_NAME not in other.get_data(as_text=True)
    assert lena.get(f"/company/overview.csv?company={world['b']}").status_code == 400

    found = page_form(lena, "/people", field="q").fill(q="e").submit()
    text = found.get_data(as_text=True)
    assert A_NAME in text and B_NAME not in text and "Petra Projekt" not in text


def test_a_limited_admin_erases_their_peoples_data_and_no_one_elses(app, world):
    lena = _signed_in(app, world["lena"])
    assert lena.get(f"/people/{world['bertil']}/erase").status_code == 404
    assert lena.get(f"/people/{world['petra_id']}/erase").status_code == 404
    erase = f"/people/{world['anna']}/erase"
    response = page_form(lena, erase, action=erase).submit()
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Person, world["anna"]).erased_at is not None
        assert db.session.get(Person, world["bertil"]).erased_at is None


def test_installation_wide_pages_are_for_an_admin_of_every_project(app, world):
    lena, petra = _signed_in(app, world["lena"]), _signed_in(app, world["petra"])
    pages = (
        "/centers",
        "/centers/travel-times",
        "/audit",
        "/calendar/outbox",
        "/account/webhooks",
        "/reports/projects/new",
    )
    app.config["OUTBOX_VIEWER"] = True
    for page in pages:
        assert lena.get(page).status_code == 403, page
    for page in pages[1:]:
        assert petra.get(page).status_code == 200, page
    menu = _menu(petra)
    assert 'href="/audit"' in menu and "alla projekt" in menu
    companies = petra.get("/companies").get_data(as_text=True)
    assert "Alfa Stål AB" in companies and "Beta Metall AB" in companies
    assert B_NAME in petra.get(f"/company/results?company={world['b']}").get_data(as_text=True)


def test_the_dashboard_offers_a_limited_admin_their_projects_only(app, world):
    lena = _signed_in(app, world["lena"])
    dashboard = page_form(lena, "/reports/", field="project")
    assert dashboard.options("project") == [str(world["north"])]
    assert lena.get(f"/reports/?project={world['south']}").status_code == 400
    assert lena.get(f"/reports/targets.csv?project={world['south']}").status_code == 400
    assert lena.get(f"/reports/projects/{world['north']}").status_code == 200
    assert lena.get(f"/reports/projects/{world['south']}").status_code == 404
    form = page_form(lena, f"/reports/projects/{world['north']}", field="name")
    assert form.fill(name="Projekt Norrland").submit().status_code == 302
    # Petra, of every project, is offered them all (the regional one first).
    petra = _signed_in(app, world["petra"])
    offered = page_form(petra, "/reports/", field="project").options("project")
    assert {str(world["north"]), str(world["south"])} < set(offered)


def test_interest_without_a_session_shows_where_the_reader_plans(app, make, world):
    """The dashboard's interest table: a limited admin reads their projects' counties,
    a center admin their centers', an admin of every project the whole country."""
    with app.app_context():
        north, south = (
            db.session.get(FundingProject, world["north"]),
            db.session.get(FundingProject, world["south"]),
        )
        lulea, umea = make.municipality("Luleå"), make.municipality("Umeå")
        add_target(north.id, lulea.county_id, "steel", 5, 50)
        add_target(south.id, umea.county_id, "metal", 5, 50)
        model = make.model()
        for name, place in (("Kiruna-Kalle", lulea), ("Umeå-Ulla", umea)):
            person = make.employee(name=name)
            first = interest_today() + timedelta(days=7)
            register_interest([person], model.id, place.id, first, first, person)
        db.session.commit()
        center_admin = make.person(("center_admin",), center=make.center(municipality="Umeå"))
        center_admin_email = center_admin.email

    def places(email) -> set[str]:
        page = _signed_in(app, email).get("/reports/")
        assert page.status_code == 200
        table = page.get_data(as_text=True).split('id="interest-demand-heading"')[1]
        return {name for name in ("Luleå", "Umeå") if f"<td>{name}</td>" in table}

    assert places(world["lena"]) == {"Luleå"}
    assert places(center_admin_email) == {"Umeå"}
    assert places(world["petra"]) == {"Luleå", "Umeå"}


def test_a_limited_admins_api_token_reads_and_books_what_they_could(app, world):
    with app.app_context():
        lena = db.session.get(Person, world["lena_id"])
        token = create_token(lena, "hr")[1]
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/sessions/{world['session']}/bookings"
    booked = api.post(url, json={"employee_id": world["anna"]}, headers=headers)
    assert booked.status_code == 201, booked.get_json()
    refused = api.post(url, json={"employee_id": world["bertil"]}, headers=headers)
    assert refused.status_code == 404
    assert api.get(booked.headers["Location"], headers=headers).status_code == 200
    # Bertil's own booking, made by him: not for Lena's eyes.
    with app.app_context():
        bertil = db.session.get(Person, world["bertil"])
        bertils_token = create_token(bertil, "own")[1]
    own = api.post(url, json={}, headers={"Authorization": f"Bearer {bertils_token}"})
    assert own.status_code == 201
    assert api.get(own.headers["Location"], headers=headers).status_code == 404
    # ... nor on the pages: Anna's booking is hers to cancel, move and add to a calendar.
    web = _signed_in(app, world["lena"])
    annas, bertils = booked.get_json()["id"], own.get_json()["id"]
    for page in ("/bookings/{}/cancel", "/bookings/{}/move", "/calendar/bookings/{}.ics"):
        assert web.get(page.format(annas)).status_code == 200, page
        assert web.get(page.format(bertils)).status_code == 404, page
    assert api.get("/api/v1/webhooks", headers=headers).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 2


def _grants(app, email) -> set:
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == email))
        return {
            (g.role, g.project_id)
            for g in db.session.scalars(select(RoleGrant).where(RoleGrant.person_id == person.id))
        }


def test_the_operator_invites_and_rescopes_project_admins(app, world):
    runner = app.test_cli_runner()
    invite = ["invite", "--name", "Nora Ny", "--role", "project_admin"]
    result = runner.invoke(args=[*invite, "nora@example.se", "--project", str(world["north"])])
    assert result.exit_code == 0, result.output
    assert _grants(app, "nora@example.se") == {("project_admin", world["north"])}
    result = runner.invoke(args=[*invite, "olle@example.se"])
    assert result.exit_code == 0, result.output
    assert _grants(app, "olle@example.se") == {("project_admin", None)}
    bad = runner.invoke(args=[*invite, "x@example.se", "--project", "9999"])
    assert bad.exit_code != 0 and "No funding project 9999" in bad.output
    not_admin = runner.invoke(
        args=["invite", "y@example.se", "--name", "Y", "--project", str(world["north"])]
    )
    assert not_admin.exit_code != 0 and "--project is for a project_admin" in not_admin.output

    scope = ["project-admin-scope", world["petra"]]
    both = [*scope, "--project", str(world["north"]), "--project", str(world["south"])]
    result = runner.invoke(args=both)
    assert result.exit_code == 0, result.output
    assert "Projekt Norr" in result.output and "Projekt Syd" in result.output
    assert _grants(app, world["petra"]) == {
        ("project_admin", world["north"]),
        ("project_admin", world["south"]),
    }
    # The same again changes nothing: it says so, and the audit log has no entry for it.
    again = runner.invoke(args=both)
    assert again.exit_code == 0, again.output
    assert again.output.startswith("Nothing changed: ") and "Projekt Syd" in again.output
    result = runner.invoke(args=[*scope, "--all"])
    assert result.exit_code == 0 and "every project" in result.output
    assert not result.output.startswith("Nothing changed")
    assert _grants(app, world["petra"]) == {("project_admin", None)}
    again = runner.invoke(args=[*scope, "--all"])
    assert again.exit_code == 0
    assert again.output.startswith("Nothing changed: ") and "every project" in again.output
    for args, message in (
        ([*scope], "--project"),
        ([*scope, "--all", "--project", "1"], "--project"),
        (["project-admin-scope", "nobody@example.se", "--all"], "No account"),
        (["project-admin-scope", world["petra"], "--project", "9999"], "9999"),
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.app_context():
        anna = db.session.get(Person, world["anna"])
        email = anna.email
    not_admin = runner.invoke(args=["project-admin-scope", email, "--all"])
    assert not_admin.exit_code != 0 and "inte projektadministratör" in not_admin.output

    # Each change is in the audit log, and Petra (of every project again) reads it.
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "project admin scope")
        ).all()
        assert [e.detail for e in entries] == ["Projekt Norr, Projekt Syd", ""]
    log = _signed_in(app, world["petra"]).get("/audit?kind=admin_projects")
    text = log.get_data(as_text=True)
    assert log.status_code == 200
    assert "begränsade Petra Projekt till att administrera Projekt Norr, Projekt Syd" in text
    assert "lät Petra Projekt administrera alla projekt" in text


def test_a_limited_admin_who_coordinates_a_company_outside_their_projects_keeps_it(
    app, make, world
):
    with app.app_context():
        north = db.session.get(FundingProject, world["north"])
        company_b = db.session.get(Company, world["b"])
        both = make.person(("coordinator", "project_admin"), company=company_b, projects=(north,))
        email = both.email
    client = _signed_in(app, email)
    offered = page_form(client, "/company/results", field="company").options("company")
    assert offered == ["", str(world["a"]), str(world["b"])]
    assert B_NAME in client.get(f"/company/results?company={world['b']}").get_data(as_text=True)


def test_the_cached_dashboard_of_an_admin_of_every_project_is_not_a_limited_admins(app, world):
    """The dashboard's figures are cached per scope: Petra's copy offers every project."""
    petra = _signed_in(app, world["petra"])
    assert str(world["south"]) in page_form(petra, "/reports/", field="project").options("project")
    lena = _signed_in(app, world["lena"])
    offered = page_form(lena, "/reports/", field="project").options("project")
    assert offered == [str(world["north"])]


def test_an_admin_of_every_project_limits_and_frees_another_on_the_web(app, world):
    petra = _signed_in(app, world["petra"])
    people = petra.get("/people?q=Lena").get_data(as_text=True)
    page_url = f"/people/{world['lena_id']}/projects"
    assert f'href="{page_url}"' in people
    page = petra.get(page_url).get_data(as_text=True)
    assert "Lena Limited administrerar bara de markerade projekten." in page
    form = page_form(petra, page_url, field="projects")
    assert form.value("projects") == [str(world["north"])]  # what she has today, ticked
    assert {str(world["north"]), str(world["south"])} <= set(form.options("projects"))

    saved = form.fill(projects=[world["north"], world["south"]]).submit()
    assert saved.status_code == 302
    assert _grants(app, world["lena"]) == {
        ("project_admin", world["north"]),
        ("project_admin", world["south"]),
    }
    shown = petra.get(page_url).get_data(as_text=True)
    assert "Projekten är sparade." in shown
    lena = _signed_in(app, world["lena"])
    assert B_NAME in lena.get("/people?q=Bengtsson").get_data(as_text=True)

    # None ticked: every project, and what is installation-wide is hers again.
    freed = page_form(petra, page_url, field="projects").fill(projects=[]).submit()
    assert freed.status_code == 302
    assert _grants(app, world["lena"]) == {("project_admin", None)}
    assert "Lena Limited administrerar alla projekt." in petra.get(page_url).get_data(as_text=True)
    assert lena.get("/centers/travel-times").status_code == 200
    # Saved again unchanged: nothing to tell in the audit log.
    assert page_form(petra, page_url, field="projects").submit().status_code == 302
    with app.app_context():
        details = db.session.scalars(
            select(AuditEntry.detail).where(
                AuditEntry.action == "project admin scope", AuditEntry.entity_id == world["lena_id"]
            )
        ).all()
    assert details == ["Projekt Norr, Projekt Syd", ""]


def test_the_project_page_refuses_what_it_should_and_keeps_the_grants(app, world):
    petra = _signed_in(app, world["petra"])
    own_url = f"/people/{world['petra_id']}/projects"
    # Limiting herself would leave her unable to undo it: refused, nothing changed.
    own = page_form(petra, own_url, field="projects").fill(projects=[world["north"]]).submit()
    assert own.status_code == 409
    assert "Du kan inte begränsa dig själv" in own.get_data(as_text=True)
    assert _grants(app, world["petra"]) == {("project_admin", None)}
    # A project the page does not offer (a hand-edited request): a form error.
    lena_url = f"/people/{world['lena_id']}/projects"
    form = page_form(petra, lena_url, field="projects")
    bad = form.fill(projects=["9999"], tamper=True).submit()
    assert bad.status_code == 400
    assert 'class="error"' in bad.get_data(as_text=True)
    assert _grants(app, world["lena"]) == {("project_admin", world["north"])}
    # Only project admins have such a page, and only one of every project opens it.
    assert petra.get(f"/people/{world['anna']}/projects").status_code == 404
    assert petra.get("/people/999999/projects").status_code == 404
    lena = _signed_in(app, world["lena"])
    assert lena.get(own_url).status_code == 403
    assert f'href="{own_url}"' not in lena.get("/people?q=Petra").get_data(as_text=True)

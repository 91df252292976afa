"""Several funding projects at once (issue 21, item 3): the companies taking part, what
counts for each project, and the projects side by side on the dashboard.

The data: the regional project (Norrbotten steel, Västerbotten metal; June 2023 – May
2026) and "Stål i Norrbotten 2024" (Norrbotten steel only; the year 2024).

  center L (Luleå, Norrbotten)    sL Industriteknik BAS, Tue 12 Mar 2024
  center U (Umeå, Västerbotten)   sU Industriteknik BAS, Wed 13 Mar 2024

  Stål Båda AB (steel, Luleå), in both projects: b1 attended sL and passed,
                                                 b2 attended sU
  Stål Ingen AB (steel, Luleå), in neither:      n1 attended sL and passed

So the regional project counts b1 and b2 (both of its counties' centers), the 2024
project only b1 (Umeå lies outside Norrbotten), and neither counts n1.
"""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.accounts.models import Person
from app.extensions import db
from app.projects.models import FundingProject, ProjectCompany, ProjectTarget
from app.projects.services import add_company
from app.regions.models import County
from tests.forms import form_of, page_form
from tests.test_reports import _book

SECOND = "Stål i Norrbotten 2024"


@pytest.fixture
def world(app, make):
    with app.app_context():
        model = make.model("industriteknik-bas")
        assessor = make.person(("assessor",))
        lulea = make.center(name="Centret i Luleå", municipality="Luleå")
        umea = make.center(name="Centret i Umeå", municipality="Umeå")
        s_lulea = make.session(
            center=lulea, model=model, assessor=assessor, local_day=date(2024, 3, 12)
        )
        s_umea = make.session(
            center=umea, model=model, assessor=assessor, local_day=date(2024, 3, 13)
        )
        both = make.company(name="Stål Båda AB")
        neither = make.company(name="Stål Ingen AB")
        b1, b2, n1 = make.employee(both), make.employee(both), make.employee(neither)
        _book(s_lulea, b1, "attended", assessor, outcome="approved")
        _book(s_umea, b2, "attended", assessor)
        _book(s_lulea, n1, "attended", assessor, outcome="approved")
        s_lulea.seats_taken, s_umea.seats_taken = 2, 1
        norrbotten = db.session.scalar(select(County.id).where(County.name == "Norrbottens län"))
        regional = db.session.scalar(select(FundingProject).order_by(FundingProject.id))
        second = FundingProject(
            name=SECOND,
            starts_on=date(2024, 1, 1),
            ends_on=date(2024, 12, 31),
            targets=[
                ProjectTarget(county_id=norrbotten, industry="steel", companies=4, employees=10)
            ],
        )
        db.session.add(second)
        db.session.commit()
        ids = {"regional": regional.id, "second": second.id, "both": both.id}
        ids["neither"] = neither.id
        for project_id in (regional.id, second.id):
            add_company(project_id, both.id)
        admin = make.person(("project_admin",))
        limited = make.person(("project_admin",))
        for grant in limited.role_grants:
            grant.project_id = second.id
        db.session.commit()
        return {"ids": ids, "admin": admin.email, "limited": limited.email}


def test_a_booking_counts_for_each_project_its_company_takes_part_in(app, world):
    from app.reports.services import compare, get_project, project_reach

    ids = world["ids"]
    with app.app_context():
        regional = project_reach(get_project(ids["regional"]))
        steel = next(p for p in regional.targets if p.target.industry == "steel")
        # b1 and b2: n1's company takes no part; b2's center is in Västerbotten, one of
        # the regional project's counties.
        assert steel.reach.employees == {"booked": 2, "attended": 2, "passed": 1}
        assert steel.reach.companies == {"booked": 1, "attended": 1, "passed": 1}
        second = project_reach(get_project(ids["second"]))
        # Only b1: Umeå lies outside Norrbotten, the second project's only county.
        assert second.targets[0].reach.employees == {"booked": 1, "attended": 1, "passed": 1}
        assert second.total.employees == {"booked": 1, "attended": 1, "passed": 1}
        rows = {
            r.project.name: r
            for r in compare([get_project(ids["regional"]), get_project(ids["second"])])
        }
        assert rows[SECOND].companies_taking_part == 1
        assert (rows[SECOND].company_target, rows[SECOND].employee_target) == (4, 10)
        assert rows[SECOND].share("employees") == 0.1
        assert [c.name for c in rows[SECOND].counties] == ["Norrbottens län"]


def test_the_projects_side_by_side_count_each_by_its_own_period_and_counties(app, world):
    """compare() counts the projects together in one statement: each total must be the
    one the project's own figures give, a project whose period holds none of the
    bookings counts none, and one without targets (no county) counts none."""
    from app.projects.services import add_company
    from app.reports.services import Reach, compare, get_project, project_reach

    ids = world["ids"]
    with app.app_context():
        norrbotten = db.session.scalar(select(County.id).where(County.name == "Norrbottens län"))
        earlier = FundingProject(
            name="Stål i Norrbotten 2023",
            starts_on=date(2023, 1, 1),
            ends_on=date(2023, 12, 31),
            targets=[
                ProjectTarget(county_id=norrbotten, industry="steel", companies=1, employees=1)
            ],
        )
        empty = FundingProject(
            name="Utan mål", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31)
        )
        db.session.add_all([earlier, empty])
        db.session.commit()
        for project in (earlier, empty):
            add_company(project.id, ids["both"])
        projects = [get_project(i) for i in (ids["regional"], ids["second"], earlier.id, empty.id)]
        totals = {r.project.name: r.reach for r in compare(projects)}
        own = {p.name: project_reach(p).total for p in projects}
        assert totals == own
        assert totals[SECOND].employees == {"booked": 1, "attended": 1, "passed": 1}
        assert totals[get_project(ids["regional"]).name].employees == {
            "booked": 2,
            "attended": 2,
            "passed": 1,
        }
        assert totals["Stål i Norrbotten 2023"] == totals["Utan mål"] == Reach()
        # The reach the caller already has is taken as it is.
        known = {ids["second"]: project_reach(get_project(ids["second"]))}
        assert {r.project.name: r.reach for r in compare(projects, known=known)} == own


def test_companies_join_and_leave_through_the_settings_page(app, client, auth, world):
    ids = world["ids"]
    auth.login(world["admin"])
    settings = f"/reports/projects/{ids['second']}"
    page = client.get(settings).get_data(as_text=True)
    assert "Stål Båda AB" in page and "Norrbottens län" in page and "Luleå" in page

    join = page_form(client, settings, action=f"{settings}/companies")
    assert str(ids["neither"]) in join.options("join-company")
    assert str(ids["both"]) not in join.options("join-company")  # taking part already
    # A company id the page does not offer (a hand-edited form): a form error, nothing added.
    for forged in ("999999", "abc", str(ids["both"])):
        refused = join.copy().set("join-company", forged, tamper=True).submit()
        assert refused.status_code == 400, forged
        assert 'class="error"' in refused.get_data(as_text=True)
    assert join.set("join-company", str(ids["neither"])).submit().status_code == 302
    assert "Företaget deltar nu i projektet." in client.get(settings).get_data(as_text=True)
    # Its employee n1 now counts: the comparison's CSV says so.
    rows = _csv_rows(client.get(f"/reports/projects.csv?project={ids['second']}"))
    assert rows[SECOND][3:5] == ["Norrbottens län", "2"]
    assert rows[SECOND][5:] == ["4", "2", "2", "2", "10", "2", "2", "2"]

    page = client.get(settings)
    remove = form_of(page, client, action=f"{settings}/companies/remove", text="Stål Båda AB")
    assert remove.submit().status_code == 302
    assert remove.submit().status_code == 302  # sent twice: nothing more to remove
    assert "Företaget deltog inte i projektet." in client.get(settings).get_data(as_text=True)
    forged = form_of(client.get(settings), client, action=f"{settings}/companies/remove")
    for value in ("999999", "abc", ""):
        assert forged.copy().set("company", value, tamper=True).submit().status_code == 400
    no_token = forged.copy().remove("csrf_token")
    assert no_token.submit().status_code == 400
    with app.app_context():
        taking_part = db.session.scalars(
            select(ProjectCompany.company_id).where(ProjectCompany.project_id == ids["second"])
        ).all()
        assert taking_part == [ids["neither"]]
        # Both changes are in the audit log, as sentences the reader understands.
        log = client.get("/audit?kind=project_companies").get_data(as_text=True)
    assert f"lade till Stål Ingen AB i projektet {SECOND}" in _text(log)
    assert f"tog bort Stål Båda AB ur projektet {SECOND}" in _text(log)

    # A new project starts with no companies; the button adds those of its scope.
    made = page_form(client, "/reports/projects/new", button="Skapa projektet").fill(
        name="Tomt projekt", starts_on="2024-01-01", ends_on="2024-12-31"
    )
    new_settings = made.submit().headers["Location"]
    assert "Inga företag deltar i projektet än." in client.get(new_settings).get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ProjectCompany)
                .where(ProjectCompany.project_id == int(new_settings.rsplit("/", 1)[1]))
            )
            == 0
        )


def test_the_dashboard_compares_the_projects_an_admin_sees(app, client, auth, world):
    ids = world["ids"]
    auth.login(world["admin"])
    page = client.get("/reports/?from_date=2024-03-11&to_date=2024-03-17").get_data(as_text=True)
    table = page.split('id="comparison"', 1)[1].split("</table>", 1)[0]
    assert "<caption" in table and 'scope="row"' in table
    assert "Industrivalidering Norr" in table and SECOND in table
    second = _text(table.split(SECOND, 1)[1].split("</tr>", 1)[0])
    assert "Norrbottens län" in second and "1 av 4 (25 %)" in second and "1 av 10" in second
    regional = _text(table.split("Industrivalidering Norr", 1)[1].split("</tr>", 1)[0])
    assert "Norrbottens län, Västerbottens län" in regional and "2 av 500" in regional
    with app.app_context():  # and in English, the admin's choice
        db.session.scalar(select(Person).where(Person.email == world["admin"])).locale = "en"
        db.session.commit()
    english = client.get("/reports/?from_date=2024-03-11&to_date=2024-03-17").get_data(as_text=True)
    assert "The projects side by side" in english and "(25%)" in english
    auth.logout()

    # A project admin limited to one project sees it alone: no comparison, no other project.
    auth.login(world["limited"])
    page = client.get("/reports/?from_date=2024-03-11&to_date=2024-03-17").get_data(as_text=True)
    assert 'id="comparison"' not in page
    assert "Industrivalidering Norr" not in page.split("<main", 1)[1]
    choices = page_form(client, "/reports/", button="Visa").options("project")
    assert choices == [str(ids["second"])]
    assert f"Mål och utfall: {SECOND}" in page
    assert client.get(f"/reports/?project={ids['regional']}").status_code == 400
    assert client.get(f"/reports/projects/{ids['regional']}").status_code == 404
    rows = _csv_rows(client.get("/reports/projects.csv"))
    assert list(rows) == [SECOND]
    # Who takes part is not theirs to change (adding a company would show them its
    # people): the page offers no such form, and one built by hand is refused.
    settings = f"/reports/projects/{ids['second']}"
    page = page_form(client, settings, action=settings)
    assert f'action="{settings}/companies"' not in client.get(settings).get_data(as_text=True)
    for project, status in ((ids["second"], 403), (ids["regional"], 404)):
        form = page.copy()
        form.action = f"/reports/projects/{project}/companies"
        form.add("join-company", str(ids["neither"]))
        form.add("join-csrf_token", page.value("csrf_token"))  # the session's token
        assert form.submit().status_code == status
    with app.app_context():
        assert db.session.get(ProjectCompany, (ids["regional"], ids["neither"])) is None
        assert db.session.get(ProjectCompany, (ids["second"], ids["neither"])) is None


def test_a_project_admin_reads_the_use_of_the_chosen_projects_centers(app, client, auth, world):
    """Utilisation, hours, low sessions and no-shows follow the project chosen in the
    filter form: its counties' test centers, on the page and in the CSV files."""
    ids = world["ids"]
    auth.login(world["admin"])
    shown = {}
    for project in (ids["regional"], ids["second"]):
        form = page_form(client, "/reports/", button="Visa")
        form.fill(project=str(project), from_date="2024-03-11", to_date="2024-03-17")
        answer = form.submit()
        assert answer.status_code == 200
        page = answer.get_data(as_text=True)
        heatmap = page.split('id="utilisation"', 1)[1].split("</table>", 1)[0]
        assert "Testcentren i projektets län." in page
        shown[project] = {name for name in ("Centret i Luleå", "Centret i Umeå") if name in heatmap}
        hours = page.split("Arbetsplatstimmar under perioden</caption>", 1)[1].split("</table>")[0]
        assert {n for n in ("Centret i Luleå", "Centret i Umeå") if n in hours} == shown[project]
        rows = _csv_rows(
            client.get(
                f"/reports/utilisation.csv?project={project}"
                "&from_date=2024-03-11&to_date=2024-03-17"
            )
        )
        assert set(rows) == shown[project]
    # The regional project spans both counties; the second only Norrbotten (Luleå).
    assert shown == {
        ids["regional"]: {"Centret i Luleå", "Centret i Umeå"},
        ids["second"]: {"Centret i Luleå"},
    }


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _csv_rows(response) -> dict[str, list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    lines = response.get_data().decode("utf-8-sig").splitlines()
    return {line.split(";")[0]: line.split(";") for line in lines[1:]}

"""The project dashboard, checked against a small data set whose figures are known by hand.

The data (the regional project runs 1 June 2023 – 31 May 2026; Norrbotten steel and
Västerbotten metal have targets):

  center A (Luleå)   s1 Industriteknik BAS, Tue 12 Mar 2024 08.00, 4 seats
                     s2 Industriteknik BAS, Tue 14 May 2024 08.00, 4 seats
                     s0 Industriteknik BAS, Tue 16 May 2023: before the project
                     future: Industriteknik BAS in two weeks, 1 seat, 2 waiting
  center B (Umeå)    s3 Automation BAS, Wed 13 Mar 2024 08.00, 2 seats
                     s4 Automation BAS, Mon 1 Apr 2024 00.30 Stockholm time
                        (still 31 March in UTC), 2 seats

  steel, Luleå (Norrbotten):  S1: e1 attended s1 and passed, attended s2
                                  e2 no-show at s1; passed at s0 (too early)
                              S2: e3 cancelled s1; attended s2, not yet approved
  metal, Skellefteå (Västerbotten): M1: e4 attended s3 and passed; e5 attended s4
  steel, Umeå (no target):    X: x1 attended s3 and passed
  other industry, Luleå:      O: o1 booked s1 (never marked), waits for the future one
"""

import contextlib
import re
import threading
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Person
from app.bookings.models import Booking
from app.extensions import db
from app.projects.models import FundingProject, ProjectTarget
from app.projects.services import add_companies_in_scope
from app.querycount import count_queries
from app.regions.models import County
from app.results.models import AreaOutcome, ModelArea
from app.timeutil import local_to_utc
from tests.forms import form_of, page_form

RANGE = "from_week=2024-W11&to_week=2024-W20"


def _book(session, employee, status, by, outcome=None, waitlist_number=None):
    booking = Booking(
        session=session,
        employee=employee,
        status=status,
        booked_by_id=by.id,
        waitlist_number=waitlist_number,
    )
    db.session.add(booking)
    if outcome:
        area_id = db.session.scalar(
            select(ModelArea.area_id).where(ModelArea.model_id == session.model_id).limit(1)
        )
        db.session.add(
            AreaOutcome(booking=booking, area_id=area_id, result=outcome, recorded_by=by)
        )
    return booking


@pytest.fixture
def data(app, make):
    with app.app_context():
        industri, automation = make.model("industriteknik-bas"), make.model("automation-bas")
        center_a = make.center(name="A-centret Luleå", municipality="Luleå")
        center_b = make.center(name="B-centret Umeå", municipality="Umeå")
        assessor = make.person(("assessor",))

        def session(center, model, day, clock=time(8, 0), seats=4, **kwargs):
            return make.session(
                center=center,
                model=model,
                assessor=assessor,
                local_day=day,
                local_time=clock,
                seats=seats,
                **kwargs,
            )

        s0 = session(center_a, industri, date(2023, 5, 16))
        s1 = session(center_a, industri, date(2024, 3, 12))
        s2 = session(center_a, industri, date(2024, 5, 14))
        s3 = session(center_b, automation, date(2024, 3, 13), seats=2)
        s4 = session(center_b, automation, date(2024, 4, 1), clock=time(0, 30), seats=2)
        future = make.session(center=center_a, model=industri, assessor=assessor, seats=1)

        s1_company, s2_company = make.company(name="Stål 1 AB"), make.company(name="Stål 2 AB")
        m1 = make.company(name="Metall 1 AB", municipality="Skellefteå", industry="metal")
        x = make.company(name="Stål i Umeå AB", municipality="Umeå")
        o = make.company(name="Annat AB", industry="other")
        e1, e2 = make.employee(s1_company), make.employee(s1_company)
        e3 = make.employee(s2_company)
        e4, e5 = make.employee(m1), make.employee(m1)
        x1, o1 = make.employee(x), make.employee(o)

        _book(s1, e1, "attended", assessor, outcome="approved")
        _book(s2, e1, "attended", assessor)
        _book(s1, e2, "no_show", assessor)
        _book(s0, e2, "attended", assessor, outcome="approved")
        _book(s1, e3, "cancelled", assessor)
        _book(s2, e3, "attended", assessor, outcome="not_yet")
        _book(s3, e4, "attended", assessor, outcome="approved")
        _book(s4, e5, "attended", assessor)
        _book(s3, x1, "attended", assessor, outcome="approved")
        _book(s1, o1, "confirmed", assessor)
        _book(future, e1, "confirmed", assessor)
        _book(future, e2, "waitlisted", assessor, waitlist_number=1)
        _book(future, o1, "waitlisted", assessor, waitlist_number=2)
        s0.seats_taken, s1.seats_taken, s2.seats_taken = 1, 3, 2
        s3.seats_taken, s4.seats_taken, future.seats_taken = 2, 1, 1
        future.waitlist_counter = 2
        db.session.commit()

        # The companies of the targets' counties and industries take part (S1, S2, M1);
        # X and O do not.
        project_id = db.session.scalar(select(FundingProject.id).order_by(FundingProject.id))
        assert add_companies_in_scope(project_id) == 3
        admin = make.person(("project_admin",))
        return {
            "project_admin": admin.email,
            "center_a_admin": make.person(("center_admin",), center=center_a).email,
            "employee": e1.email,
            "center_a": center_a.name,
            "center_b": center_b.name,
        }


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "Excel needs the byte-order mark"
    return [line.split(";") for line in raw.decode("utf-8-sig").splitlines()]


# --- the figures, through the service ---------------------------------------------------


def test_progress_per_target_counts_each_company_and_employee_once(ctx, data):
    from app.reports.services import get_project, target_progress

    progress = {
        (p.target.county.name, p.target.industry): p for p in target_progress(get_project(None))
    }
    steel = progress[("Norrbottens län", "steel")]
    assert steel.reach.companies == {"booked": 2, "attended": 2, "passed": 1}
    # e2's pass came before the project; e3's booking at s1 was cancelled.
    assert steel.reach.employees == {"booked": 3, "attended": 2, "passed": 1}
    metal = progress[("Västerbottens län", "metal")]
    assert metal.reach.companies == {"booked": 1, "attended": 1, "passed": 1}
    assert metal.reach.employees == {"booked": 2, "attended": 2, "passed": 1}


def test_progress_per_model_stays_within_the_projects_scope(ctx, data):
    from app.reports.services import get_project, model_progress

    per_model = {m.model.code: m.reach for m in model_progress(get_project(None))}
    assert per_model["industriteknik-bas"].employees == {"booked": 3, "attended": 2, "passed": 1}
    assert per_model["industriteknik-bas"].companies == {"booked": 2, "attended": 2, "passed": 1}
    # x1 (steel in Västerbotten) is outside both targets.
    assert per_model["automation-bas"].employees == {"booked": 2, "attended": 2, "passed": 1}
    assert per_model["cnc-teknik"].employees == {"booked": 0, "attended": 0, "passed": 0}


def test_months_cumulate_and_follow_stockholm_time(ctx, data):
    from app.reports.services import get_project, monthly_progress

    project = get_project(None)
    targets = {t.industry: t for t in project.targets}
    steel = {p.month: p.employees for p in monthly_progress(project, targets["steel"])}
    assert len(steel) == 36 and min(steel) == date(2023, 6, 1) and max(steel) == date(2026, 5, 1)
    assert steel[date(2024, 2, 1)] == {"booked": 0, "attended": 0, "passed": 0}
    assert steel[date(2024, 3, 1)] == {"booked": 2, "attended": 1, "passed": 1}
    assert steel[date(2024, 4, 1)] == {"booked": 2, "attended": 1, "passed": 1}
    assert steel[date(2024, 5, 1)] == {"booked": 3, "attended": 2, "passed": 1}
    assert steel[date(2026, 5, 1)] == {"booked": 3, "attended": 2, "passed": 1}
    metal = {p.month: p.employees for p in monthly_progress(project, targets["metal"])}
    # s4 starts at 00.30 on 1 April in Stockholm, which is still March in UTC.
    assert metal[date(2024, 3, 1)] == {"booked": 1, "attended": 1, "passed": 1}
    assert metal[date(2024, 4, 1)] == {"booked": 2, "attended": 2, "passed": 1}


def test_months_stop_at_today_while_the_project_runs(ctx, data):
    from app.reports.services import get_project, monthly_progress

    project = get_project(None)
    now = local_to_utc(date(2024, 4, 15), time(12, 0))
    points = monthly_progress(project, project.targets[0], now=now)
    assert [p.month for p in points][-2:] == [date(2024, 3, 1), date(2024, 4, 1)]
    # Later sessions count in the current month, as in the target table: here e3's in May.
    assert points[-1].employees == {"booked": 3, "attended": 2, "passed": 1}


def test_utilisation_per_center_and_iso_week_with_workstation_hours(ctx, data):
    from app.reports.services import utilisation, week_range

    mondays = week_range(date(2024, 3, 11), date(2024, 5, 13))
    assert len(mondays) == 10
    rows = {r.center.name: r for r in utilisation(mondays)}
    a, b = rows["A-centret Luleå"], rows["B-centret Umeå"]
    assert a.weeks == {date(2024, 3, 11): (4, 3), date(2024, 5, 13): (4, 2)}
    assert a.share(date(2024, 3, 11)) == 0.75 and a.share(date(2024, 3, 18)) is None
    # s4 at 00.30 Monday local time belongs to ISO week 14, not 13.
    assert b.weeks == {date(2024, 3, 11): (2, 2), date(2024, 4, 1): (2, 1)}
    # Industriteknik BAS takes 3 hours, Automation BAS 5; used means attended.
    assert (a.hours_offered, a.hours_booked, a.hours_used) == (24, 15, 9)
    assert (b.hours_offered, b.hours_booked, b.hours_used) == (20, 15, 15)


def test_low_sessions_and_demand(ctx, data):
    from app.reports.services import demand, low_session_count, low_sessions, week_range

    mondays = week_range(date(2024, 3, 11), date(2024, 5, 13))
    low = low_sessions(mondays, below=60)
    assert [(x.session.local_date, x.share, x.attended) for x in low] == [
        (date(2024, 4, 1), 0.5, 1),
        (date(2024, 5, 14), 0.5, 2),
    ]
    # The page's share: the first ones, and how many there are.
    assert low_sessions(mondays, below=60, limit=1) == low[:1]
    assert low_session_count(mondays, below=60) == 2
    assert low_sessions(mondays, below=50) == []
    rows = {(r.center.name, r.model.code): r for r in demand(mondays)}
    a = rows[("A-centret Luleå", "industriteknik-bas")]
    assert (a.attended, a.no_shows, a.no_show_rate, a.waitlisted) == (3, 1, 0.25, 2)
    b = rows[("B-centret Umeå", "automation-bas")]
    assert (b.attended, b.no_shows, b.no_show_rate, b.waitlisted) == (3, 0, 0.0, 0)


def test_week_range_refuses_backwards_and_overlong_ranges(ctx):
    from app.errors import InvalidInput
    from app.reports.services import week_range

    with pytest.raises(InvalidInput, match="före"):
        week_range(date(2024, 3, 11), date(2024, 3, 4))
    with pytest.raises(InvalidInput, match="högst 53"):
        week_range(date(2024, 1, 1), date(2025, 1, 6))


# --- the pages ----------------------------------------------------------------------------


def test_dashboard_shows_targets_progress_chart_and_heatmap(client, auth, data):
    auth.login(data["project_admin"])
    response = client.get(f"/reports/?{RANGE}&below=60")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Mål och utfall: Industrivalidering Norr" in page
    assert '<progress max="300" value="3"' in page and '<progress max="30" value="2"' in page
    assert page.count('<polyline class="line line-') == 3 * 2
    assert "Norrbottens län, Stål: 3 med bokning, 2 genomfört, 1 godkänt av målet 300" in page
    assert 'class="heat-3" title="3/4 platser bokade">75<' in page
    assert "B-centret Umeå" in page and "24,0" in page and "15,0" in page
    assert "Genomförda pass med under 60 % bokat" in page
    assert page.count("(50\xa0%)") == 2  # Swedish: a no-break space before the sign
    assert "25\xa0%" in page  # the no-show rate at A


def test_dashboard_numbers_dates_and_months_follow_the_readers_language(app, client, auth, data):
    auth.login(data["project_admin"])
    swedish = client.get(f"/reports/?{RANGE}&below=60").get_data(as_text=True)
    assert "Projektperiod torsdag 1 juni 2023 – söndag 31 maj 2026." in swedish
    assert re.search(r"<text[^>]*>[a-zåäö]{3,4}\.? 20\d\d</text>", swedish), "month names"
    with app.app_context():
        admin = db.session.scalar(select(Person).where(Person.email == data["project_admin"]))
        admin.locale = "en"
        db.session.commit()
    english = client.get(f"/reports/?{RANGE}&below=60").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Thursday 1 June 2023" in english and "Sunday 31 May 2026" in english
    assert "25%" in english and "(50%)" in english and "24.0" in english
    assert "25\xa0%" not in english and "24,0" not in english


def test_a_single_week_is_a_range_too(client, auth, data):
    auth.login(data["project_admin"])
    one_week = "from_week=2024-W11&to_week=2024-W11"
    page = client.get(f"/reports/?{one_week}")
    assert page.status_code == 200
    assert 'class="heat-3" title="3/4 platser bokade">75<' in page.get_data(as_text=True)
    heat = _csv(client.get(f"/reports/utilisation.csv?{one_week}"))
    assert ["A-centret Luleå", "2024-W11", "4", "3", "75,0"] in heat
    assert client.get(f"/reports/hours.csv?{one_week}").status_code == 200


def test_every_table_exports_as_csv_for_excel(client, auth, data):
    auth.login(data["project_admin"])
    targets = _csv(client.get(f"/reports/targets.csv?{RANGE}"))
    assert targets[0][:3] == ["Län", "Bransch", "Mål företag"]
    assert targets[1] == ["Norrbottens län", "Stål", "30", "2", "2", "1", "300", "3", "2", "1"]
    assert targets[2] == ["Västerbottens län", "Metall", "20", "1", "1", "1", "200", "2", "2", "1"]
    models = _csv(client.get(f"/reports/models.csv?{RANGE}"))
    assert ["Automation BAS", "1", "1", "1", "2", "2", "1"] in models
    months = _csv(client.get(f"/reports/months.csv?{RANGE}"))
    assert ["Västerbottens län", "Metall", "2024-04", "200", "2", "2", "1"] in months
    assert len(months) == 1 + 2 * 36
    heat = _csv(client.get(f"/reports/utilisation.csv?{RANGE}"))
    assert ["A-centret Luleå", "2024-W11", "4", "3", "75,0"] in heat
    assert ["A-centret Luleå", "2024-W12", "0", "0", ""] in heat
    assert len(heat) == 1 + 2 * 10
    hours = _csv(client.get(f"/reports/hours.csv?{RANGE}"))
    assert hours[1:] == [
        ["A-centret Luleå", "24,0", "15,0", "9,0"],
        ["B-centret Umeå", "20,0", "15,0", "15,0"],
    ]
    low = _csv(client.get(f"/reports/low_sessions.csv?{RANGE}&below=60"))
    assert low[1] == ["B-centret Umeå", "Automation BAS", "2024-04-01 00:30", "2", "1", "1", "50,0"]
    assert len(low) == 3
    demand = _csv(client.get(f"/reports/demand.csv?{RANGE}"))
    assert ["A-centret Luleå", "Industriteknik BAS", "3", "1", "25,0", "2"] in demand


def test_bad_filters_answer_400_with_a_message(client, auth, data):
    auth.login(data["project_admin"])
    cases = {
        "from_week=2024-13": "Skriv veckan som år och vecka",
        "from_week=2024-W60": "Skriv veckan som år och vecka",
        "from_week=0001-W01": "Skriv veckan som år och vecka",
        "to_week=9999-W52": "Skriv veckan som år och vecka",
        "from_week=2024-W20&to_week=2024-W11": "Till och med-datumet ligger före från",
        "from_week=2023-W01&to_week=2024-W20": "Välj högst 53 veckor.",
        "below=0": "Ange en procentsats mellan 1 och 100.",
        "below=lots": "Ange ett heltal.",  # one message: not also the range
        "project=999": "Projekt",
    }
    for query, message in cases.items():
        response = client.get(f"/reports/?{query}")
        assert response.status_code == 400, query
        page = response.get_data(as_text=True)
        assert message in page and 'class="error"' in page, query
        assert "Beläggning per testcenter" not in page, query
    response = client.get("/reports/utilisation.csv?to_week=soon")
    assert response.status_code == 400
    assert "Skriv veckan som år och vecka" in response.get_data(as_text=True)
    assert client.get("/reports/secrets.csv").status_code == 404


def test_who_may_see_the_dashboard(client, auth, data):
    assert client.get("/reports/").status_code == 302  # to the sign-in page
    assert client.get("/reports/targets.csv").status_code == 302
    auth.login(data["employee"])
    for path in ("/reports/", "/reports/demand.csv", "/reports/targets.csv", "/reports/projects/1"):
        assert client.get(path).status_code == 403, path
    auth.logout()

    # A center admin sees utilisation and demand at their own center only, no targets.
    auth.login(data["center_a_admin"])
    page = client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert data["center_a"] in page and data["center_b"] not in page
    assert "Mål och utfall" not in page and "Stål" not in page
    heat = _csv(client.get(f"/reports/utilisation.csv?{RANGE}"))
    assert {row[0] for row in heat[1:]} == {data["center_a"]}
    for name in ("targets", "models", "months"):
        response = client.get(f"/reports/{name}.csv?{RANGE}")
        assert response.status_code == 403 and "Norrbottens" not in response.get_data(as_text=True)
    assert client.get("/reports/projects/1").status_code == 403


def test_project_admin_edits_targets_and_period(app, client, auth, data):
    auth.login(data["project_admin"])
    with app.app_context():
        project = db.session.scalar(select(FundingProject))
        target = db.session.scalar(select(ProjectTarget).where(ProjectTarget.industry == "steel"))
        project_id, target_id = project.id, target.id
    settings = f"/reports/projects/{project_id}"
    target_url = f"/reports/projects/{project_id}/targets/{target_id}"
    prefix = f"target{target_id}-"

    def target_form():
        return page_form(client, settings, action=target_url)

    bad = target_form().set(f"{prefix}companies", "35").set(f"{prefix}employees", "-1").submit()
    assert bad.status_code == 400
    assert 'class="error"' in bad.get_data(as_text=True)
    no_token = (
        target_form()
        .remove(f"{prefix}csrf_token")
        .set(f"{prefix}companies", "35")
        .set(f"{prefix}employees", "9")
        .submit()
    )
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session.get(ProjectTarget, target_id).companies == 30

    # The dashboard as cached before the change; saving clears the copy.
    assert '<progress max="300" value="3"' in client.get(f"/reports/?{RANGE}").get_data(
        as_text=True
    )
    ok = target_form().set(f"{prefix}companies", "35").set(f"{prefix}employees", "320").submit()
    assert ok.status_code == 302
    assert '<progress max="320" value="3"' in client.get(f"/reports/?{RANGE}").get_data(
        as_text=True
    )

    project = page_form(client, settings, action=settings)
    backwards = project.fill(
        name="Nytt namn", starts_on="2024-01-01", ends_on="2023-01-01"
    ).submit()
    assert backwards.status_code == 400
    assert "Projektet kan inte sluta innan det börjar." in backwards.get_data(as_text=True)
    for starts_on, ends_on in (("0001-01-01", "2024-01-01"), ("2024-01-01", "9999-12-31")):
        far = project.fill(name="X", starts_on=starts_on, ends_on=ends_on).submit()
        assert far.status_code == 400
        assert "Välj ett datum mellan år 2000 och 2100." in far.get_data(as_text=True)
    # A shorter period (March 2024 only) drops e3, who came in May.
    moved = project.fill(
        name="Industrivalidering Norr", starts_on="2024-03-01", ends_on="2024-03-31"
    ).submit()
    assert moved.status_code == 302
    targets = _csv(client.get(f"/reports/targets.csv?{RANGE}"))
    assert targets[1] == ["Norrbottens län", "Stål", "35", "1", "1", "1", "320", "2", "1", "1"]
    unknown = target_form()
    unknown.action = f"/reports/projects/{project_id}/targets/99999"  # a hand-edited address
    assert unknown.submit().status_code == 404


def test_dashboard_queries_do_not_grow_with_the_data(app, client, auth, data, make):
    app.config["REPORTS_CACHE_SECONDS"] = 0
    auth.login(data["project_admin"])
    client.get(f"/reports/?{RANGE}")
    with app.app_context(), count_queries(db.engine) as few:
        assert client.get(f"/reports/?{RANGE}&below=60").status_code == 200
    with app.app_context():
        for _ in range(3):
            session = make.session(local_day=date(2024, 4, 9), seats=2)
            db.session.add(
                Booking(
                    session=session,
                    employee=make.employee(),
                    status="no_show",
                    booked_by_id=session.assessor_id,
                )
            )
            session.seats_taken = 1
            db.session.commit()
    with app.app_context(), count_queries(db.engine) as more:
        assert client.get(f"/reports/?{RANGE}&below=60").status_code == 200
    assert more.count == few.count, more.statements


def test_a_worker_reuses_the_rendered_dashboard_for_a_while(app, client, auth, data, make):
    auth.login(data["project_admin"])
    first = client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert "A-centret Luleå" in first and "Nytt center" not in first
    with app.app_context():
        make.center(name="Nytt center")
    # Served from the worker's copy: the new center is not there yet.
    assert "Nytt center" not in client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    app.config["REPORTS_CACHE_SECONDS"] = 0
    assert "Nytt center" in client.get(f"/reports/?{RANGE}").get_data(as_text=True)


def test_a_target_saved_through_another_worker_shows_at_once(app, client, auth, data):
    from app.reports.services import update_target

    auth.login(data["project_admin"])
    assert ">345<" not in client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    with app.app_context():  # as another worker would: this one's cache is not cleared
        target = db.session.scalar(select(ProjectTarget).where(ProjectTarget.industry == "steel"))
        update_target(target.project_id, target.id, target.companies, 345)
    assert ">345<" in client.get(f"/reports/?{RANGE}").get_data(as_text=True)


def test_odd_query_parameters_do_not_break_the_page(client, auth, data):
    auth.login(data["project_admin"])
    response = client.get(f"/reports/?{RANGE}&name=x&_external=1&_anchor=y")
    assert response.status_code == 200
    # The page's own links (CSV, filters) drop them; the footer's language switch
    # returns to the address as it was asked for.
    assert "name=x" not in response.get_data(as_text=True).split("<footer")[0]


def test_project_admin_adds_and_removes_targets_and_starts_a_project(app, client, auth, data):
    with app.app_context():
        project_id = db.session.scalar(select(FundingProject.id))
        counties = {c.name: c.id for c in db.session.scalars(select(County))}
    auth.login(data["center_a_admin"])
    assert client.get("/reports/projects/new").status_code == 403
    auth.logout()
    auth.login(data["project_admin"])
    settings = f"/reports/projects/{project_id}"

    def add(tamper=False, **fields):
        form = page_form(client, settings, action=f"{settings}/targets")
        for name, value in fields.items():
            form.set(f"new-{name}", value, tamper=tamper)
        return form.submit()

    steel_vb = {"county": counties["Västerbottens län"], "industry": "steel"}
    assert add(**steel_vb, companies=5, employees=50).status_code == 302
    targets = _csv(client.get(f"/reports/targets.csv?{RANGE}"))
    # Stål i Umeå AB does not take part yet: x1's validation does not count.
    assert ["Västerbottens län", "Stål", "5", "0", "0", "0", "50", "0", "0", "0"] in targets
    every = page_form(client, settings, action=f"{settings}/companies/in-scope")
    assert every.submit().status_code == 302
    assert "1 företag deltar nu i projektet." in client.get(settings).get_data(as_text=True)
    targets = _csv(client.get(f"/reports/targets.csv?{RANGE}"))
    # Now it does: x1 attended s3 and passed.
    assert ["Västerbottens län", "Stål", "5", "1", "1", "1", "50", "1", "1", "1"] in targets
    again = every.submit()  # the same form sent twice adds nothing
    assert again.status_code == 302
    assert "deltog redan" in client.get(settings).get_data(as_text=True)

    twice = add(**steel_vb, companies=1, employees=1)
    assert twice.status_code == 400
    assert "redan ett mål för det länet och den branschen" in twice.get_data(as_text=True)
    for bad in (
        {
            "county": counties["Västerbottens län"],
            "industry": "gold",
            "companies": 1,
            "employees": 1,
        },
        {"county": 999, "industry": "metal", "companies": 1, "employees": 1},
        {
            "county": counties["Norrbottens län"],
            "industry": "other",
            "companies": -1,
            "employees": 1,
        },
    ):
        response = add(tamper=True, **bad)  # the first two choose what the page does not offer
        assert response.status_code == 400 and 'class="error"' in response.get_data(as_text=True)
    assert len(_csv(client.get(f"/reports/targets.csv?{RANGE}"))) == 1 + 3
    # A word for a number gets one message, not also the range of the missing number.
    words = add(
        tamper=True,
        county=counties["Norrbottens län"],
        industry="other",
        companies=1,
        employees="x",
    )
    html = words.get_data(as_text=True)
    assert words.status_code == 400 and "Ange ett heltal." in html
    assert "Ange ett tal från" not in html

    with app.app_context():
        added = db.session.scalar(
            select(ProjectTarget.id).where(
                ProjectTarget.industry == "steel",
                ProjectTarget.county_id == counties["Västerbottens län"],
            )
        )
    page = client.get(settings)
    # Editing a target, one form of a list on the page: a refusal opens on the summary.
    edit = form_of(page, client, action=f"{settings}/targets/{added}")
    wrong = edit.set(f"target{added}-companies", "abc").submit()
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and 'class="error-summary"' in html
    assert "<title>Fel:" in html
    # The page has a form per target: the summary says which one.
    assert f'<a href="#target{added}-companies">Västerbottens län, Stål – Företag: ' in html
    remove_url = f"{settings}/targets/{added}/remove"
    no_token = form_of(page, client, action=remove_url).remove("csrf_token").submit()
    assert no_token.status_code == 400
    removal = form_of(page, client, action=remove_url)
    assert removal.submit().status_code == 302
    assert len(_csv(client.get(f"/reports/targets.csv?{RANGE}"))) == 1 + 2
    assert removal.submit().status_code == 404  # sent again from the same page

    new_project = page_form(client, "/reports/projects/new", button="Skapa projektet")
    taken = new_project.fill(
        name="Industrivalidering Norr", starts_on="2027-01-01", ends_on="2028-12-31"
    ).submit()
    assert taken.status_code == 400
    assert "Det finns redan ett projekt med det namnet." in taken.get_data(as_text=True)
    # The same name in other letters is the same name to anyone reading a list of them.
    shouted = new_project.fill(name="INDUSTRIVALIDERING NORR").submit()
    assert "Det finns redan ett projekt med det namnet." in shouted.get_data(as_text=True)
    made = new_project.fill(
        name="Svets i norr", starts_on="2024-01-01", ends_on="2024-12-31"
    ).submit()
    assert made.status_code == 302
    new_id = int(made.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/reports/?{RANGE}&project={new_id}").get_data(as_text=True)
    assert "Mål och utfall: Svets i norr" in page and "<progress" not in page
    assert "Svets i norr" in client.get(f"/reports/projects/{new_id}").get_data(as_text=True)


def test_counts_of_companies_read_companies_in_english(app, client, auth, data):
    """A target's count and the CSV's stage columns said "Company" ("Company: with a
    booking" beside "Employees: with a booking"): the msgid is also a company's name."""
    with app.app_context():
        project_id = db.session.scalar(select(FundingProject.id))
    auth.login(data["project_admin"])
    english = {"Accept-Language": "en"}
    page = client.get(f"/reports/projects/{project_id}", headers=english).get_data(as_text=True)
    target = page.split("<h3>", 1)[1].split("</form>", 1)[0]
    assert ">Companies<" in target and ">Company<" not in target
    for name in ("targets", "models", "projects"):
        response = client.get(f"/reports/{name}.csv?{RANGE}", headers=english)
        header = _csv(response)[0]
        assert "Companies: with a booking" in header, (name, header)
        assert "Employees: with a booking" in header
        assert not any(h.startswith("Company:") for h in header), (name, header)
    dashboard = client.get(f"/reports/?{RANGE}", headers=english).get_data(as_text=True)
    models = dashboard.split("<caption>Per validation model</caption>", 1)[1]
    assert 'colspan="3">Companies</th>' in models.split("</thead>", 1)[0]
    # In Swedish, as before.
    swedish = client.get(f"/reports/projects/{project_id}").get_data(as_text=True)
    assert ">Företag<" in swedish.split("<h3>", 1)[1].split("</form>", 1)[0]
    assert "Företag med bokning" in _csv(client.get(f"/reports/targets.csv?{RANGE}"))[0]


def test_a_form_left_open_never_changes_another_projects_target(app, client, auth, data):
    """SQLite reuses a deleted target's id: the page of project 1 left open on target 7,
    target 7 removed and project 2 given a target (id 7 again), saving the old form
    changed project 2's target. The form's address names its project."""
    with app.app_context():
        project_id = db.session.scalar(select(FundingProject.id))
        norrbotten = db.session.scalar(select(County.id).where(County.name == "Norrbottens län"))
        target = ProjectTarget(
            project_id=project_id, county_id=norrbotten, industry="other", companies=2, employees=9
        )
        other = FundingProject(
            name="Annat projekt", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31)
        )
        db.session.add_all([target, other])
        db.session.commit()
        target_id, other_id = target.id, other.id
    auth.login(data["project_admin"])
    settings = f"/reports/projects/{project_id}"
    page = client.get(settings)
    edit = form_of(page, client, action=f"{settings}/targets/{target_id}")
    remove = form_of(page, client, action=f"{settings}/targets/{target_id}/remove")
    with app.app_context():  # removed, and its id given to the other project's new target
        db.session.delete(db.session.get(ProjectTarget, target_id))
        db.session.flush()
        db.session.add(
            ProjectTarget(
                id=target_id,
                project_id=other_id,
                county_id=norrbotten,
                industry="other",
                companies=5,
                employees=50,
            )
        )
        db.session.commit()

    def others_target():
        with app.app_context():
            reused = db.session.get(ProjectTarget, target_id)
            return reused.project_id, reused.companies, reused.employees

    stale = edit.set(f"target{target_id}-companies", "7").submit()
    assert stale.status_code == 404
    assert "Målet finns inte." in stale.get_data(as_text=True)
    assert others_target() == (other_id, 5, 50)
    gone = remove.submit()
    assert gone.status_code == 404 and "Målet finns inte." in gone.get_data(as_text=True)
    assert others_target() == (other_id, 5, 50)
    # The other project's own page still saves it.
    other_settings = f"/reports/projects/{other_id}"
    own = page_form(client, other_settings, action=f"{other_settings}/targets/{target_id}")
    assert own.set(f"target{target_id}-companies", "6").submit().status_code == 302
    assert others_target() == (other_id, 6, 50)


def test_project_names_are_alike_whatever_their_letters_case(app, client, auth, data, monkeypatch):
    """SQLite's lower() folds only A-Z: "Ådalen" sent twice reached the unique constraint
    (a 500), and "östra ågårdsprojektet" was taken beside "Östra Ågårdsprojektet"."""
    from app.reports import services

    auth.login(data["project_admin"])
    new_project = page_form(client, "/reports/projects/new", button="Skapa projektet")

    def create(name):
        return new_project.fill(name=name, starts_on="2027-01-01", ends_on="2027-12-31").submit()

    assert create("Ådalen").status_code == 302
    assert create("Östra Ågårdsprojektet").status_code == 302
    for taken in ("Ådalen", "ådalen", " ÅDALEN ", "östra ågårdsprojektet"):
        refused = create(taken)
        assert refused.status_code == 400, taken
        assert "Det finns redan ett projekt med det namnet." in refused.get_data(as_text=True)
    with app.app_context():
        ids = dict(db.session.execute(select(FundingProject.name, FundingProject.id)).all())
    assert "ådalen" not in ids and "östra ågårdsprojektet" not in ids

    # Renaming another project to one of them is refused too; a project keeps its own
    # name, also in other letters.
    settings = f"/reports/projects/{ids['Östra Ågårdsprojektet']}"
    rename = page_form(client, settings, action=settings)
    refused = rename.copy().fill(name="ÅDALEN").submit()
    assert refused.status_code == 400
    assert "Det finns redan ett projekt med det namnet." in refused.get_data(as_text=True)
    assert rename.copy().submit().status_code == 302
    assert rename.copy().fill(name="ÖSTRA ÅGÅRDSPROJEKTET").submit().status_code == 302

    # Two projects named alike before names were compared so: each still saves its own.
    with app.app_context():
        db.session.add(
            FundingProject(
                name="östra ågårdsprojektet", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31)
            )
        )
        db.session.commit()
    assert page_form(client, settings, action=settings).submit().status_code == 302

    # Another admin's project of the same name, written after the check looked: the
    # unique constraint answers as the check would have, not with a 500.
    monkeypatch.setattr(services, "_name_taken", lambda name, project_id=None: False)
    raced = create("Ådalen")
    assert raced.status_code == 400
    assert "Det finns redan ett projekt med det namnet." in raced.get_data(as_text=True)
    raced = rename.copy().fill(name="Ådalen").submit()
    assert raced.status_code == 400
    assert "Det finns redan ett projekt med det namnet." in raced.get_data(as_text=True)
    with app.app_context():
        names = db.session.scalars(select(FundingProject.name)).all()
    assert names.count("Ådalen") == 1 and "ÖSTRA ÅGÅRDSPROJEKTET" in names


def test_two_admins_naming_projects_alike_at_the_same_instant_save_one(app, monkeypatch):
    """On PostgreSQL both "Ådalen" and "ådalen" were stored: each admin's check looked
    before the other's row existed, and the unique constraint is case-sensitive. Here
    each check waits (up to a second) for the other to have checked too."""
    from app.errors import InvalidInput
    from app.reports import services

    both_checked = threading.Barrier(2)
    check = services._name_taken

    def check_then_wait(name, project_id=None):
        taken = check(name, project_id)
        # Broken when the other admin waits for our commit instead: nothing to wait for.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=1)
        return taken

    monkeypatch.setattr(services, "_name_taken", check_then_wait)
    answers = {}

    def create(name):
        with app.app_context():
            try:
                services.create_project(name, date(2027, 1, 1), date(2027, 12, 31))
                answers[name] = "saved"
            except InvalidInput as refused:
                answers[name] = str(refused)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create, args=(n,)) for n in ("Ådalen", "ådalen")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers.values()) == ["Det finns redan ett projekt med det namnet.", "saved"]
    with app.app_context():
        names = db.session.scalars(select(FundingProject.name)).all()
    assert [n for n in names if n.casefold() == "ådalen"] == [
        next(n for n, a in answers.items() if a == "saved")
    ]


def test_weeks_across_a_new_year_say_their_year(client, auth, data):
    """Week 2 of 2025 and week 2 of 2026 were two columns both headed "v. 2"."""
    auth.login(data["project_admin"])
    page = client.get("/reports/?from_date=2025-01-06&to_date=2026-01-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Visar vecka 2 2025–2 2026" in html
    assert "v. 2 2025" in html and "v. 2 2026" in html
    one_year = client.get(f"/reports/?{RANGE}").get_data(as_text=True)
    assert "v. 11<" in one_year and not re.search(r"v\. \d+ 20\d\d<", one_year)


def test_a_start_too_early_for_the_default_end_is_said_at_the_start(client, auth, data):
    """Only a start given, 54 weeks before the default end: the message was at "Till och
    med", a field the reader never touched."""
    auth.login(data["project_admin"])
    far = (date.today() - timedelta(weeks=60)).isoformat()
    html = client.get(f"/reports/?from_date={far}").get_data(as_text=True)
    assert 'id="from_date-error"' in html and 'id="to_date-error"' not in html
    assert "Välj högst 53 veckor." in html


def test_a_start_after_the_default_end_is_said_at_the_start(client, auth, data):
    auth.login(data["project_admin"])
    late = (date.today() + timedelta(weeks=30)).isoformat()
    html = client.get(f"/reports/?from_date={late}").get_data(as_text=True)
    assert 'id="from_date-error"' in html and 'id="to_date-error"' not in html

"""A project admin keeps each testledare's authorisations and home center."""

from datetime import date, time

from sqlalchemy import select

from app.accounts.models import Person
from app.audit.models import AuditEntry
from app.extensions import db
from app.schedule.models import AssessorAuthorisation
from app.schedule.planning import plan_session
from tests.forms import form_of, page_form

TUESDAY = date(2027, 9, 14)
NOT_AUTHORISED = "saknar giltig behörighet"


def _page(client, person_id):
    return client.get(f"/people/{person_id}/assessor")


def _grant(client, person_id, model_id, first, last, tamper=False):
    form = page_form(client, f"/people/{person_id}/assessor", button="grant-submit")
    form.set("grant-model", model_id, tamper=tamper)
    form.set("grant-valid_from", first).set("grant-valid_to", last)
    return form.submit("grant-submit", follow_redirects=True)


def _revoke_form(client, person_id, authorisation_id):
    action = f"/authorisations/{authorisation_id}/delete"
    return page_form(client, f"/people/{person_id}/assessor", action=action)


def _rows(app, person_id):
    with app.app_context():
        return [
            (a.model.code, a.valid_from, a.valid_to)
            for a in db.session.scalars(
                select(AssessorAuthorisation).where(AssessorAuthorisation.person_id == person_id)
            )
        ]


def test_a_project_admin_authorises_a_new_testledare_who_can_then_be_planned(
    app, client, auth, make
):
    with app.app_context():
        admin = make.person(("project_admin",))
        newcomer = make.person(("assessor",), name="Nya Testledaren")
        center, model = make.center(computers=10), make.model()
        ids = newcomer.id, model.id, center.id
        admin_email = admin.email
        problems = plan_session(center, model, newcomer, TUESDAY, time(8)).problems
        assert any(NOT_AUTHORISED in p for p in problems)

    auth.login(admin_email)
    people = client.get("/people?q=Nya").get_data(as_text=True)
    assert f"/people/{ids[0]}/assessor" in people
    answer = _grant(client, ids[0], ids[1], "2027-01-01", "2027-12-31")
    assert answer.status_code == 200
    assert "Behörigheten är sparad." in answer.get_data(as_text=True)
    assert _rows(app, ids[0]) == [("industriteknik-bas", date(2027, 1, 1), date(2027, 12, 31))]
    with app.app_context():
        newcomer = db.session.get(Person, ids[0])
        center, model = make.center(computers=10), make.model()
        assert plan_session(center, model, newcomer, TUESDAY, time(8)).ok
        # Outside the period the rule still refuses.
        late = plan_session(center, model, newcomer, date(2028, 1, 11), time(8)).problems
        assert any(NOT_AUTHORISED in p for p in late)
        audited = select(AuditEntry.action).where(AuditEntry.entity_id == ids[0])
        assert db.session.scalars(audited).all() == ["authorised"]


def test_overlapping_and_backwards_periods_are_refused_with_a_message(app, client, auth, make):
    with app.app_context():
        admin = make.person(("project_admin",))
        assessor = make.assessor(valid_from=date(2027, 1, 1), valid_to=date(2027, 12, 31))
        person_id, model_id, email = assessor.id, make.model().id, admin.email
    auth.login(email)
    overlap = _grant(client, person_id, model_id, "2027-06-01", "2028-06-30")
    assert overlap.status_code == 409
    assert "gäller en del av perioden" in overlap.get_data(as_text=True)
    # The form comes back with the period as typed, the reason at its field.
    again = form_of(overlap, client, field="grant-valid_from")
    assert (again.value("grant-valid_from"), again.value("grant-valid_to")) == (
        "2027-06-01",
        "2028-06-30",
    )
    assert 'id="grant-valid_from-error"' in overlap.get_data(as_text=True)
    backwards = _grant(client, person_id, model_id, "2028-06-30", "2028-01-01")
    assert backwards.status_code == 400
    assert "Sista dagen ligger före första dagen." in backwards.get_data(as_text=True)
    junk = _grant(client, person_id, "not-a-model", "yesterday", "", tamper=True)
    assert junk.status_code == 400
    assert _rows(app, person_id) == [("industriteknik-bas", date(2027, 1, 1), date(2027, 12, 31))]


def test_an_authorisation_that_upcoming_sessions_rely_on_cannot_be_revoked(app, client, auth, make):
    with app.app_context():
        admin = make.person(("project_admin",))
        assessor = make.assessor()
        center = make.center(name="Kiruna Tekniska")
        session_id = make.session(assessor=assessor, center=center, local_day=TUESDAY).id
        spare = make.person(("assessor",))
        db.session.add(
            AssessorAuthorisation(
                person_id=spare.id,
                model_id=make.model().id,
                valid_from=date(2027, 1, 1),
                valid_to=date(2027, 12, 31),
            )
        )
        db.session.commit()
        busy_id = db.session.scalar(
            select(AssessorAuthorisation.id).where(AssessorAuthorisation.person_id == assessor.id)
        )
        free_id = db.session.scalar(
            select(AssessorAuthorisation.id).where(AssessorAuthorisation.person_id == spare.id)
        )
        ids = assessor.id, spare.id, admin.email
    auth.login(ids[2])
    refused = _revoke_form(client, ids[0], busy_id).submit()
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    # Said on the testledare's page (it was an error page of its own, naming no session):
    # first in the error summary, which leads to the row's button, then beside the row
    # with the session to hand over or cancel.
    said = "1 kommande pass bygger på behörigheten. Ge det en annan testledare"
    assert f'<a href="#revoke-{busy_id}">Behörigheter: {said}' in html
    assert f'id="revoke-{busy_id}"' in html and "Lägg till behörighet" in html
    assert (
        f'<a href="/sessions/{session_id}/manage">tisdag 14 september 2027, kl. 08.00–11.00, '
        "Kiruna Tekniska, Industriteknik BAS</a>"
    ) in html
    assert len(_rows(app, ids[0])) == 1
    # Still the page's own form: sent again, it is refused the same way.
    assert _revoke_form(client, ids[0], busy_id).submit().status_code == 409
    free = _revoke_form(client, ids[1], free_id)
    revoked = free.copy().submit(follow_redirects=True)
    assert "Behörigheten är borttagen." in revoked.get_data(as_text=True)
    assert _rows(app, ids[1]) == []
    # The page, left open, sent again: the authorisation is gone.
    assert free.copy().submit().status_code == 404
    # Its address edited to an authorisation that never was.
    free.action = "/authorisations/999999/delete"
    assert free.submit().status_code == 404


def test_the_home_center_is_set_and_shown_where_centers_plan(app, client, auth, make):
    with app.app_context():
        admin = make.person(("project_admin",))
        assessor = make.assessor()
        home = make.center(name="Kiruna Tekniska")
        center_admin = make.person(("center_admin",), center=home)
        ids = assessor.id, home.id, admin.email, center_admin.email, assessor.name
    auth.login(ids[2])
    home_form = page_form(client, f"/people/{ids[0]}/assessor", button="home-submit")
    saved = home_form.copy().set("home-center", ids[1]).submit("home-submit", follow_redirects=True)
    assert "Hemmacentret är sparat." in saved.get_data(as_text=True)
    unknown = home_form.set("home-center", 999999, tamper=True).submit("home-submit")
    assert unknown.status_code == 400
    auth.logout()
    auth.login(ids[3])
    plan = client.get(f"/centers/{ids[1]}/plan").get_data(as_text=True)
    assert f"{ids[4]} (Kiruna Tekniska)" in plan
    # A center admin keeps the centers, not the testledare's authorisations.
    assert _page(client, ids[0]).status_code == 403


def test_the_authorise_command(app, make):
    with app.app_context():
        assessor = make.person(("assessor",))
        employee = make.employee()
        emails = assessor.email, employee.email
    runner = app.test_cli_runner()
    done = runner.invoke(
        args=["authorise", emails[0], "svets-vit", "--from", "2027-01-01", "--to", "2027-06-30"]
    )
    assert done.exit_code == 0, done.output
    assert "from 2027-01-01 to 2027-06-30" in done.output
    with app.app_context():
        assert _rows(app, db.session.scalar(select(Person.id).where(Person.email == emails[0])))
    unknown = runner.invoke(
        args=["authorise", emails[0], "svetsa", "--from", "2027-01-01", "--to", "2027-06-30"]
    )
    assert unknown.exit_code != 0 and "one of:" in unknown.output
    not_assessor = runner.invoke(
        args=["authorise", emails[1], "svets-vit", "--from", "2027-01-01", "--to", "2027-06-30"]
    )
    assert not_assessor.exit_code != 0 and "Testledaren finns inte." in not_assessor.output

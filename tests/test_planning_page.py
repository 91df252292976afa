"""The planning page offers the testledare authorised for the model first, and says once
who is not authorised for which model instead of refusing every date."""

from datetime import date, time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.schedule.models import AssessorAuthorisation, ValidationSession
from app.schedule.planning import assessor_options
from tests.forms import form_of, forms_in, page_form


@pytest.fixture
def planning(app, make, auth):
    with app.app_context():
        center = make.center(name="Piteå teknikcenter", municipality="Piteå")
        industri, automation = make.model("industriteknik-bas"), make.model("automation-bas")
        ada = make.person(("assessor",), name="Ada Automation")
        make._save(
            AssessorAuthorisation(
                person=ada,
                model=automation,
                valid_from=date(2020, 1, 1),
                valid_to=date(2035, 12, 31),
            )
        )
        ivar = make.person(("assessor",), name="Ivar Industri")
        make._save(
            AssessorAuthorisation(
                person=ivar,
                model=industri,
                valid_from=date(2020, 1, 1),
                valid_to=date(2035, 12, 31),
            )
        )
        # Authorised once, but it has ended: not offered as authorised.
        make._save(
            AssessorAuthorisation(
                person=ada, model=industri, valid_from=date(2020, 1, 1), valid_to=date(2021, 12, 31)
            )
        )
        nils = make.person(("assessor",), name="Nils Ingen")
        admin = make.person(("center_admin",), center=center)
        auth.login(admin.email)
        return {
            "center": center.id,
            "industri": industri.id,
            "automation": automation.id,
            "ada": ada.id,
            "ivar": ivar.id,
            "nils": nils.id,
        }


def _groups(html: str) -> list[tuple[str, list[str]]]:
    """The assessor select's optgroups: (label, [option texts])."""
    select = html.split('name="assessor"', 1)[1].split("</select>", 1)[0]
    groups = []
    for chunk in select.split("<optgroup")[1:]:
        label = chunk.split('label="', 1)[1].split('"', 1)[0]
        options = [o.split(">", 1)[1].split("<", 1)[0] for o in chunk.split("<option")[1:]]
        groups.append((label, options))
    return groups


def test_the_service_splits_testledare_by_current_authorisation(app, planning):
    with app.app_context():
        authorised, others = assessor_options(planning["industri"], date(2027, 5, 4))
        assert [o.person.name for o in authorised] == ["Ivar Industri"]
        assert [(o.person.name, o.models) for o in others] == [
            ("Ada Automation", ["Automation BAS"]),
            ("Nils Ingen", []),
        ]


def test_the_select_offers_the_authorised_first_for_the_chosen_model(client, planning):
    url = f"/centers/{planning['center']}/plan"
    html = client.get(f"{url}?model={planning['automation']}").get_data(as_text=True)
    assert _groups(html) == [
        ("Behöriga för Automation BAS", ["Ada Automation"]),
        (
            "Ej behöriga för Automation BAS",
            [
                "Ivar Industri – ej behörig för Automation BAS (behörig för Industriteknik BAS)",
                "Nils Ingen – ej behörig för Automation BAS (ingen behörighet)",
            ],
        ),
    ]
    # The form parser reads options inside optgroups: every testledare can be chosen.
    (form,) = [f for f in forms_in(html, url) if "assessor" in f]
    assert form.options("assessor") == [str(planning[k]) for k in ("ada", "ivar", "nils")]
    # A fresh page groups by the model it shows chosen (the first in the list).
    fresh = client.get(url).get_data(as_text=True)
    assert _groups(fresh)[0][0].startswith("Behöriga för ")


def test_preview_with_an_unauthorised_testledare_says_so_once(client, planning):
    """Ada's Industriteknik BAS authorisation has ended: one message, not a refusal per date."""
    planner = page_form(client, f"/centers/{planning['center']}/plan", button="Förhandsgranska")
    planner.fill(
        model=planning["industri"],
        assessor=planning["ada"],
        first_day="2027-05-04",
        start="08:00",
        weeks="3",
        weekdays=["1", "3"],
    )
    preview = planner.submit()
    html = preview.get_data(as_text=True)
    assert preview.status_code == 400
    message = "Ada Automation är inte behörig för Industriteknik BAS de valda datumen."
    # Once at its field, and once in the summary at the top that leads there.
    before, rest = html.split('class="error-summary"', 1)
    summary, after = rest.split("</div>", 1)
    page = before + after
    assert f'<a href="#assessor">Testledare: {message}' in summary
    assert page.count(message) == 1
    assert "Behöriga: Ivar Industri." in html
    assert "Nekas" not in html and "saknar giltig behörighet" not in html
    assert "Skapa" not in html
    # The create form of a good preview, sent with the unauthorised one (a stale or
    # hand-edited page), is refused the same way and nothing is made.
    good = planner.copy().fill(assessor=planning["ivar"]).submit()
    create = form_of(good, client, button="Skapa 5 pass")
    refused = create.set("assessor", planning["ada"]).submit()
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.scalar(select(func.count(ValidationSession.id))) == 0


def test_nobody_authorised_is_said_too(client, planning):
    planner = page_form(client, f"/centers/{planning['center']}/plan", button="Förhandsgranska")
    planner.fill(model=planning["industri"], assessor=planning["nils"], first_day="2027-05-04")
    planner.fill(start="08:00")
    html = planner.submit().get_data(as_text=True)
    assert "Nils Ingen är inte behörig för Industriteknik BAS de valda datumen." in html
    assert "Behöriga: Ivar Industri." in html


def test_the_authorised_one_previews_as_before(client, planning):
    planner = page_form(client, f"/centers/{planning['center']}/plan", button="Förhandsgranska")
    planner.fill(
        model=planning["industri"], assessor=planning["ivar"], first_day="2027-05-04", start="08:00"
    )
    preview = planner.submit()
    assert preview.status_code == 200
    assert preview.get_data(as_text=True).count("Kan skapas") == 1


def test_a_clock_the_autumn_night_repeats_is_refused_as_an_end_and_named_at_the_start(
    client, planning, make
):
    """Planned 00.30–02.30 on 31 October 2027 (180 minutes, it ends at the second
    02.30): every .ics wrote DTEND 02.30, which calendars read as the first, an hour
    early. And a start the clocks skip showed in the preview as the hour after."""
    from app.centers.models import OpeningHours, TestCenter

    with client.application.app_context():
        center = db.session.get(TestCenter, planning["center"])
        center.opening_hours.append(OpeningHours(weekday=6, opens=time(0), closes=time(23, 59)))
        db.session.commit()
    planner = page_form(client, f"/centers/{planning['center']}/plan", button="Förhandsgranska")
    planner.fill(model=planning["industri"], assessor=planning["ivar"], first_day="2027-10-31")
    html = planner.copy().fill(start="00:30").submit().get_data(as_text=True)
    assert "Passet skulle sluta klockan 02.30, som finns två gånger den natten" in html
    assert "Kan skapas" not in html
    assert "Kan skapas" in planner.copy().fill(start="01:30").submit().get_data(as_text=True)
    # 02.30 on 28 March 2027 never happens: the row says what was typed, not 03.30.
    skipped = planner.copy().fill(first_day="2027-03-28", start="02:30").submit()
    row = skipped.get_data(as_text=True).split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "02.30" in row and "03.30" not in row

    # Moving a session there: the refusal sits at the start time, not at the day.
    with client.application.app_context():
        session_id = make.session(
            center=db.session.get(TestCenter, planning["center"]),
            model=make.model("industriteknik-bas"),
            local_day=date(2027, 10, 29),
        ).id
    manage = page_form(client, f"/sessions/{session_id}/manage", button="Flytta passet")
    refused = manage.fill(day="2027-10-31", start="00:30").submit()
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert '<a href="#start">Ny starttid: Passet skulle sluta klockan 02.30' in html

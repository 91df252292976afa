"""A person's place: their company's municipality, or one they choose on Mitt konto."""

from sqlalchemy import select

from app.accounts.models import Person
from app.audit.models import AuditEntry
from app.extensions import db
from tests.forms import page_form

PAGE = "/account"


def _place_form(client):
    return page_form(client, PAGE, action="/account/place")


def _employee(app, make, auth, town="Gällivare"):
    with app.app_context():
        company = make.company(municipality=town)
        person = make.employee(company=company)
        ids = {
            "person": person.id,
            "email": person.email,
            "boden": make.municipality("Boden").id,
            "gallivare": make.municipality("Gällivare").id,
        }
    auth.login(ids["email"])
    return ids


def test_an_employee_starts_from_their_company_and_chooses_another_place(app, client, make, auth):
    ids = _employee(app, make, auth)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Restiden till passen räknas från Gällivare." in html
    assert "Mitt företags kommun (Gällivare)" in html
    assert '<label for="municipality">Kommun du reser från</label>' in html
    assert 'label="Norrbottens län"' in html and 'label="Västerbottens län"' in html

    form = _place_form(client)
    assert form.controls["municipality"].values == [""]
    saved = form.fill(municipality=str(ids["boden"])).submit()
    assert saved.status_code == 302 and saved.headers["Location"] == PAGE
    html = client.get(PAGE).get_data(as_text=True)
    assert "Du reser från Boden." in html
    assert "Restiden till passen räknas från Boden." in html
    assert _place_form(client).controls["municipality"].values == [str(ids["boden"])]
    with app.app_context():
        person = db.session.get(Person, ids["person"])
        assert person.municipality.name == "Boden" and person.place.name == "Boden"

    # Back to the company's: the blank choice.
    assert _place_form(client).fill(municipality="").submit().status_code == 302
    assert "Du reser från ditt företags kommun." in client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        person = db.session.get(Person, ids["person"])
        assert person.municipality_id is None and person.place.name == "Gällivare"
        audited = db.session.execute(
            select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.entity == "person", AuditEntry.entity_id == ids["person"])
            .order_by(AuditEntry.id)
        ).all()
    assert audited == [
        (ids["person"], "place_set", "Boden"),
        (ids["person"], "place_set", "–"),
    ]


def test_a_municipality_not_in_the_list_is_a_form_error(app, client, make, auth):
    ids = _employee(app, make, auth)
    for bad in ("999999", "abc", "-1", "9" * 40):
        response = _place_form(client).fill(municipality=bad, tamper=True).submit()
        html = response.get_data(as_text=True)
        assert response.status_code == 400, bad
        assert "Kommunen finns inte. Välj en kommun i listan." in html
        assert 'aria-invalid="true"' in html
    with app.app_context():
        assert db.session.get(Person, ids["person"]).municipality_id is None


def test_changing_the_place_needs_the_forms_token(app, client, make, auth):
    ids = _employee(app, make, auth)
    form = _place_form(client).fill(municipality=str(ids["boden"])).remove("csrf_token")
    response = form.submit()
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Person, ids["person"]).municipality_id is None


def test_someone_without_a_company_chooses_a_place(app, client, make, auth):
    with app.app_context():
        person = make.person(("assessor",))
        email, lulea = person.email, make.municipality("Luleå").id
    auth.login(email)
    html = client.get(PAGE).get_data(as_text=True)
    assert "Välj en kommun så visas restiden till passen." in html and "Ingen vald" in html
    assert _place_form(client).fill(municipality=str(lulea)).submit().status_code == 302
    assert "Restiden till passen räknas från Luleå." in client.get(PAGE).get_data(as_text=True)


def test_the_place_is_in_the_export_and_erasing_clears_it(app, client, make, auth):
    ids = _employee(app, make, auth)
    assert client.get("/account/export.json").get_json()["person"]["municipality"] is None
    _place_form(client).fill(municipality=str(ids["boden"])).submit()
    assert client.get("/account/export.json").get_json()["person"]["municipality"] == "Boden"
    auth.logout()
    with app.app_context():
        admin_email = make.person(("project_admin",)).email
    auth.login(admin_email)
    erased = page_form(
        client, f"/people/{ids['person']}/erase", action=f"/people/{ids['person']}/erase"
    ).submit()
    assert erased.status_code == 302
    with app.app_context():
        assert db.session.get(Person, ids["person"]).municipality_id is None


def test_the_place_form_in_english(app, client, make, auth):
    _employee(app, make, auth)
    page_form(client, PAGE, action="/language").submit("language=en")
    html = client.get(PAGE).get_data(as_text=True)
    assert "Where you travel from" in html and "My company&#39;s municipality (Gällivare)" in html
    response = _place_form(client).fill(municipality="999999", tamper=True).submit()
    assert "There is no such municipality. Choose one from the list." in response.get_data(
        as_text=True
    )


def test_the_interest_form_starts_from_the_place_chosen_on_mitt_konto(app, client, make, auth):
    ids = _employee(app, make, auth)
    interest = page_form(client, "/interest", button="Anmäl intresse")
    assert interest.value("municipality") == str(ids["gallivare"])  # the company's
    _place_form(client).fill(municipality=str(ids["boden"])).submit()
    interest = page_form(client, "/interest", button="Anmäl intresse")
    assert interest.value("municipality") == str(ids["boden"])

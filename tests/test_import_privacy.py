"""A coordinator's form and CSV import answer only for the own company's people.

An address with an account elsewhere (another company's employee, staff) gets the
same answer as a new address; no second account is made, and the owner is told.
"""

import email
import re
from email.policy import default
from html import unescape

import pytest
from sqlalchemy import func, select

from app.accounts import enrolment
from app.accounts.models import Person
from app.extensions import db
from app.mail.models import OutboxMessage
from tests.conftest import Auth
from tests.forms import page_form

NEW = "ny.person@foretag.se"


@pytest.fixture
def world(app, make):
    with app.app_context():
        company, other = make.company(name="Eget Stål AB"), make.company(name="Annat Stål AB")
        coordinator = make.person(("coordinator",), company=company)
        make.employee(company=company, name="Erik Eriksson", email="erik@eget.se")
        make.employee(company=other, name="Fia Främling", email="fia@annat.se")
        make.person(("center_admin",), center=make.center(), email="stina@center.se")
        make.person(("project_admin",), email="pia@projekt.se")
        return {"coordinator": coordinator.email, "company_id": company.id, "other_id": other.id}


@pytest.fixture
def coordinator(client, world):
    Auth(client).login(world["coordinator"])
    return client


ELSEWHERE = ["fia@annat.se", "Stina@Center.se", "pia@projekt.se"]


def _upload(client, rows: str, **kwargs):
    form = page_form(client, "/company/employees", action="/company/employees/import")
    return form.set("file", (f"namn;e-post\n{rows}", "medarbetare.csv")).submit(**kwargs)


def _register(client, name, address, **kwargs):
    form = page_form(client, "/company/employees", action="/company/employees")
    return form.fill(name=name, email=address).submit(**kwargs)


def _messages(page: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'<p class="message message-\w+">(.*?)</p>', page)]


def _import_report(client, response) -> str:
    """The report an upload leads to, without what differs between any two uploads."""
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    body = re.search(r'<ul class="summary">.*?Tillbaka till medarbetarna', page, re.S).group(0)
    return re.sub(r"/imports/\d+/", "/imports/N/", body)


def _people(app, address):
    with app.app_context():
        return db.session.scalar(
            select(func.count(Person.id)).where(func.lower(Person.email) == address.lower())
        )


def _mail_to(app, address):
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == address.lower())
        ).all()
        return [(r.kind, r.subject, r.raw) for r in rows]


def test_an_import_with_a_bad_row_reports_an_address_with_an_account_elsewhere_as_a_new_one(
    app, coordinator
):
    # What the report says must not depend on whose the address is.
    reports = {
        address: _upload(coordinator, f"Ny Person;{address}\n;utan.namn@foretag.se\n")
        for address in [NEW, *ELSEWHERE]
    }
    pages = {a: _import_report(coordinator, r) for a, r in reports.items()}
    assert "1 rad avvisades." in pages[NEW] and "Namn saknas." in pages[NEW]
    assert "1 ny medarbetare är registrerad" in pages[NEW]
    for address in ELSEWHERE:
        assert pages[address] == pages[NEW], address
        assert "redan" not in pages[address]


def test_an_import_answers_an_address_with_an_account_elsewhere_as_a_new_one(app, coordinator):
    answers = {}
    for address in [NEW, *ELSEWHERE]:
        response = _upload(coordinator, f"Ny Person;{address}\n")
        answers[address] = _import_report(coordinator, response)
    assert "1 ny medarbetare är registrerad och får en inbjudan via mejl." in answers[NEW]
    assert all(answers[address] == answers[NEW] for address in ELSEWHERE)
    # No second account; the accounts elsewhere are as they were, and their owners told.
    for address in ELSEWHERE:
        assert _people(app, address) == 1
        ((kind, _subject, raw),) = _mail_to(app, address)
        assert kind == "account_notice"
        text = email.message_from_bytes(raw, policy=default).get_body(("plain",)).get_content()
        assert "Eget Stål AB" in text and "/password/" not in text
    with app.app_context():
        fia = db.session.scalar(select(Person).where(Person.email == "fia@annat.se"))
        assert fia.company.name == "Annat Stål AB" and fia.roles == {"employee"}
        stina = db.session.scalar(select(Person).where(Person.email == "stina@center.se"))
        assert stina.company_id is None and stina.roles == {"center_admin"}
    assert [kind for kind, _s, _r in _mail_to(app, NEW)] == ["invitation"]
    with app.app_context():
        new = db.session.scalar(select(Person).where(Person.email == NEW))
        assert new.company.name == "Eget Stål AB" and new.roles == {"employee"}
    # Uploading the list again does not flood the owner: one notice a day per company.
    _upload(coordinator, "Fia;fia@annat.se\n")
    assert len(_mail_to(app, "fia@annat.se")) == 1


def test_an_import_says_which_of_the_own_company_are_already_there(app, coordinator):
    response = _upload(coordinator, f"Erik E;ERIK@eget.se\nNy Person;{NEW}\n")
    page = unescape(_import_report(coordinator, response))
    assert "1 ny medarbetare är registrerad och får en inbjudan via mejl." in page
    assert "Redan registrerade i ditt företag, lämnade som de är: Erik Eriksson." in page
    assert _people(app, "erik@eget.se") == 1 and _people(app, NEW) == 1
    assert _mail_to(app, "erik@eget.se") == []


def test_the_form_answers_an_address_with_an_account_elsewhere_as_a_new_one(app, coordinator):
    answers = {}
    for address in [NEW, *ELSEWHERE]:
        response = _register(coordinator, "Ny Person", address)
        assert response.status_code == 302, address
        answers[address] = _messages(coordinator.get(response.location).get_data(as_text=True))
    assert answers[NEW] == ["Ny Person är registrerad och får en inbjudan via mejl."]
    assert all(answers[address] == answers[NEW] for address in ELSEWHERE)
    for address in ELSEWHERE:
        assert _people(app, address) == 1
        assert [kind for kind, _s, _r in _mail_to(app, address)] == ["account_notice"]


def test_the_form_says_when_the_person_is_already_in_the_company(app, coordinator):
    response = _register(coordinator, "Erik Igen", "Erik@Eget.se")
    assert response.status_code == 400
    page = unescape(response.get_data(as_text=True))
    assert "Erik Eriksson finns redan bland ditt företags medarbetare." in page
    assert _people(app, "erik@eget.se") == 1 and _mail_to(app, "erik@eget.se") == []


def test_an_address_registered_elsewhere_at_the_same_moment_gets_the_same_answer(
    app, coordinator, monkeypatch
):
    real = enrolment.find_by_email
    calls = []

    def not_yet_there(address):
        # The first look misses the account, as if it were being made in that instant.
        calls.append(address)
        return None if len(calls) == 1 else real(address)

    monkeypatch.setattr(enrolment, "find_by_email", not_yet_there)
    response = _register(coordinator, "Ny Person", "fia@annat.se")
    assert response.status_code == 302 and len(calls) == 2
    assert _messages(coordinator.get(response.location).get_data(as_text=True)) == [
        "Ny Person är registrerad och får en inbjudan via mejl."
    ]
    assert _people(app, "fia@annat.se") == 1
    assert [kind for kind, _s, _r in _mail_to(app, "fia@annat.se")] == ["account_notice"]

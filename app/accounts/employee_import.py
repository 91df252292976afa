"""A coordinator's CSV file of employees: the good rows saved, the others reported.

The file may be what any Excel saves (app.accounts.spreadsheet_csv reads it), with
the header `namn;e-post;telefon;avdelning` in Swedish or `name;email;phone;team` in
English (telefon and avdelning optional, in any order). Every row is checked on its
own: the good ones are added in one transaction, each bad one is rejected with its
reasons and kept for a day so that the coordinator can download, fix and upload them
again. An address twice in the file is read once, from its first good row.

The company's own people already registered are not added again; a team given for
them is set. An address with an account elsewhere is answered as a new one
(app.accounts.enrolment says why), so no row is rejected for that.
"""

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from app.accounts import import_reports
from app.accounts.enrolment import Outcome, enrol
from app.accounts.models import Company, EmployeeImport, Person
from app.accounts.services import may_register_for, normalise_email
from app.accounts.spreadsheet_csv import NotATable, read_table
from app.db import unit_of_work
from app.errors import Forbidden

# Each column's accepted names, the template's Swedish and English first.
HEADERS = {
    "name": ("namn", "name", "fullständigt namn", "full name"),
    "email": ("e-post", "email", "epost", "e-postadress", "e-mail", "mejl", "mail"),
    "phone": ("telefon", "phone", "telefonnummer", "mobil", "tel"),
    "team": ("avdelning", "team", "enhet", "arbetsplats", "site"),
    # The reasons column of a downloaded file of rejected rows: read past.
    "reason": ("fel", "reason"),
}
NAME_MAX, EMAIL_MAX, PHONE_MAX, TEAM_MAX = 120, 254, 40, 80
_TEXT_OK = re.compile(r"^[^\x00-\x1f<>]+$")
_PHONE_OK = re.compile(r"^[0-9 +()-]+$")


class FileRefused(ValueError):
    """Nothing in the file was read: the message says why, for the person."""


@dataclass
class Row:
    line: int
    cells: list[str]
    name: str = ""
    email: str = ""
    phone: str = ""
    team: str = ""
    # Reason codes with their values (import_reports.reason_text writes them out).
    reasons: list[tuple[str, dict]] = field(default_factory=list)


def _columns(header: list[str]) -> dict[str, int]:
    seen = [h.strip().lower() for h in header]
    columns: dict[str, int] = {}
    unknown = []
    for index, name in enumerate(seen):
        key = next((k for k, names in HEADERS.items() if name in names), None)
        if key is not None:
            columns.setdefault(key, index)
        elif name:
            unknown.append(header[index])
    # Named as the message around them names the columns: the template's Swedish or English.
    said = 1 if str(get_locale()) == "en" else 0
    missing = [HEADERS[k][said] for k in ("name", "email") if k not in columns]
    if missing or unknown:
        raise FileRefused(
            _(
                "Första raden ska vara kolumnnamnen namn;e-post;telefon;avdelning (telefon "
                "och avdelning får utelämnas). Saknas: %(missing)s. Okända: %(unknown)s.",
                missing=", ".join(missing) or "–",
                unknown=", ".join(unknown) or "–",
            )
        )
    return columns


# The template's example row (views.company.import_template): left in by mistake, it
# would register and invite someone at an address nobody reads.
EXAMPLE_EMAIL = "anna.andersson@example.se"


def _checked(line: int, cells: list[str], columns: dict[str, int], width: int) -> Row:
    def cell(key):
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    row = Row(line, cells, cell("name"), cell("email"), cell("phone"), cell("team"))
    problem = row.reasons.append
    if any(cells[width:]):
        problem(("extra_fields", {}))
    if not row.name:
        problem(("name_missing", {}))
    elif len(row.name) > NAME_MAX:
        problem(("name_long", {"max": NAME_MAX}))
    elif not _TEXT_OK.match(row.name):
        problem(("name_chars", {}))
    if normalise_email(row.email) == EXAMPLE_EMAIL:
        problem(("example_row", {}))
    elif not row.email:
        problem(("email_missing", {}))
    elif len(row.email) > EMAIL_MAX:
        problem(("email_long", {"max": EMAIL_MAX}))
    elif not row.email.isascii():
        problem(("email_not_ascii", {"email": row.email}))
    else:
        try:
            validate_email(row.email, check_deliverability=False)
        except EmailNotValidError:
            problem(("email_invalid", {"email": row.email}))
    if row.phone and (len(row.phone) > PHONE_MAX or not _PHONE_OK.match(row.phone)):
        problem(("phone", {}))
    if len(row.team) > TEAM_MAX:
        problem(("team_long", {"max": TEAM_MAX}))
    elif row.team and not _TEXT_OK.match(row.team):
        problem(("team_chars", {}))
    return row


def read_rows(data: bytes) -> tuple[list[str], list[Row]]:
    """The file's header and its rows, each checked; FileRefused if it cannot be read."""
    config = current_app.config
    if len(data) > config["EMPLOYEE_CSV_MAX_BYTES"]:
        raise FileRefused(
            _("Filen är för stor (högst %(kb)s kB).", kb=config["EMPLOYEE_CSV_MAX_BYTES"] // 1024)
        )
    try:
        table = read_table(data)
    except NotATable as error:
        raise FileRefused(str(error)) from None
    header, rows = table.header, table.rows
    columns = _columns(header)
    reason = columns.get("reason")
    if reason is not None:  # a file of rejected rows, fixed: its old reasons are not data

        def drop(cells, at=reason):
            return cells[:at] + cells[at + 1 :]

        header, rows = drop(header), [(line, drop(cells)) for line, cells in rows]
        columns = _columns(header)
    if not rows:
        raise FileRefused(_("Filen har inga rader med medarbetare."))
    if len(rows) > config["EMPLOYEE_CSV_MAX_ROWS"]:
        raise FileRefused(_("Högst %(n)s rader per fil.", n=config["EMPLOYEE_CSV_MAX_ROWS"]))
    return header, [_checked(line, cells, columns, len(header)) for line, cells in rows]


def import_employees(data: bytes, company: Company, actor: Person) -> EmployeeImport:
    """Add the file's good rows and keep its report; FileRefused stores nothing."""
    if not may_register_for(actor, company):
        raise Forbidden()
    header, rows = read_rows(data)
    first_line: dict[str, int] = {}
    record = import_reports.Record(header)
    with unit_of_work():
        import_reports.purge_old_imports()
        for row in rows:
            if row.reasons:
                record.reject(row.line, row.cells, row.reasons)
                continue
            key = normalise_email(row.email)
            if key in first_line:
                record.duplicate(row.line, first_line[key])
                continue
            first_line[key] = row.line
            _enrol(row, company, actor, record)
        return record.save(company, actor)


def _enrol(row: Row, company: Company, actor: Person, record) -> None:
    enrolment = enrol(row.name, row.email, company, actor, row.phone, team=row.team)
    if enrolment.outcome is not Outcome.ALREADY_IN_COMPANY:
        record.invited += 1
        return
    person = enrolment.person
    if row.team and row.team != person.team:
        person.team = row.team
        record.existing(person.id, updated=True)
    else:
        record.existing(person.id, updated=False)

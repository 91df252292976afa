"""A coordinator's CSV file of employees: checked row by row, saved all or nothing.

The file is UTF-8 (Excel's "CSV UTF-8" with its BOM is fine), separated by
semicolons or commas, with the header `namn;e-post;telefon` (telefon optional).
The company's own people already registered are skipped; an address with an account
elsewhere is answered as a new one (app.accounts.enrolment says why).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from app.accounts.enrolment import Outcome, enrol
from app.accounts.models import Company, Person
from app.accounts.services import may_register_for, normalise_email
from app.db import unit_of_work
from app.errors import Forbidden

HEADERS = {
    "name": ("namn", "name"),
    "email": ("e-post", "epost", "email", "e-mail", "e-postadress"),
    "phone": ("telefon", "phone", "tel"),
}
_NAME_OK = re.compile(r"^[^\x00-\x1f<>]+$")
_PHONE_OK = re.compile(r"^[0-9 +()-]+$")


@dataclass
class RowProblem:
    line: int
    text: str
    reasons: list[str]


@dataclass
class ImportReport:
    # Rows answered "invited": new accounts, and addresses whose account is outside the
    # company (their owner is told instead; see app.accounts.enrolment). Only the count
    # is shown, so the two look the same.
    invited: int = 0
    created: list[Person] = field(default_factory=list)
    # The company's own people, already registered: left as they are.
    already_in_company: list[Person] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    # A problem with the whole file (encoding, columns, size): nothing was read.
    file_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.problems


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _columns(header: list[str]) -> dict[str, int] | str:
    seen = [h.strip().lower() for h in header]
    columns = {}
    for key, names in HEADERS.items():
        for index, name in enumerate(seen):
            if name in names:
                columns[key] = index
    unknown = [h for h in seen if h and not any(h in names for names in HEADERS.values())]
    missing = [HEADERS[k][0] for k in ("name", "email") if k not in columns]
    if missing or unknown:
        return _(
            "Första raden ska vara kolumnnamnen namn;e-post;telefon (telefon får utelämnas). "
            "Saknas: %(missing)s. Okända: %(unknown)s.",
            missing=", ".join(missing) or "–",
            unknown=", ".join(unknown) or "–",
        )
    return columns


def import_employees(data: bytes, company: Company, actor: Person) -> ImportReport:
    """Check every row; when all pass, add them and mail invitations in one transaction."""
    if not may_register_for(actor, company):
        raise Forbidden()
    report = ImportReport()
    config = current_app.config
    if len(data) > config["EMPLOYEE_CSV_MAX_BYTES"]:
        report.file_error = _(
            "Filen är för stor (högst %(kb)s kB).", kb=config["EMPLOYEE_CSV_MAX_BYTES"] // 1024
        )
        return report
    text = _decode(data)
    if text is None or "\x00" in (text or ""):
        report.file_error = _(
            'Filen är inte UTF-8-kodad text. Spara den i Excel som "CSV UTF-8" och försök igen.'
        )
        return report
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        report.file_error = _("Filen är tom.")
        return report
    columns = _columns(rows[0])
    if isinstance(columns, str):
        report.file_error = columns
        return report
    body = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    if not body:
        report.file_error = _("Filen har inga rader med medarbetare.")
        return report
    if len(body) > config["EMPLOYEE_CSV_MAX_ROWS"]:
        report.file_error = _("Högst %(n)s rader per fil.", n=config["EMPLOYEE_CSV_MAX_ROWS"])
        return report

    seen_emails: dict[str, int] = {}
    accepted = []
    for line, row in body:
        reasons = []
        if len(row) > len(rows[0]):
            reasons.append(_("Raden har fler fält än rubrikraden."))

        def cell(key, row=row):
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        name, email, phone = cell("name"), cell("email"), cell("phone")
        if not name:
            reasons.append(_("Namn saknas."))
        elif len(name) > 120:
            reasons.append(_("Namnet är längre än 120 tecken."))
        elif not _NAME_OK.match(name):
            reasons.append(_("Namnet innehåller otillåtna tecken."))
        if not email:
            reasons.append(_("E-postadress saknas."))
        elif len(email) > 254:
            reasons.append(_("E-postadressen är längre än 254 tecken."))
        else:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                reasons.append(_("Ogiltig e-postadress: %(email)s", email=email))
            else:
                key = normalise_email(email)
                if key in seen_emails:
                    reasons.append(
                        _("E-postadressen finns redan på rad %(line)s.", line=seen_emails[key])
                    )
                seen_emails.setdefault(key, line)
        if phone and (len(phone) > 40 or not _PHONE_OK.match(phone)):
            reasons.append(_("Telefonnumret får bara ha siffror, mellanslag och + ( ) -."))
        if reasons:
            report.problems.append(RowProblem(line, delimiter.join(row)[:200], reasons))
        else:
            accepted.append((name, email, phone))
    if report.problems:
        return report
    with unit_of_work():
        for name, email, phone in accepted:
            enrolment = enrol(name, email, company, actor, phone)
            if enrolment.outcome is Outcome.ALREADY_IN_COMPANY:
                report.already_in_company.append(enrolment.person)
                continue
            report.invited += 1
            if enrolment.person is not None:
                report.created.append(enrolment.person)
    return report

"""What an employee import did, kept for a day: its counts, rejected rows and duplicates.

The rejected rows are the coordinator's own typing about people, so they are kept
only EMPLOYEE_IMPORT_KEEP_HOURS: a report older than that is never shown, and is
deleted by the next import or by `flask purge-employee-imports` (cron).
Reasons are stored as codes and written out in the reader's language.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.accounts.models import Company, EmployeeImport, Person
from app.db import utcnow
from app.extensions import db

_REASONS = {
    "extra_fields": lambda: _("Raden har fler fält än rubrikraden."),
    "name_missing": lambda: _("Namn saknas."),
    "name_long": lambda max: _("Namnet är längre än %(max)s tecken.", max=max),
    "name_chars": lambda: _("Namnet innehåller otillåtna tecken."),
    "email_missing": lambda: _("E-postadress saknas."),
    "example_row": lambda: _("Exempelraden från mallen: ta bort den och skriv era medarbetare."),
    "email_long": lambda max: _("E-postadressen är längre än %(max)s tecken.", max=max),
    "email_invalid": lambda email: _("Ogiltig e-postadress: %(email)s", email=email),
    "email_not_ascii": lambda email: _(
        "E-postadressen har å, ä, ö eller andra tecken utanför a–z: %(email)s", email=email
    ),
    "phone": lambda: _("Telefonnumret får bara ha siffror, mellanslag och + ( ) -."),
    "team_long": lambda max: _("Avdelningen är längre än %(max)s tecken.", max=max),
    "team_chars": lambda: _("Avdelningen innehåller otillåtna tecken."),
}


def reason_text(code: str, params: dict) -> str:
    return _REASONS[code](**params)


class Record:
    """An import's report as it is being made, saved in the import's unit of work."""

    def __init__(self, header: list[str]):
        self.header = header
        self.invited = 0
        self.rejected: list[dict] = []
        self.duplicates: list[tuple[int, int]] = []
        self.people: list[tuple[int, bool]] = []  # the company's own: (id, updated)

    def reject(self, line: int, cells: list[str], reasons: list[tuple[str, dict]]) -> None:
        self.rejected.append({"line": line, "cells": cells, "reasons": reasons})

    def duplicate(self, line: int, first_line: int) -> None:
        self.duplicates.append((line, first_line))

    def existing(self, person_id: int, updated: bool) -> None:
        self.people.append((person_id, updated))

    def save(self, company: Company, actor: Person) -> EmployeeImport:
        details = {
            "header": self.header,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "people": self.people,
        }
        record = EmployeeImport(
            company_id=company.id,
            created_by_id=actor.id,
            invited=self.invited,
            updated=sum(updated for _id, updated in self.people),
            unchanged=sum(not updated for _id, updated in self.people),
            details=json.dumps(details, ensure_ascii=False),
        )
        db.session.add(record)
        db.session.flush()
        return record


@dataclass
class Rejected:
    line: int
    cells: list[str]
    reasons: list[str]


@dataclass
class Report:
    id: int
    created_at: datetime
    invited: int
    header: list[str]
    rejected: list[Rejected]
    duplicates: list[tuple[int, int]]
    updated: list[Person] = field(default_factory=list)
    unchanged: list[Person] = field(default_factory=list)


def _cutoff() -> datetime:
    return utcnow() - timedelta(hours=current_app.config["EMPLOYEE_IMPORT_KEEP_HOURS"])


def purge_old_imports() -> int:
    """Delete the reports past their day, in the caller's unit of work."""
    result = db.session.execute(delete(EmployeeImport).where(EmployeeImport.created_at < _cutoff()))
    return result.rowcount


def recent_imports(company_id: int) -> list[EmployeeImport]:
    return list(
        db.session.scalars(
            select(EmployeeImport)
            .where(EmployeeImport.company_id == company_id, EmployeeImport.created_at >= _cutoff())
            .order_by(EmployeeImport.created_at.desc(), EmployeeImport.id.desc())
            .limit(10)
        )
    )


def find_report(import_id: int, company_id: int) -> Report | None:
    """The company's report, None if it is another's or past its day."""
    record = db.session.get(EmployeeImport, import_id)
    if record is None or record.company_id != company_id or record.created_at < _cutoff():
        return None
    details = json.loads(record.details)
    people = dict(details["people"])
    found = db.session.scalars(
        select(Person)
        .where(Person.id.in_(people), Person.company_id == company_id)
        .order_by(Person.name)
    ).all()
    return Report(
        id=record.id,
        created_at=record.created_at,
        invited=record.invited,
        header=details["header"],
        rejected=[
            Rejected(r["line"], r["cells"], [reason_text(c, p) for c, p in r["reasons"]])
            for r in details["rejected"]
        ],
        duplicates=[tuple(pair) for pair in details["duplicates"]],
        updated=[p for p in found if people[p.id]],
        unchanged=[p for p in found if not people[p.id]],
    )


def rejected_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """The rejected rows in the file's own columns, with the reasons in one more."""
    width = len(report.header)
    header = [*report.header, _("Fel")]
    rows = [
        [*r.cells[:width], *[""] * (width - len(r.cells)), " ".join(r.reasons), *r.cells[width:]]
        for r in report.rejected
    ]
    return header, rows

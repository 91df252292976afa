"""GDPR: everything stored about a person, and erasing a person.

Erasing keeps the person's row (with its company and roles) and their bookings and
outcomes, so the reports still count them, but removes everything that tells who
they were: name, e-mail, phone, language, password, free-text notes, a testledare's
authorisations, availability and absences, tokens, calendar entries and mail.

What others wrote about a participant (the testledare's result comment and proposed
training) belongs to that participant and stays when its author is erased; only a
mention of the erased person's own name or address in it is replaced.

Each feature keeps its share in its own privacy module, as a Part: its entries of the
export, what makes erasing wait, what it erases, and its text columns. The features
sit above this module, so create_app hands their parts to register_parts().

Every text column is in one of two lists, which the parts fill together:
FREE_TEXT_FIELDS, where a mention of the erased person is replaced, or NO_PERSONAL_TEXT,
with the reason it needs nothing. tests/test_erasure_scrub.py fails for a new column that is in
neither, so that whoever adds one decides.
"""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from app.accounts.company_scope import project_admin_sees_company
from app.accounts.models import EmployeeImport, LoginSession, Person, Role
from app.audit import services as audit
from app.db import unit_of_work, utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db

ERASED_NAME = "Borttagen person"

# Why a column needs no scrubbing, for NO_PERSONAL_TEXT: the usual reasons.
CODE = "a code from a fixed list"
REFERENCE = "reference data, not typed about people"
GENERATED = "generated: a token, hash, key or id"
OWN = "the erased person's own field: replaced or cleared as a whole"


@dataclass(frozen=True)
class EncodedText:
    """A free-text column stored encoded (a MIME message): searched and changed as text."""

    readable: Callable[[bytes], str]
    # The value with the change applied to its text, None if nothing changed.
    rewrite: Callable[[bytes, Callable[[str], str]], bytes | None]


@dataclass(frozen=True)
class Part:
    """One feature's share of what is stored about a person.

    `export` gives its entries of the export (key: JSON-ready data). `check` raises a
    DomainError while the person cannot be erased yet (now is the time of erasing);
    `erase` clears the feature's rows in erase()'s unit of work, before mentions of
    the person are replaced and their own row is emptied. Text columns are named
    "table.column", each in `free_text` or in `no_personal_text` with the reason;
    `encoded` says how to read and change a free-text column that is not plain text.
    """

    name: str
    export: Callable[[Person], dict] | None = None
    check: Callable[[Person, datetime], None] | None = None
    erase: Callable[[Person], None] | None = None
    free_text: tuple[str, ...] = ()
    no_personal_text: Mapping[str, str] = field(default_factory=dict)
    encoded: Mapping[str, EncodedText] = field(default_factory=dict)


_parts: tuple[Part, ...] = ()
# The registered parts' text columns, kept up to date by register_parts().
FREE_TEXT_FIELDS: list[str] = []
NO_PERSONAL_TEXT: dict[str, str] = {}
_ENCODED: dict[str, EncodedText] = {}


def register_parts(*parts: Part) -> None:
    """Use these parts, in this order (create_app calls this for every app it builds).

    The export lists their entries in this order; erasing asks them in this order
    whether it must wait, so the first reason found is the one shown.
    """
    global _parts
    _parts = parts
    FREE_TEXT_FIELDS[:] = [f for part in parts for f in part.free_text]
    NO_PERSONAL_TEXT.clear()
    _ENCODED.clear()
    for part in parts:
        NO_PERSONAL_TEXT.update(part.no_personal_text)
        _ENCODED.update(part.encoded)


def _registered() -> tuple[Part, ...]:
    # Without the features' parts an erasure would leave their data behind unnoticed.
    if not _parts:
        raise RuntimeError("No privacy parts registered: create_app registers them.")
    return _parts


def iso(value):
    return value.isoformat() if value is not None else None


def export(person: Person) -> dict:
    """Everything stored about the person, as plain JSON-ready data.

    Other people appear in it only as ids (a booking, a session): what the person
    did to someone else's booking is theirs, who that someone is is not. Secrets
    (password hash, token values) are never included, only that they exist.
    """
    data = {}
    for part in _registered():
        if part.export is not None:
            data.update(part.export(person))
    return data


def _refusals(person: Person, actor: Person, now: datetime):
    """Each reason the actor cannot erase the person now, as the DomainError erase() raises."""
    if person.erased_at is not None:
        yield DomainError(_("Personens uppgifter är redan borttagna."))
        return
    if person.id == actor.id:
        yield DomainError(_("Du kan inte ta bort dina egna uppgifter själv."))
    for part in _registered():
        if part.check is not None:
            try:
                part.check(person, now)
            except DomainError as refusal:
                yield refusal


def may_erase(person: Person, actor: Person) -> bool:
    """Whether to offer erasing the person at all (not oneself, not twice)."""
    return person.erased_at is None and person.id != actor.id


def blockers(person: Person, actor: Person, now: datetime | None = None) -> list[str]:
    """Every reason erasing the person would be refused now, in the order erase() asks
    (the erase page says them all before offering the button); [] when nothing blocks."""
    return [refusal.message for refusal in _refusals(person, actor, now or utcnow())]


def erase(person_id: int, actor: Person) -> Person:
    """Remove a person's personal data; their bookings and outcomes stay, anonymous.

    A project admin of every project may erase anyone; one limited to named projects
    only the people of the companies taking part in them.
    """
    if not actor.has_role(Role.PROJECT_ADMIN):
        raise Forbidden()
    parts = _registered()
    now = utcnow()
    with unit_of_work():
        person = db.session.get(Person, person_id)
        # Someone a limited admin may not see is, to them, someone who does not exist.
        if person is None or not project_admin_sees_company(actor, person.company_id):
            raise NotFound(_("Personen finns inte."))
        for refusal in _refusals(person, actor, now):
            raise refusal
        old_name, old_email = person.name, person.email
        for part in parts:
            if part.erase is not None:
                part.erase(person)
        db.session.flush()
        _replace_mentions(old_name, old_email)
        person.name = ERASED_NAME
        person.email = f"borttagen-{person.id}@invalid.invalid"
        person.phone = None
        person.locale = None
        person.home_center_id = None
        person.municipality_id = None  # where they travel from
        person.team = None
        person.password_hash = None
        person.active = False
        person.session_version += 1
        person.erased_at = now
        audit.record(actor, "person", person.id, "erased", at=now)
        return person


def mentions(name: str, email: str) -> tuple[re.Pattern | None, list[str]]:
    """A pattern for the ways the person is written about, and texts to narrow rows by.

    The full name, first and last name alone ("Anna Berg" for "Anna Maria Berg"),
    "Berg, Anna", and the address; as whole words in any case, also with a genitive s
    ("Anna Bergs" yes, "Anna Bergström" no). A first name alone is not replaced: it
    would take every other Anna out of the audit log.
    """
    parts = name.split()
    forms = [" ".join(parts)]
    if len(parts) > 2:
        forms.append(f"{parts[0]} {parts[-1]}")
    if len(parts) >= 2:
        forms.append(f"{parts[-1]}, {parts[0]}")
    forms.append(email.strip())
    forms = [f for f in dict.fromkeys(forms) if len(f) >= 3]
    if not forms:
        return None, []
    words = "|".join(r"\s+".join(re.escape(w) for w in f.split()) for f in forms)
    pattern = re.compile(rf"(?<!\w)(?:{words})(?=s?(?!\w))", re.IGNORECASE)
    # ILIKE ignores case in both databases, but SQLite only for ASCII letters: the usual
    # ways of writing a name (Åsa Öberg, åsa öberg, ÅSA ÖBERG) are asked for as well.
    variants = {v for f in forms for v in (f, f.lower(), f.upper(), f.title())}
    return pattern, sorted(variants)


def _field_column(name: str):
    """The column of a "table.column" name, or None for a feature's table not in use."""
    table_name, column_name = name.split(".")
    table = db.metadata.tables.get(table_name)
    return None if table is None else table.c[column_name]


def _replace_mentions(name: str, email: str) -> None:
    """Replace the person's name and address in every free-text field (FREE_TEXT_FIELDS).

    ILIKE narrows the rows in the database; the regular expression decides, the same
    on both. An encoded column (stored mail) cannot be searched so: every row is read.
    """
    pattern, variants = mentions(name, email)
    if pattern is None:
        return

    def scrub(text: str) -> str:
        return pattern.sub(ERASED_NAME, text)

    for text_field in FREE_TEXT_FIELDS:
        column = _field_column(text_field)
        if column is None:
            continue
        encoded = _ENCODED.get(text_field)
        table = column.table
        key = list(table.primary_key.columns)
        query = select(*key, column).where(column.is_not(None))
        if encoded is None:
            query = query.where(or_(*(column.icontains(v, autoescape=True) for v in variants)))
        changes = []
        for *ids, value in db.session.execute(query.execution_options(yield_per=200)):
            if encoded is not None:
                mentioned = pattern.search(encoded.readable(value))
                new = encoded.rewrite(value, scrub) if mentioned else None
            else:
                new = scrub(value)
                new = None if new == value else new
            if new is not None:
                changes.append((ids, new))
        for ids, new in changes:
            where = [c == i for c, i in zip(key, ids, strict=True)]
            db.session.execute(update(table).where(*where).values({column.name: new}))


# --- the account's own share, and that of the layers below it (which cannot register) ---


def _export_account(person: Person) -> dict:
    return {
        "person": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "language": person.locale,
            "company": person.company.name if person.company else None,
            "company_org_number": person.company.org_number if person.company else None,
            "home_center": person.home_center.name if person.home_center else None,
            # The municipality they chose to travel from (None: their company's).
            "municipality": person.municipality.name if person.municipality else None,
            "team": person.team,
            "roles": sorted(person.roles),
            "role_grants": [
                {
                    "role": g.role,
                    "center_id": g.center_id,
                    "center": g.center.name if g.center else None,
                }
                for g in sorted(person.role_grants, key=lambda g: (g.role, g.center_id or 0))
            ],
            "created_at": iso(person.created_at),
            "active": person.active,
            "has_password": bool(person.password_hash),
        },
        # Details may name others (a session moved to another testledare): left out.
        "changes_made": [
            {"entity": a.entity, "id": a.entity_id, "action": a.action, "at": iso(a.at)}
            for a in audit.entries_by_actor(person.id)
        ],
        **_export_imports(person),
    }


def _export_imports(person: Person) -> dict:
    """Employee imports the person made (counts: the rows name others), and rows naming them."""
    made = db.session.scalars(
        select(EmployeeImport)
        .where(EmployeeImport.created_by_id == person.id)
        .order_by(EmployeeImport.id)
    ).all()
    address = person.email.lower()
    about = []
    mentioning = db.session.scalars(
        select(EmployeeImport)
        .where(EmployeeImport.details.icontains(person.email, autoescape=True))
        .order_by(EmployeeImport.id)
    )
    for record in mentioning:
        for row in json.loads(record.details)["rejected"]:
            if any(cell.lower() == address for cell in row["cells"]):
                about.append({"import_id": record.id, "line": row["line"], "cells": row["cells"]})
    return {
        "employee_imports_made": [
            {
                "id": r.id,
                "company_id": r.company_id,
                "created_at": iso(r.created_at),
                "invited": r.invited,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "rejected_rows": len(json.loads(r.details)["rejected"]),
            }
            for r in made
        ],
        "employee_import_rows_about_me": about,
    }


def _erase_account(person: Person) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))
    # The rows of others they uploaded go with them; rows naming them are scrubbed.
    db.session.execute(delete(EmployeeImport).where(EmployeeImport.created_by_id == person.id))


PART = Part(
    "accounts",
    export=_export_account,
    erase=_erase_account,
    # An import's rejected rows, as the coordinator typed them (JSON).
    free_text=("audit_log.detail", "employee_import.details"),
    no_personal_text={
        "person.name": OWN,
        "person.email": OWN,
        "person.phone": OWN,
        "person.locale": OWN,
        "person.team": OWN,
        "person.password_hash": OWN,
        "role_grant.role": CODE,
        "company.name": "the company's registered name (a sole trader's is its legal name)",
        "company.org_number": "the company's registered number",
        "company.industry": CODE,
        "login_session.id": GENERATED,
        "login_session.user_agent": "what the browser calls itself",
        "county.code": REFERENCE,
        "county.name": REFERENCE,
        "municipality.code": REFERENCE,
        "municipality.name": REFERENCE,
        "audit_log.entity": CODE,
        "audit_log.action": CODE,
    },
)

"""The company's overview, training needs and validations as header and rows for CSV.

The overview is written long (one row per person and area) rather than as the page's
matrix: models assess different areas, and a long table is what a pivot table wants.
"""

from flask_babel import gettext as _

from app.results.company_validations import Validations
from app.results.competence import Overview
from app.timeutil import to_local


def cell_label(status: str) -> str:
    return {
        "approved": _("Godkänt"),
        "not_yet": _("Inte ännu"),
        "booked": _("Bokad"),
        "none": _("Inte validerat"),
    }[status]


def validation_label(status: str) -> str:
    return {
        "booked": _("Bekräftad plats"),
        "waitlisted": _("I kö"),
        "checked_in": _("Incheckad"),
        "approved": _("Godkänd"),
        "not_yet": _("Inte ännu"),
        "no_show": _("Uteblev"),
        "cancelled": _("Avbokad"),
        "session_cancelled": _("Inställt av testcentret"),
        "moved": _("Flyttad"),
    }[status]


def overview_table(overview: Overview):
    header = [
        _("Validering"),
        _("Medarbetare"),
        _("Avdelning"),
        _("Kompetensområde"),
        _("Status"),
        _("Datum"),
        _("Föreslagna kompetensutvecklande åtgärder"),
    ]
    rows = [
        [
            matrix.model.name,
            row.person.name,
            row.person.team or "",
            area.name,
            cell_label(cell.status),
            cell.day.isoformat() if cell.day else "",
            cell.training,
        ]
        for matrix in overview.matrices
        for row in matrix.rows
        for area, cell in zip(matrix.areas, row.cells, strict=True)
    ]
    return header, rows


def training_needs_table(overview: Overview):
    header = [
        _("Föreslagna kompetensutvecklande åtgärder"),
        _("Kompetensområde"),
        _("Medarbetare"),
        _("Avdelning"),
    ]
    rows = [
        [training, area.name, person.name, person.team or ""]
        for training, people in overview.training_needs
        for person, areas in people
        for area in areas
    ]
    return header, rows


def validations_table(validations: Validations):
    header = [
        _("Medarbetare"),
        _("Avdelning"),
        _("Validering"),
        _("Start"),
        _("Testcenter"),
        _("Status"),
        _("Godkända områden"),
        _("Antal områden"),
    ]
    rows = [
        [
            r.booking.employee.name,
            r.booking.employee.team or "",
            r.booking.session.model.name,
            to_local(r.booking.session.starts_at).strftime("%Y-%m-%d %H:%M"),
            r.booking.session.center.name,
            validation_label(r.status),
            "" if r.approved is None else r.approved,
            r.areas,
        ]
        for r in validations.upcoming + validations.past
    ]
    return header, rows

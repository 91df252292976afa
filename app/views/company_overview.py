"""A company's competence overview, training needs and validations, on the page and as CSV.

The company's coordinator sees their own company; a project admin chooses a company
with ?company= (any, or, limited to named projects, one of theirs). The filters are GET
parameters, and each CSV takes the same ones.
"""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.csv_out import csv_response
from app.errors import Forbidden, InvalidInput
from app.projects.scope import is_project_admin, visible_companies
from app.results.company_forms import OverviewFilter, ValidationsFilter
from app.results.company_tables import (
    cell_label,
    overview_table,
    training_needs_table,
    validation_label,
    validations_table,
)
from app.results.company_validations import STATUSES, company_validations
from app.results.competence import (
    CellStatus,
    all_models,
    company_staff,
    company_teams,
    competence_overview,
)
from app.results.services import no_show_counts

bp = Blueprint("competence", __name__)

# Rows each section of the validations page shows; its CSV has them all.
LIST_LIMIT = 100
VIEWERS = (Role.COORDINATOR, Role.PROJECT_ADMIN)


def _filled(form_class, statuses):
    """The filter form for the visitor and the company it names, or None before a
    project admin has chosen one."""
    form = form_class(request.args)
    admin = is_project_admin(current_user)
    # A limited project admin is offered (and may choose) only their projects' companies:
    # another company's id is not among the choices, as one that does not exist.
    companies = visible_companies(current_user) if admin else None
    form.choose(companies, all_models(), statuses)
    if admin:
        company_id = form.id_of("company") if form.company.validate(form) else None
        company = next((c for c in companies if c.id == company_id), None)
    else:
        company = current_user.company
        if company is None:
            raise Forbidden(_("Ditt konto hör inte till något företag."))
    return form, company


def _ready(form, company, for_csv: bool) -> bool:
    """Whether a company is chosen and the filters are valid; a CSV asked for without
    them is a 400 saying why, a page shows its form with the errors."""
    if company is not None and form.validate():
        return True
    if for_csv:
        if company is None:
            raise InvalidInput(_("Välj företag."))
        raise InvalidInput(" ".join(str(e) for errors in form.errors.values() for e in errors))
    return False


def _overview(for_csv: bool):
    form, company = _filled(OverviewFilter, [(s.value, cell_label(s)) for s in CellStatus])
    form.offer_teams(company_teams(company.id) if company else [])
    if not _ready(form, company, for_csv):
        return form, company, None
    overview = competence_overview(
        company.id,
        model_id=form.id_of("model"),
        team=form.team.data if "team" in form else None,
        status=form.status.data or None,
    )
    return form, company, overview


def _filter_args() -> dict:
    return {k: v for k, v in request.args.items() if v}


@bp.get("/company/overview")
@role_required(*VIEWERS)
def overview():
    """Employees × competence areas per model, with totals and the training needs."""
    form, company, overview = _overview(for_csv=False)
    status = 400 if form.errors else 200
    return render_template(
        "results/overview.html",
        form=form,
        company=company,
        overview=overview,
        filter_args=_filter_args(),
        cell_label=cell_label,
    ), status


@bp.get("/company/overview.csv")
@role_required(*VIEWERS)
def overview_csv():
    _form, _company, overview = _overview(for_csv=True)
    return csv_response(_("kompetensoversikt.csv"), *overview_table(overview))


@bp.get("/company/training-needs.csv")
@role_required(*VIEWERS)
def training_needs_csv():
    _form, _company, overview = _overview(for_csv=True)
    return csv_response(_("utbildningsbehov.csv"), *training_needs_table(overview))


def _validations(for_csv: bool):
    form, company = _filled(ValidationsFilter, [(s, validation_label(s)) for s in STATUSES])
    form.offer_people(company_staff(company.id) if company else [])
    if not _ready(form, company, for_csv):
        return form, company, None
    validations = company_validations(
        company.id,
        name=form.q.data or "",
        person_id=form.id_of("person"),
        model_id=form.id_of("model"),
        status=form.status.data or None,
    )
    return form, company, validations


def _no_shows(validations) -> dict[int, int]:
    """No-shows per employee listed, to mark those who have stayed away more than once."""
    if validations is None:
        return {}
    rows = validations.upcoming + validations.past
    return no_show_counts(sorted({r.booking.employee_id for r in rows}))


@bp.get("/company/results")
@role_required(*VIEWERS)
def validations():
    """The company's validations, upcoming and past apart, filtered."""
    form, company, validations = _validations(for_csv=False)
    status = 400 if form.errors else 200
    return render_template(
        "results/company.html",
        form=form,
        company=company,
        validations=validations,
        no_shows=_no_shows(validations),
        filter_args=_filter_args(),
        # A search that finds nothing says so, not that the company has no bookings.
        filtered=any(k != "company" for k in _filter_args()),
        list_limit=LIST_LIMIT,
        validation_label=validation_label,
    ), status


@bp.get("/company/results.csv")
@role_required(*VIEWERS)
def validations_csv():
    _form, _company, validations = _validations(for_csv=True)
    return csv_response(_("valideringar.csv"), *validations_table(validations))

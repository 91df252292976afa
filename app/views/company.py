"""The coordinator's pages: the company's employees, registering them, their bookings."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.accounts.auth import role_required
from app.accounts.employee_import import EXAMPLE_EMAIL, FileRefused, import_employees
from app.accounts.enrolment import Outcome, enrol
from app.accounts.forms import CompanyForm, EmployeeCsvForm, EmployeeForm
from app.accounts.import_reports import find_report, recent_imports, rejected_table
from app.accounts.models import Company, Role
from app.accounts.queries import companies_by_name, company_employees, find_person
from app.accounts.services import register_company
from app.csv_out import csv_response
from app.db import unit_of_work
from app.errors import DomainError, Forbidden, NotFound
from app.projects.scope import visible_companies
from app.regions.queries import municipalities_with_county
from app.results.overview import booking_overview

bp = Blueprint("company", __name__)


def _company() -> Company:
    if current_user.company is None:
        raise Forbidden(_("Ditt konto hör inte till något företag."))
    return current_user.company


def _render(form=None, csv_form=None, status=200):
    company = _company()
    return render_template(
        "accounts/employees.html",
        company=company,
        employees=[p for p in company_employees(company.id) if p.has_role(Role.EMPLOYEE)],
        form=form or EmployeeForm(formdata=None),
        csv_form=csv_form or EmployeeCsvForm(formdata=None),
        imports=recent_imports(company.id),
    ), status


@bp.route("/company/employees", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def employees():
    form = EmployeeForm()
    if form.validate_on_submit():
        with unit_of_work():
            enrolment = enrol(
                form.name.data, form.email.data, _company(), current_user, form.phone.data
            )
        if enrolment.outcome is Outcome.ALREADY_IN_COMPANY:
            form.email.errors.append(
                _(
                    "%(name)s finns redan bland ditt företags medarbetare.",
                    name=enrolment.person.name,
                )
            )
        else:
            # The typed name, also for a new account: an address with an account outside
            # the company must get exactly this answer too.
            flash(
                _(
                    "%(name)s är registrerad och får en inbjudan via mejl.",
                    name=form.name.data.strip(),
                ),
                "success",
            )
            return redirect(url_for("company.employees"))
    if form.is_submitted():
        return _render(form=form, status=400)
    return _render()


@bp.post("/company/employees/import")
@role_required(Role.COORDINATOR)
def import_csv():
    form = EmployeeCsvForm()
    if not form.validate_on_submit():
        return _render(csv_form=form, status=400)
    try:
        # One byte over the limit is enough to refuse a file: a 10 MB upload is not read whole.
        limit = current_app.config["EMPLOYEE_CSV_MAX_BYTES"] + 1
        record = import_employees(form.file.data.read(limit), _company(), current_user)
    except FileRefused as refused:
        form.file.errors.append(str(refused))
        return _render(csv_form=form, status=400)
    return redirect(url_for("company.import_report", import_id=record.id))


def _report(import_id: int):
    report = find_report(import_id, _company().id)
    if report is None:
        raise NotFound(_("Rapporten finns inte. En inläsnings rapport sparas i ett dygn."))
    return report


@bp.get("/company/employees/imports/<int:import_id>")
@role_required(Role.COORDINATOR)
def import_report(import_id: int):
    return render_template("accounts/import_report.html", report=_report(import_id))


@bp.get("/company/employees/imports/<int:import_id>/rejected.csv")
@role_required(Role.COORDINATOR)
def import_rejected_csv(import_id: int):
    header, rows = rejected_table(_report(import_id))
    return csv_response(_("avvisade-rader-%(id)s.csv", id=import_id), header, rows)


@bp.get("/company/employees/import-template.csv")
@role_required(Role.COORDINATOR)
def import_template():
    """An empty list to fill in, in the reader's language; the import reads both."""
    header = [_("namn"), _("e-post"), _("telefon"), _("avdelning")]
    example = [_("Anna Andersson"), EXAMPLE_EMAIL, "070-123 45 67", _("Svetsen")]
    return csv_response(_("medarbetare-mall.csv"), header, [example])


@bp.get("/company/employees/<int:person_id>")
@role_required(Role.COORDINATOR)
def employee(person_id: int):
    person = find_person(person_id)
    if person is None or person.company_id != current_user.company_id or person.erased_at:
        raise NotFound(_("Medarbetaren finns inte."))
    return render_template(
        "accounts/employee.html",
        person=person,
        **booking_overview(person.id),
        form=FlaskForm(),
    )


def _municipality_choices():
    return [
        SelectChoice(mid, f"{name} ({county})")
        for mid, name, county in municipalities_with_county()
    ]


@bp.route("/companies", methods=["GET", "POST"])
@role_required(Role.PROJECT_ADMIN)
def companies():
    """The companies a project admin sees; one of every project adds a company together
    with its coordinator (a limited one has only the list of their projects' companies)."""
    if not current_user.sees_every_project:
        if request.method == "POST":
            abort(403)
        listed = visible_companies(current_user)
        return render_template("accounts/companies.html", form=None, companies=listed)
    form = CompanyForm()
    form.municipality.choices = _municipality_choices()
    if form.validate_on_submit():
        try:
            company = register_company(
                form.name.data,
                form.org_number.data,
                form.municipality.data,
                form.industry.data,
                form.coordinator_name.data,
                form.coordinator_email.data,
                current_user,
            )
        except DomainError as error:
            if error.status_code != 409:
                raise
            form.org_number.errors.append(error.message)
        else:
            flash(
                _(
                    "%(company)s är registrerat. Samordnaren får en inbjudan via mejl.",
                    company=company.name,
                ),
                "success",
            )
            return redirect(url_for("company.companies"))
    listed = companies_by_name()
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/companies.html", form=form, companies=listed), status

"""The coordinator's pages: the company's employees, registering them, their bookings."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.accounts.auth import role_required
from app.accounts.employee_import import EXAMPLE_EMAIL, FileRefused, import_employees
from app.accounts.employment import (
    FieldRefused,
    correct_details,
    employee_for,
    end_employment,
    is_invited_only,
    resend_invitation,
)
from app.accounts.enrolment import Outcome, enrol
from app.accounts.forms import CompanyForm, EmployeeCsvForm, EmployeeDetailsForm, EmployeeForm
from app.accounts.import_reports import find_report, recent_imports, rejected_table
from app.accounts.models import Company, Role
from app.accounts.queries import companies_by_name, company_employees, find_person
from app.accounts.services import register_company
from app.bookings.leavers import ahead_of
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
        former=[p for p in company_employees(company.id, former=True) if p.has_role(Role.EMPLOYEE)],
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
    return _employee_page(person)


def _employee_page(person, details_form=None, status=200):
    invited = is_invited_only(person)
    if invited and details_form is None:
        details_form = EmployeeDetailsForm(formdata=None, name=person.name, email=person.email)
    return render_template(
        "accounts/employee.html",
        person=person,
        **booking_overview(person.id),
        form=FlaskForm(),
        invited=invited,
        details_form=details_form,
        may_end=person.active and person.id != current_user.id,
    ), status


@bp.post("/company/employees/<int:person_id>/invitation")
@role_required(Role.COORDINATOR)
def resend(person_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        person = resend_invitation(person_id, current_user)
    except NotFound:
        raise
    except DomainError as refused:
        flash(refused.message, "error")
    else:
        flash(
            _(
                "En ny inbjudan är skickad till %(email)s. Länken i den förra inbjudan "
                "fungerar inte längre.",
                email=person.email,
            ),
            "success",
        )
    return redirect(url_for("company.employee", person_id=person_id))


@bp.post("/company/employees/<int:person_id>/details")
@role_required(Role.COORDINATOR)
def correct(person_id: int):
    employee_for(current_user, person_id)  # the company's own, or 404 before anything
    form = EmployeeDetailsForm()
    if form.validate_on_submit():
        try:
            correction = correct_details(person_id, form.name.data, form.email.data, current_user)
        except FieldRefused as refused:
            getattr(form, refused.field).errors.append(refused.message)
        except NotFound:
            raise
        except DomainError as refused:
            flash(refused.message, "error")
            return redirect(url_for("company.employee", person_id=person_id))
        else:
            if correction.email_changed:
                flash(
                    _(
                        "Uppgifterna är rättade. En ny inbjudan är skickad till %(email)s.",
                        email=correction.person.email,
                    ),
                    "success",
                )
            elif correction.changed:
                flash(_("Uppgifterna är rättade."), "success")
            return redirect(url_for("company.employee", person_id=person_id))
    person = employee_for(current_user, person_id)
    if not is_invited_only(person):
        return redirect(url_for("company.employee", person_id=person_id))
    return _employee_page(person, details_form=form, status=400)


@bp.route("/company/employees/<int:person_id>/left", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def leave(person_id: int):
    """*Har slutat på företaget*: a question saying what will happen, then done."""
    person = employee_for(current_user, person_id)
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            end_employment(person_id, current_user)
        except NotFound:
            raise
        except DomainError as refused:
            flash(refused.message, "error")
        else:
            flash(
                _(
                    "%(name)s har slutat på företaget. Kontot är stängt och kommande "
                    "bokningar är avbokade.",
                    name=person.name,
                ),
                "success",
            )
        return redirect(url_for("company.employee", person_id=person_id))
    if not person.active or person.id == current_user.id:
        return redirect(url_for("company.employee", person_id=person_id))
    return render_template(
        "accounts/employee_left.html",
        person=person,
        ahead=ahead_of(person.id),
        form=form,
    ), (400 if request.method == "POST" else 200)


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

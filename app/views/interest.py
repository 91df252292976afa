"""Interest when nothing fits: the employee's page and the coordinator's, and withdrawing."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.accounts.queries import company_employees
from app.bookings.forms import CompanyInterestForm, InterestForm
from app.bookings.interest import InterestOverlaps, register_interest, today, withdraw_interest
from app.bookings.queries import find_interest, interests_of
from app.errors import Forbidden, NotFound
from app.fields import database_id
from app.formatting import travel_duration
from app.regions.queries import municipalities_with_county
from app.schedule.forms import FAMILY_PREFIX, REACH_MINUTES
from app.schedule.queries import family_by_code, models_with_families
from app.views.model_choices import model_and_family_choices

bp = Blueprint("interest", __name__)

# A new form's period: from today, three months on.
DEFAULT_WEEKS = 13


def _prepare(form: InterestForm, home_municipality_id: int | None) -> None:
    """Fill the choices; on a fresh form, the defaults and what the link asked for.

    The models are offered as the search offers them: a family's levels grouped, with
    "Svets, alla nivåer" first in the group (any level matches)."""
    form.model.choices = model_and_family_choices(models_with_families())
    form.reach.choices = [
        (m, travel_duration(m) if m else _("Hur långt som helst")) for m in REACH_MINUTES
    ]
    form.municipality.choices = [SelectChoice("", _("Välj kommun"))] + [
        SelectChoice(mid, f"{name} ({county})")
        for mid, name, county in municipalities_with_county()
    ]
    if form.is_submitted():
        return
    asked = request.args.get("model", "")
    form.model.data = asked if asked.startswith(FAMILY_PREFIX) else _asked_id("model")
    form.municipality.data = _asked_id("municipality") or home_municipality_id
    form.from_date.data = today()
    form.to_date.data = today() + timedelta(weeks=DEFAULT_WEEKS)


def _asked_id(name: str) -> int | None:
    """An id the link prefilled (?model=3&municipality=12); anything else is no choice."""
    try:
        return database_id(request.args.get(name, ""))
    except ValueError:
        return None


def _status(interest) -> str:
    if interest.end_reason == "booked":
        return _("Bokad")
    if interest.end_reason == "withdrawn":
        return _("Borttagen")
    if interest.end_reason == "left_company":
        return _("Har slutat på företaget")
    if interest.end_reason == "expired" or interest.to_date < today():
        return _("Perioden har passerat")
    if interest.notified_at is not None:
        return _("Du har fått besked om ett pass")
    # "Gäller" is also the webhook page's "covers": a state here ("Active").
    return pgettext("state", "Gäller")


def _register(form: InterestForm, people, error_field) -> bool:
    """Register from a validated form; a clash is the form's error. True when saved."""
    try:
        model, family_id = form.model.data, None
        if isinstance(model, str):
            code = model.removeprefix(FAMILY_PREFIX)
            model, family_id = None, family_by_code(code).id
        made = register_interest(
            people,
            model,
            form.municipality.data,
            form.from_date.data,
            form.to_date.data,
            current_user,
            family_id=family_id,
            max_minutes=form.reach.data,
        )
    except InterestOverlaps as clash:
        error_field.errors = [*error_field.errors, clash.message]
        return False
    flash(
        ngettext(
            "Intresset är anmält. Du får ett mejl när ett pass som passar går att boka.",
            "Intresset är anmält för %(num)s medarbetare. De får var sitt mejl när ett pass som "
            "passar går att boka.",
            len(made),
        ),
        "success",
    )
    return True


def _page(form, interests, for_company: bool):
    """The interest page, with 400 when a sent form was refused."""
    status = 400 if form.is_submitted() else 200
    return render_template(
        "bookings/interest.html",
        form=form,
        interests=interests,
        status_of=_status,
        withdraw_form=FlaskForm(),
        today=today(),
        for_company=for_company,
    ), status


@bp.route("/interest", methods=["GET", "POST"])
@login_required
def mine():
    if not current_user.has_role(Role.EMPLOYEE):
        # The search and Mina bokningar link here for everyone (the search page is shared
        # between readers): a coordinator registers interest for their employees instead.
        if current_user.has_role(Role.COORDINATOR) and request.method == "GET":
            return redirect(url_for("interest.company", **request.args))
        abort(403)
    form = InterestForm()
    place = current_user.place  # the person's own choice on Mitt konto, else their company's
    _prepare(form, place.id if place else None)
    if form.validate_on_submit() and _register(form, [current_user], form.from_date):
        return redirect(url_for("interest.mine"))
    return _page(form, interests_of(person_id=current_user.id), for_company=False)


@bp.route("/company/interest", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def company():
    company = current_user.company
    if company is None:
        raise Forbidden(_("Ditt konto hör inte till något företag."))
    employees = [
        p for p in company_employees(company.id) if p.has_role(Role.EMPLOYEE) and not p.erased_at
    ]
    form = CompanyInterestForm()
    form.employees.choices = [SelectChoice(p.id, p.name) for p in employees]
    _prepare(form, company.municipality_id)
    if form.validate_on_submit():
        chosen = [p for p in employees if p.id in set(form.employees.data)]
        if _register(form, chosen, form.employees):
            return redirect(url_for("interest.company"))
    return _page(form, interests_of(company_id=company.id), for_company=True)


@bp.post("/interest/<int:interest_id>/withdraw")
@login_required
def withdraw(interest_id: int):
    # CSRFProtect has checked the form's token.
    interest = find_interest(interest_id)
    if interest is None:
        raise NotFound(_("Intresseanmälan finns inte."))
    withdraw_interest(interest_id, current_user)
    flash(_("Intresseanmälan är borttagen."), "success")
    if interest.person_id != current_user.id and current_user.has_role(Role.COORDINATOR):
        return redirect(url_for("interest.company"))
    return redirect(url_for("interest.mine"))

"""The coordinator books several employees at once: pick, see sessions, confirm once."""

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts.auth import role_required
from app.accounts.models import Company, Person, Role
from app.accounts.queries import company_employees, find_person
from app.bookings.bulk import NOT_YOURS, book_group, group_offers
from app.bookings.group_forms import NO_TEAM, GroupConfirmForm, GroupPickForm, format_plan
from app.bookings.services import may_book_for
from app.db import utcnow
from app.errors import Forbidden, InvalidInput, NotFound
from app.results.validated import validated_or_booked
from app.schedule.forms import FAMILY_PREFIX
from app.schedule.queries import models_with_families
from app.views.model_choices import model_and_family_choices

bp = Blueprint("group_booking", __name__)


def _company() -> Company:
    if current_user.company is None:
        raise Forbidden(_("Ditt konto hör inte till något företag."))
    return current_user.company


@bp.get("/company/book")
@role_required(Role.COORDINATOR)
def pick():
    """Pick employees and a model; with "Visa tillfällen", the sessions that fit them."""
    company = _company()
    models = models_with_families()
    employees = [p for p in company_employees(company.id) if p.has_role(Role.EMPLOYEE)]
    form = GroupPickForm(request.args if request.args else None)
    form.model.choices = [SelectChoice("", _("Välj validering")), *model_and_family_choices(models)]
    teams = sorted({p.team for p in employees if p.team})
    form.team.choices = [SelectChoice(NO_TEAM, _("Alla"))] + [SelectChoice(t, t) for t in teams]
    form.employees.choices = [SelectChoice(p.id, p.name) for p in employees]
    valid = form.validate() if request.args else False
    model_id, family_id, model_ids = _wanted(form.model.data if valid else None, models)
    picked = set(form.employees.data or ()) if valid else set()

    now = utcnow()
    done = validated_or_booked([p.id for p in employees], model_ids, now)
    listed = [
        p
        for p in employees
        if p.id in picked
        or (
            (not form.team.data or p.team == form.team.data)
            and not (form.lacking.data and p.id in done)
        )
    ]
    group = [p for p in employees if p.id in picked]
    offers = confirm = None
    if valid and "show" in request.args:
        if not model_ids:
            form.model.errors = [_("Välj en validering.")]
        elif not group:
            form.employees.errors = [_("Välj minst en medarbetare.")]
        else:
            offers = group_offers(len(group), now, company.municipality_id, model_id, family_id)
            confirm = GroupConfirmForm.fresh()
    status = 400 if request.args and not (valid and not form.errors) else 200
    return render_template(
        "bookings/group.html",
        company=company,
        form=form,
        teams=teams,
        listed=listed,
        picked=picked,
        done=done,
        group=group,
        offers=offers,
        confirm=confirm,
        format_plan=format_plan,
    ), status


def _wanted(choice, models) -> tuple[int | None, int | None, list[int]]:
    """The model or family chosen: (model id, family id, the ids of its models)."""
    if isinstance(choice, str) and choice.startswith(FAMILY_PREFIX):
        code = choice.removeprefix(FAMILY_PREFIX)
        levels = [m for m in models if m.family is not None and m.family.code == code]
        return None, levels[0].family_id, [m.id for m in levels]
    if choice:
        return choice, None, [choice]
    return None, None, []


@bp.post("/company/book")
@role_required(Role.COORDINATOR)
def confirm():
    """Book the group as planned: one confirmation, each person their own booking."""
    _company()
    form = GroupConfirmForm()
    valid = form.validate()
    # Whom first: someone else's employee is refused as such, whatever else is wrong.
    people = [_person(person_id) for person_id in form.employees.data or ()]
    if not all(may_book_for(current_user, person) for person in people):
        raise Forbidden(NOT_YOURS)
    if not valid:
        raise InvalidInput(" ".join(str(e) for field in form for e in field.errors))
    plan, start = [], 0
    for session_id, count in form.plan.parts:
        plan.append((session_id, people[start : start + count]))
        start += count
    result = book_group(plan, current_user, request_key=form.request_key.data)
    return render_template("bookings/group_result.html", result=result)


def _person(person_id: int) -> Person:
    person = find_person(person_id)
    if person is None or person.erased_at is not None:
        raise NotFound(_("Medarbetaren finns inte."))
    return person

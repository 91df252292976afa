"""/api/v1/interests: an employee's own interest, a coordinator's for their employees.

The same services and rules as the pages (app/views/interest.py); the routes join the
API's blueprint, so they share its token check, rate limit and answers.
"""

from flask import g, request, url_for
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.queries import find_person
from app.api import interest_schemas as schemas
from app.api.bodies import dump, json_body, parse
from app.api.pagination import Order
from app.api.pagination import keyset_page as page_of
from app.api.views import _list, bp, token_required
from app.bookings.interest import may_see, register_interest, withdraw_interest
from app.bookings.models import Interest
from app.bookings.queries import find_interest, interest_listing
from app.bookings.services import may_book_for
from app.errors import DomainError, Forbidden, NotFound

NEWEST_FIRST = Order("interests", (Interest.id,), (True,), lambda i: (i.id,))


class InterestEnded(NotFound):
    code = "interest_ended"


def _interest_json(interest: Interest) -> dict:
    return {
        "id": interest.id,
        "employee_id": interest.person_id,
        "model_id": interest.model_id,
        "model": interest.model.name if interest.model else None,
        "family_id": interest.family_id,
        "family": interest.family.name if interest.family else None,
        "max_minutes": interest.max_minutes,
        "municipality_id": interest.municipality_id,
        "municipality": interest.municipality.name,
        "from_date": interest.from_date,
        "to_date": interest.to_date,
        "created_at": interest.created_at,
        "notified_at": interest.notified_at,
        "notified_session_id": interest.notified_session_id,
        "ended_at": interest.ended_at,
        "end_reason": interest.end_reason,
    }


def _employee(employee_id: int | None):
    """The caller, or an employee the caller may act for (404 for anyone else)."""
    actor = g.api_user
    if employee_id is None or employee_id == actor.id:
        return actor
    employee = find_person(employee_id)
    if employee is None or employee.erased_at is not None or not may_book_for(actor, employee):
        raise NotFound(_("Personen finns inte bland dem du kan boka åt."))
    return employee


def _visible(interest_id: int) -> Interest:
    interest = find_interest(interest_id)
    if interest is None or not may_see(g.api_user, interest):
        raise NotFound(_("Intresseanmälan finns inte."))
    return interest


@bp.get("/interests")
@token_required
def interests():
    query = parse(schemas.InterestQuery, request.args.to_dict())
    actor = g.api_user
    if query.scope == "company":
        if not (actor.has_role(Role.COORDINATOR) and actor.company_id is not None):
            raise Forbidden(_("Bara en samordnare kan läsa sitt företags intresseanmälningar."))
        rows = interest_listing(company_id=actor.company_id)
        if query.employee_id is not None:
            rows = rows.where(Interest.person_id == _employee(query.employee_id).id)
    else:
        rows = interest_listing(person_id=_employee(query.employee_id).id)
    page = page_of(rows, NEWEST_FIRST, query.cursor, query.limit)
    items = [_interest_json(i) for i in page.items]
    return _list(schemas.InterestList, page, items)


@bp.post("/interests")
@token_required
def create_interest():
    body = parse(schemas.InterestRequest, json_body())
    employee = _employee(body.employee_id)
    municipality_id = body.municipality_id
    if municipality_id is None:
        if employee.company is None:
            raise DomainError(_("Ange municipality_id: personen hör inte till något företag."))
        municipality_id = employee.company.municipality_id
    (interest,) = register_interest(
        [employee],
        body.model_id,
        municipality_id,
        body.from_date,
        body.to_date,
        g.api_user,
        family_id=body.family_id,
        max_minutes=body.max_minutes,
    )
    response = dump(schemas.Interest, 201, **_interest_json(interest))
    response.headers["Location"] = url_for("api.get_interest", interest_id=interest.id)
    return response


@bp.get("/interests/<int:interest_id>")
@token_required
def get_interest(interest_id: int):
    interest = _visible(interest_id)
    if interest.ended_at is not None:
        raise InterestEnded(_("Intresseanmälan är avslutad."))
    return dump(schemas.Interest, **_interest_json(interest))


@bp.delete("/interests/<int:interest_id>")
@token_required
def delete_interest(interest_id: int):
    interest = _visible(interest_id)
    if interest.ended_at is not None:
        raise InterestEnded(_("Intresseanmälan är avslutad."))
    withdraw_interest(interest_id, g.api_user)
    return "", 204

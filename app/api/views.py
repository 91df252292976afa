"""The /api/v1 resources: parse JSON, call the same services as the web views, answer JSON."""

import hashlib
from datetime import date
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from pydantic import BaseModel

from app.accounts.models import Role
from app.accounts.queries import find_person
from app.api import schemas
from app.api.bodies import UnprocessableInput, dump, json_body, parse, refuse_a_body_not_json
from app.api.idempotency import idempotent
from app.api.openapi import localized_openapi_document, openapi_document
from app.api.pagination import Order, Page, keyset_page
from app.api.tokens import bearer_token, person_for_token
from app.bookings.models import Booking, BookingStatus
from app.bookings.queries import booking_listing, booking_moved_to, find_booking
from app.bookings.services import (
    book_seat,
    bookability_problem,
    bookability_problems,
    cancel_booking,
    may_book_for,
    move_booking,
    waitlist_position,
    waitlist_positions,
)
from app.bookings.session_search import SessionFilters, get_session, upcoming_sessions
from app.centers.models import TestCenter
from app.centers.queries import center_listing
from app.db import utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import csrf, limiter
from app.problem_types import PROBLEM_TYPES
from app.regions.models import County, Municipality
from app.regions.queries import county_listing, municipality_listing
from app.schedule.models import SessionStatus, ValidationModel, ValidationSession
from app.schedule.queries import family_by_code, model_listing
from app.timeutil import to_local

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Callers prove who they are with a bearer token, never a cookie, so there is no
# cross-site request to forge.
csrf.exempt(bp)


def _rate_key() -> str:
    """One budget per token, keyed by its digest: the limiter's storage (Redis in
    production) must not hold usable tokens in its key names. The token as the API's
    check reads it, so that `bearer`, `BEARER` or a second space is no new budget."""
    token = bearer_token(request.headers.get("Authorization", ""))
    if token is not None:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()
    return request.remote_addr or "-"


# Shared by every endpoint of the API: limiter.limit on a blueprint would give each
# endpoint a budget of its own (its scope is the endpoint).
limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api", key_func=_rate_key)(
    bp
)


@bp.before_request
def refuse_unknown_query_parameters():
    """A misspelt filter should say so, not be ignored; the document lists what is known."""
    if request.url_rule is None:
        return
    path = request.url_rule.rule.removeprefix(bp.url_prefix).replace("<int:", "{").replace(">", "}")
    operation = openapi_document()["paths"].get(path, {}).get(request.method.lower(), {})
    known = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    unknown = sorted(set(request.args) - known)
    repeated = sorted(k for k in request.args if len(request.args.getlist(k)) > 1)
    if unknown or repeated:
        # 422 like every other query parameter the operation cannot use.
        raise UnprocessableInput(
            _("Okända eller upprepade parametrar: %(names)s", names=", ".join(unknown + repeated))
        )


class Unauthorized(DomainError):
    status_code = 401


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token(request.headers.get("Authorization", ""))
        person = person_for_token(token) if token is not None else None
        if person is None:
            raise Unauthorized(_("Ange en giltig API-nyckel: Authorization: Bearer <nyckel>."))
        g.api_user = person
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            # Every write, also one that reads no body (DELETE): what was sent is refused
            # rather than ignored.
            refuse_a_body_not_json()
        return view(*args, **kwargs)

    return wrapped


def _session_json(session: ValidationSession, waitlist_length: int, now, problem=False) -> dict:
    """The session as the API shows it; pass `problem` when it was looked up in bulk."""
    center = session.center
    if problem is False:
        problem = bookability_problem(session, now)
    return {
        "id": session.id,
        "model_id": session.model_id,
        "model": session.model.name,
        "family": session.model.family.code if session.model.family else None,
        "level": session.model.level,
        "center_id": center.id,
        "center": center.name,
        "municipality": center.municipality.name,
        "county": center.municipality.county.name,
        "address": center.address,
        "assessor": session.assessor.name,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "starts_at_local": to_local(session.starts_at).isoformat(),
        "ends_at_local": to_local(session.ends_at).isoformat(),
        "seats": session.seats,
        # A cancelled session offers no seats, whatever its counter says.
        "seats_left": session.seats_left if session.status == SessionStatus.SCHEDULED else 0,
        "waitlist_length": waitlist_length,
        "status": session.status,
        "bookable": problem is None,
        "booking_problem": problem,
        "booking_problem_code": getattr(problem, "code", None),
    }


def _booking_json(booking: Booking, positions: dict[int, int] | None = None) -> dict:
    """The booking as the API shows it; `positions` from `waitlist_positions` saves a query."""
    return {
        "id": booking.id,
        "session_id": booking.session_id,
        "employee_id": booking.employee_id,
        "status": booking.status,
        "waitlist_position": (
            waitlist_position(booking) if positions is None else positions.get(booking.id)
        ),
        "support_needs": booking.support_need_codes,
        "moved_from_id": booking.moved_from_id,
        "created_at": booking.created_at,
        "updated_at": booking.updated_at,
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/docs")
def docs():
    # For people: in the reader's language, chosen the way every page chooses it.
    return render_template("api/docs.html", spec=localized_openapi_document())


def _list(schema: type[BaseModel], page: Page, items: list):
    """A page of a list, its next page also in a Link header (RFC 8288)."""
    response = dump(schema, items=items, has_more=page.has_more, next=page.next)
    if page.next:
        response.headers["Link"] = f'<{page.next}>; rel="next"'
    return response


def _by_name(kind: str, entity) -> Order:
    return Order(kind, (entity.name, entity.id), (False, False), lambda e: (e.name, e.id))


@bp.get("/counties")
@token_required
def counties():
    query = parse(schemas.ListQuery, request.args.to_dict())
    page = keyset_page(county_listing(), _by_name("counties", County), query.cursor, query.limit)
    items = [schemas.County.model_validate(c, from_attributes=True) for c in page.items]
    return _list(schemas.CountyList, page, items)


@bp.get("/municipalities")
@token_required
def municipalities():
    query = parse(schemas.ListQuery, request.args.to_dict())
    order = _by_name("municipalities", Municipality)
    page = keyset_page(municipality_listing(), order, query.cursor, query.limit)
    items = [schemas.Municipality.model_validate(m, from_attributes=True) for m in page.items]
    return _list(schemas.MunicipalityList, page, items)


@bp.get("/validation-models")
@token_required
def models():
    query = parse(schemas.ListQuery, request.args.to_dict())
    order = _by_name("validation-models", ValidationModel)
    page = keyset_page(model_listing(), order, query.cursor, query.limit)
    items = [
        schemas.ValidationModel(
            id=m.id,
            code=m.code,
            name=m.name,
            family=m.family.code if m.family else None,
            level=m.level,
            owner=m.owner,
            theory_minutes=m.theory_minutes,
            practical_minutes=m.practical_minutes,
            max_group_size=m.max_group_size,
            workstation_kind=m.workstation_kind.name,
        )
        for m in page.items
    ]
    return _list(schemas.ValidationModelList, page, items)


@bp.get("/centers")
@token_required
def centers():
    query = parse(schemas.ListQuery, request.args.to_dict())
    page = keyset_page(center_listing(), _by_name("centers", TestCenter), query.cursor, query.limit)
    items = [
        schemas.Center(
            id=c.id,
            name=c.name,
            municipality_id=c.municipality_id,
            municipality=c.municipality.name,
            county=c.municipality.county.name,
            address=c.address,
            latitude=c.coordinates[0],
            longitude=c.coordinates[1],
            contact_email=c.contact_email,
            accredited_from=c.accredited_from,
            accredited_to=c.accredited_to,
        )
        for c in page.items
    ]
    return _list(schemas.CenterList, page, items)


SESSION_ORDER = Order(
    "sessions",
    (ValidationSession.starts_at, ValidationSession.id),
    (False, False),
    lambda row: (row[0].starts_at, row[0].id),
)


@bp.get("/sessions")
@token_required
def sessions():
    query = parse(schemas.SessionQuery, request.args.to_dict())
    family_id = None
    if query.family is not None:
        family = family_by_code(query.family)
        # An unknown family has no sessions, as an unknown model_id has none.
        family_id = family.id if family else 0
    filters = SessionFilters(
        model_id=query.model_id,
        family_id=family_id,
        county_id=query.county_id,
        municipality_id=query.municipality_id,
        # The first and last days of the calendar bound nothing, and a day beyond them
        # has no start to compare with.
        date_from=query.date_from if query.date_from and query.date_from > date.min else None,
        date_to=query.date_to if query.date_to and query.date_to < date.max else None,
        free_only=query.only_free,
    )
    # per_page and page are the names before cursors; limit wins over per_page.
    limit = query.per_page or query.limit
    if "limit" in query.model_fields_set:
        limit = query.limit
    now = utcnow()
    page = keyset_page(
        upcoming_sessions(filters, now),
        SESSION_ORDER,
        query.cursor,
        limit,
        skip_pages=(query.page or 1) - 1,
    )
    problems = bookability_problems([s for s, _w in page.items], now)
    items = [_session_json(s, w, now, problems[s.id]) for s, w in page.items]
    return _list(schemas.SessionPage, page, items)


@bp.get("/sessions/<int:session_id>")
@token_required
def session(session_id: int):
    found, waitlist_length = get_session(session_id)
    return dump(schemas.Session, **_session_json(found, waitlist_length, utcnow()))


def _booking_answer(booking: Booking, status: int = 200):
    """The booking, and where it lives: Location for a new one, else Content-Location."""
    response = dump(schemas.Booking, status, **_booking_json(booking))
    where = url_for("api.get_booking", booking_id=booking.id)
    response.headers["Location" if status == 201 else "Content-Location"] = where
    return response


@bp.post("/sessions/<int:session_id>/bookings")
@token_required
@idempotent
def create_booking(session_id: int):
    body = parse(schemas.BookingRequest, json_body())
    actor = g.api_user
    employee = actor
    if body.employee_id is not None and body.employee_id != actor.id:
        employee = find_person(body.employee_id)
        if employee is None or not may_book_for(actor, employee):
            raise NotFound(_("Personen finns inte bland dem du kan boka åt."))
    # The Idempotency-Key, if any, is kept by @idempotent, not on the booking: a key
    # may be used again once it has expired.
    booking = book_seat(
        session_id,
        employee=employee,
        actor=actor,
        support_needs=body.support_needs,
        support_note=body.support_note,
    )
    return _booking_answer(booking, 201)


# Without updated_since: the newest session first, as a person reads their bookings.
# With it: in the order they changed, so that a sync reads on from where it stopped.
BY_SESSION = Order(
    "bookings",
    (ValidationSession.starts_at, Booking.id),
    (True, True),
    lambda b: (b.session.starts_at, b.id),
)
BY_CHANGE = Order(
    "bookings-changed",
    (Booking.updated_at, Booking.id),
    (False, False),
    lambda b: (b.updated_at, b.id),
)


@bp.get("/bookings")
@token_required
def my_bookings():
    query = parse(schemas.BookingQuery, request.args.to_dict())
    actor = g.api_user
    employee_id = None if query.scope == "company" else actor.id
    if query.employee_id is not None and query.employee_id != actor.id:
        employee = find_person(query.employee_id)
        if employee is None or not may_book_for(actor, employee):
            raise NotFound(_("Personen finns inte bland dem du kan boka åt."))
        employee_id = employee.id
    elif query.employee_id is not None:
        employee_id = actor.id
    company_id = None
    if query.scope == "company":
        if not (actor.has_role(Role.COORDINATOR) and actor.company_id is not None):
            raise Forbidden(_("Bara en samordnare kan läsa sitt företags bokningar."))
        company_id = actor.company_id
    rows = booking_listing(
        employee_id=employee_id, company_id=company_id, updated_since=query.updated_since
    )
    order = BY_SESSION if query.updated_since is None else BY_CHANGE
    page = keyset_page(rows, order, query.cursor, query.limit)
    positions = waitlist_positions(page.items)
    return _list(schemas.BookingList, page, [_booking_json(b, positions) for b in page.items])


def _visible_booking(booking_id: int) -> Booking:
    booking = find_booking(booking_id)
    if booking is None or not (
        may_book_for(g.api_user, booking.employee)
        or g.api_user.is_staff_for_center(booking.session.center_id)
    ):
        raise NotFound(_("Bokningen finns inte."))
    return booking


@bp.get("/bookings/<int:booking_id>")
@token_required
def get_booking(booking_id: int):
    found = _visible_booking(booking_id)
    if found.status == BookingStatus.CANCELLED:
        # Not found, as after any DELETE, but said why: the list still shows it, with
        # status cancelled (a sync learns of cancellations there).
        moved_to = booking_moved_to(found.id)
        if moved_to:
            detail = _("Bokningen har flyttats till bokning %(id)s.", id=moved_to)
        elif found.ended_with_session:  # nobody's own cancellation: the center's
            detail = _("Testcentret har ställt in passet, och bokningen med det.")
        else:
            detail = _("Bokningen är avbokad.")
        raise BookingCancelled(detail)
    return dump(schemas.Booking, **_booking_json(found))


class BookingCancelled(NotFound):
    code = "booking_cancelled"


@bp.delete("/bookings/<int:booking_id>")
@token_required
@idempotent
def delete_booking(booking_id: int):
    _visible_booking(booking_id)
    return _booking_answer(cancel_booking(booking_id, actor=g.api_user))


@bp.post("/bookings/<int:booking_id>/move")
@token_required
@idempotent
def move(booking_id: int):
    body = parse(schemas.MoveRequest, json_body())
    _visible_booking(booking_id)
    return _booking_answer(move_booking(booking_id, body.session_id, actor=g.api_user))


@bp.get("/problems")
def problem_types():
    return render_template("api/problems.html", problems=PROBLEM_TYPES.values())


@bp.get("/problems/<code>")
def problem_type(code: str):
    """What a problem's `type` URL shows: that kind of problem, among the others."""
    if code not in PROBLEM_TYPES:
        abort(404)
    return render_template("api/problems.html", problems=PROBLEM_TYPES.values(), current=code)

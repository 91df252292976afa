"""The /api/v1 resources: parse JSON, call the same services as the web views, answer JSON."""

import hashlib
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Person
from app.api import schemas
from app.api.openapi import localized_openapi_document, openapi_document
from app.api.tokens import person_for_token
from app.bookings.models import Booking
from app.bookings.queries import bookings_of
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
from app.centers.models import TestCenter
from app.db import utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import csrf, db, limiter
from app.regions.models import County, Municipality
from app.schedule.models import ValidationSession
from app.schedule.services import (
    SessionFilters,
    get_session,
    paginate_rows,
    upcoming_sessions,
    validation_models,
)
from app.timeutil import to_local

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
# Callers prove who they are with a bearer token, never a cookie, so there is no
# cross-site request to forge.
csrf.exempt(bp)


def _rate_key() -> str:
    """One budget per token, keyed by its digest: the limiter's storage (Redis in
    production) must not hold usable tokens in its key names."""
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()
    return request.remote_addr or "-"


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


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
        raise InvalidInput(
            _("Okända eller upprepade parametrar: %(names)s", names=", ".join(unknown + repeated))
        )


class Unauthorized(DomainError):
    status_code = 401


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        person = person_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if person is None:
            raise Unauthorized(_("Ange en giltig API-nyckel: Authorization: Bearer <nyckel>."))
        g.api_user = person
        return view(*args, **kwargs)

    return wrapped


def _dump(schema: type[BaseModel], status: int = 200, /, **data):
    response = jsonify(schema(**data).model_dump(mode="json"))
    response.status_code = status
    return response


def _parse(model: type[BaseModel], data):
    try:
        return model.model_validate(data)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise UnprocessableInput(details) from None


class UnprocessableInput(DomainError):
    status_code = 422


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if body is None:
        if request.get_data():
            raise InvalidInput(_("Kroppen måste vara giltig JSON."))
        body = {}
    if not isinstance(body, dict):
        raise UnprocessableInput(_("Kroppen måste vara ett JSON-objekt."))
    return body


def _session_json(session: ValidationSession, waitlist_length: int, now, problem=False) -> dict:
    """The session as the API shows it; pass `problem` when it was looked up in bulk."""
    center = session.center
    if problem is False:
        problem = bookability_problem(session, now)
    return {
        "id": session.id,
        "model_id": session.model_id,
        "model": session.model.name,
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
        "seats_left": session.seats_left,
        "waitlist_length": waitlist_length,
        "status": session.status,
        "bookable": problem is None,
        "booking_problem": problem,
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
        "created_at": booking.created_at,
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/docs")
def docs():
    # For people: in the reader's language, chosen the way every page chooses it.
    return render_template("api/docs.html", spec=localized_openapi_document())


@bp.get("/counties")
@token_required
def counties():
    rows = db.session.scalars(select(County).order_by(County.name))
    return jsonify(
        [schemas.County.model_validate(c, from_attributes=True).model_dump() for c in rows]
    )


@bp.get("/municipalities")
@token_required
def municipalities():
    rows = db.session.scalars(select(Municipality).order_by(Municipality.name))
    return jsonify(
        [schemas.Municipality.model_validate(m, from_attributes=True).model_dump() for m in rows]
    )


@bp.get("/validation-models")
@token_required
def models():
    return jsonify(
        [
            schemas.ValidationModel(
                id=m.id,
                code=m.code,
                name=m.name,
                owner=m.owner,
                theory_minutes=m.theory_minutes,
                practical_minutes=m.practical_minutes,
                max_group_size=m.max_group_size,
                workstation_kind=m.workstation_kind.name,
            ).model_dump()
            for m in validation_models()
        ]
    )


@bp.get("/centers")
@token_required
def centers():
    rows = db.session.scalars(
        select(TestCenter)
        .options(joinedload(TestCenter.municipality).joinedload(Municipality.county))
        .order_by(TestCenter.name)
    )
    return jsonify(
        [
            schemas.Center(
                id=c.id,
                name=c.name,
                municipality_id=c.municipality_id,
                municipality=c.municipality.name,
                county=c.municipality.county.name,
                address=c.address,
                contact_email=c.contact_email,
                accredited_from=c.accredited_from,
                accredited_to=c.accredited_to,
            ).model_dump(mode="json")
            for c in rows
        ]
    )


@bp.get("/sessions")
@token_required
def sessions():
    query = _parse(schemas.SessionQuery, request.args.to_dict())
    filters = SessionFilters(
        model_id=query.model_id,
        county_id=query.county_id,
        municipality_id=query.municipality_id,
        date_from=query.date_from,
        date_to=query.date_to,
        free_only=query.only_free,
    )
    now = utcnow()
    page = paginate_rows(upcoming_sessions(filters, now), query.page, query.per_page)
    problems = bookability_problems([s for s, _w in page.items], now)
    return _dump(
        schemas.SessionPage,
        items=[_session_json(s, w, now, problems[s.id]) for s, w in page.items],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
    )


@bp.get("/sessions/<int:session_id>")
@token_required
def session(session_id: int):
    found, waitlist_length = get_session(session_id)
    return _dump(schemas.Session, **_session_json(found, waitlist_length, utcnow()))


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 64 or not key.isascii() or not key.isprintable():
        raise InvalidInput(_("Idempotency-Key ska vara 1–64 synliga ASCII-tecken."))
    return key


@bp.post("/sessions/<int:session_id>/bookings")
@token_required
def create_booking(session_id: int):
    key = _idempotency_key()
    body = _parse(schemas.BookingRequest, _json_body())
    actor = g.api_user
    employee = actor
    if body.employee_id is not None and body.employee_id != actor.id:
        employee = db.session.get(Person, body.employee_id)
        if employee is None or not may_book_for(actor, employee):
            raise NotFound(_("Personen finns inte bland dem du kan boka åt."))
    booking = book_seat(
        session_id,
        employee=employee,
        actor=actor,
        request_key=key,
        support_needs=body.support_needs,
        support_note=body.support_note,
    )
    return _dump(schemas.Booking, 201, **_booking_json(booking))


@bp.get("/bookings")
@token_required
def my_bookings():
    raw = request.args.get("employee_id")
    if raw is not None and not (raw.isdigit() and 0 < int(raw) < 2**31):
        raise InvalidInput(_("employee_id ska vara ett positivt heltal."))
    employee_id = int(raw) if raw is not None else None
    employee = g.api_user
    if employee_id is not None and employee_id != employee.id:
        employee = db.session.get(Person, employee_id)
        if employee is None or not may_book_for(g.api_user, employee):
            raise NotFound(_("Personen finns inte bland dem du kan boka åt."))
    bookings = bookings_of(employee.id)
    positions = waitlist_positions(bookings)
    items = [_booking_json(b, positions) for b in bookings]
    return _dump(schemas.BookingList, items=items)


def _visible_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not (
        may_book_for(g.api_user, booking.employee)
        or g.api_user.is_staff_for_center(booking.session.center_id)
    ):
        raise NotFound(_("Bokningen finns inte."))
    return booking


@bp.delete("/bookings/<int:booking_id>")
@token_required
def delete_booking(booking_id: int):
    _visible_booking(booking_id)
    booking = cancel_booking(booking_id, actor=g.api_user)
    return _dump(schemas.Booking, **_booking_json(booking))


@bp.post("/bookings/<int:booking_id>/move")
@token_required
def move(booking_id: int):
    body = _parse(schemas.MoveRequest, _json_body())
    _visible_booking(booking_id)
    moved = move_booking(booking_id, body.session_id, actor=g.api_user)
    return _dump(schemas.Booking, **_booking_json(moved))

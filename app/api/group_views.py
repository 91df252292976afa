"""POST /api/v1/bookings/bulk: a coordinator books several employees at once.

The same service as the coordinator's page (app/bookings/bulk.py); the route joins
the API's blueprint, so it shares its token check, rate limit and answers.
"""

from flask import g
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.queries import find_person
from app.api import group_schemas as schemas
from app.api.bodies import dump, json_body, parse
from app.api.idempotency import idempotent
from app.api.views import _booking_json, bp, token_required
from app.bookings.bulk import NOT_YOURS, book_group
from app.errors import Forbidden


@bp.post("/bookings/bulk")
@token_required
@idempotent
def book_several():
    if not g.api_user.has_role(Role.COORDINATOR):
        raise Forbidden(_("Bara en samordnare kan boka flera på en gång."))
    body = parse(schemas.BookingGroupRequest, json_body())
    plan = [(part.session_id, [_person(i) for i in part.employee_ids]) for part in body.parts]
    result = book_group(plan, g.api_user)
    positions = {booking.id: place for booking, place in result.waitlisted}
    return dump(
        schemas.BookingGroupResult,
        seated=[_booking_json(b, positions) for b in result.seated],
        waitlisted=[_booking_json(b, positions) for b, _place in result.waitlisted],
        skipped=[
            {"employee_id": s.person.id, "reason": s.reason, "code": s.code} for s in result.skipped
        ],
    )


def _person(person_id: int):
    """An employee by id; one the caller may not book for is refused like a stranger."""
    person = find_person(person_id)
    if person is None or person.erased_at is not None:
        # The same answer as for someone else's employee: ids are not to be probed.
        raise Forbidden(NOT_YOURS)
    return person

"""HTTP as a client reads it: 405 says what is allowed, every query parameter is read
one way, a new booking says where it lives, and every problem says which one it is."""

import re
from datetime import timedelta

import pytest

from app.api.openapi import openapi_document
from app.bookings.services import book_seat
from app.db import utcnow
from app.problem_types import PROBLEM_TYPES
from app.results.services import set_attendance

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _problem(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code and body["status"] == status and body["title"]
    assert body["type"] == f"http://localhost/api/v1/problems/{code}"
    return body


# 405 -------------------------------------------------------------------------------


def test_every_api_path_answers_a_method_it_does_not_take_with_405_and_allow(app, client):
    with app.app_context():
        paths = openapi_document()["paths"]
    assert paths
    for template, operations in paths.items():
        path = "/api/v1" + re.sub(r"\{[^}]+\}", "1", template)
        allowed = {method.upper() for method in operations}
        for method in sorted(set(METHODS) - allowed):
            response = client.open(path, method=method)
            _problem(response, 405, "method_not_allowed")
            listed = {m.strip() for m in response.headers["Allow"].split(",")}
            # What the document says, and what HTTP adds for any GET (HEAD) and path (OPTIONS).
            assert listed - {"HEAD", "OPTIONS"} == allowed, (method, template, listed)


def test_a_web_page_answers_405_with_allow_too(client):
    response = client.open("/login", method="PUT")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "POST"}


# One reading of query parameters ---------------------------------------------------


def test_every_integer_query_parameter_refuses_a_decimal_with_422_naming_it(app, api, make):
    """The issue: employee_id=396.0 answered 400 where model_id=396.0 was read as 396."""
    with app.app_context():
        call = api(make.person(("coordinator", "employee"), company=make.company()))
        paths = openapi_document()["paths"]
    checked = []
    for template, operations in paths.items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "query" and parameter["schema"].get("type") == "integer":
                response = call("GET", f"{template}?{parameter['name']}=396.0")
                body = _problem(response, 422, "invalid_input")
                assert parameter["name"] in body["detail"]
                checked.append(f"{template} {parameter['name']}")
    assert {"/bookings employee_id", "/sessions model_id", "/counties limit"} <= set(checked)


def test_what_does_not_fit_is_said_in_the_requests_language(app, api, make):
    """The title was translated, pydantic's detail was English whatever was asked for."""
    with app.app_context():
        call = api(make.employee())
        sid = make.session().id
    cases = [
        ("GET", "/sessions?limit=0", {}, "limit: ska vara minst 1", "limit: must be at least 1"),
        (
            "GET",
            "/sessions?model_id=abc",
            {},
            "ett heltal skrivs med siffror",
            "written with digits",
        ),
        (
            "POST",
            f"/sessions/{sid}/bookings",
            {"json": {"seats": 3}},
            "seats: är inget fält här",
            "seats: is not a field here",
        ),
    ]
    for method, path, body, swedish, english in cases:
        for language, said, not_said in (("sv", swedish, english), ("en", english, swedish)):
            answer = call(method, path, headers={"Accept-Language": language}, **body)
            detail = _problem(answer, 422, "invalid_input")["detail"]
            assert said in detail and not_said not in detail, (language, detail)


@pytest.mark.parametrize(
    "query",
    [
        "employee_id=abc",
        "employee_id=0",
        "employee_id=3e2",
        "limit=0",
        "limit=101",
        "scope=everyone",
        "updated_since=yesterday",
        "updated_since=2026-03-01T08:00:00",  # no offset: which time is it?
        "updated_since=2026-03-01T08:00:00 01:00",  # a + that a URL turned into a space
        "unknown=1",
        "limit=1&limit=2",
    ],
)
def test_bad_query_parameters_on_bookings_get_422(app, api, make, query):
    with app.app_context():
        call = api(make.employee())
    _problem(call("GET", f"/bookings?{query}"), 422, "invalid_input")


def test_booleans_are_true_or_false(app, api, make):
    with app.app_context():
        call = api(make.employee())
    assert call("GET", "/sessions?only_free=true").status_code == 200
    assert call("GET", "/sessions?only_free=false").status_code == 200
    _problem(call("GET", "/sessions?only_free=yes"), 422, "invalid_input")


def test_the_ends_of_the_calendar_are_no_errors(app, api, make):
    with app.app_context():
        call = api(make.employee())
    assert call("GET", "/sessions?from=0001-01-01&to=9999-12-31").status_code == 200
    for since in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"):
        assert call("GET", "/bookings", query_string={"updated_since": since}).status_code == 200


# Location, and a booking read on its own ------------------------------------------


def test_a_new_booking_says_where_it_lives_and_can_be_read_there(app, api, make):
    with app.app_context():
        person, stranger = make.employee(), make.employee()
        call, sid = api(person), make.session().id
        stranger_call = api(stranger)
    created = call("POST", f"/sessions/{sid}/bookings")
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location == f"/api/v1/bookings/{created.get_json()['id']}"
    read = call("GET", location.removeprefix("/api/v1"))
    assert read.status_code == 200 and read.get_json() == created.get_json()
    # Someone else's booking does not exist for them: 404, never 403.
    _problem(stranger_call("GET", location.removeprefix("/api/v1")), 404, "not_found")
    _problem(call("GET", "/bookings/999999"), 404, "not_found")


def test_a_cancelled_or_moved_booking_is_gone_and_says_so(app, api, make):
    with app.app_context():
        model = make.model()
        source, target = make.session(model=model), make.session(model=model)
        call, target_id, source_id = api(make.employee()), target.id, source.id
    booking = call("POST", f"/sessions/{source_id}/bookings").get_json()
    moved = call("POST", f"/bookings/{booking['id']}/move", json={"session_id": target_id})
    new_id = moved.get_json()["id"]
    assert moved.headers["Content-Location"] == f"/api/v1/bookings/{new_id}"
    assert moved.get_json()["moved_from_id"] == booking["id"]
    gone = _problem(call("GET", f"/bookings/{booking['id']}"), 404, "booking_cancelled")
    assert str(new_id) in gone["detail"]
    cancelled = call("DELETE", f"/bookings/{new_id}")
    assert cancelled.headers["Content-Location"] == f"/api/v1/bookings/{new_id}"
    _problem(call("GET", f"/bookings/{new_id}"), 404, "booking_cancelled")


# Problem types ---------------------------------------------------------------------


def test_each_refusal_has_its_own_problem_type(app, api, make):
    """The issue: full, deadline passed and already booked were all about:blank."""
    with app.app_context():
        model = make.model()
        person, other = make.employee(), make.employee()
        open_session = make.session(model=model)
        full = make.session(model=model, seats=1)
        book_seat(full.id, other, other)
        soon = make.session(model=model, starts_at=utcnow() + timedelta(hours=30))
        late = book_seat(soon.id, person, person, now=soon.starts_at - timedelta(days=3))
        closing = make.session(model=model, starts_at=utcnow() + timedelta(hours=2))
        call = api(person)
        ids = {"open": open_session.id, "full": full.id, "late": late.id, "closing": closing.id}
    booked = call("POST", f"/sessions/{ids['open']}/bookings").get_json()
    codes = {
        "already_booked": call("POST", f"/sessions/{ids['open']}/bookings"),
        "session_full": call(
            "POST", f"/bookings/{booked['id']}/move", json={"session_id": ids["full"]}
        ),
        "deadline_passed": call("DELETE", f"/bookings/{ids['late']}"),
        "booking_closed": call("POST", f"/sessions/{ids['closing']}/bookings"),
        "not_found": call("POST", "/sessions/999999/bookings"),
        "invalid_input": call("POST", f"/sessions/{ids['open']}/bookings", json={"seats": 2}),
        "unauthorized": call("GET", "/sessions", headers={"Authorization": "Bearer nope"}),
    }
    for code, response in codes.items():
        body = _problem(response, PROBLEM_TYPES[code].status, code)
        assert body["title"] == str(PROBLEM_TYPES[code].title)
    # A session says beforehand what a booking would answer.
    session = call("GET", f"/sessions/{ids['closing']}").get_json()
    assert session["bookable"] is False and session["booking_problem_code"] == "booking_closed"


def test_a_problem_type_is_a_page_that_describes_it(client):
    listing = client.get("/api/v1/problems").get_data(as_text=True)
    for code in PROBLEM_TYPES:
        assert f'id="{code}"' in listing
    page = client.get("/api/v1/problems/session_full")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "session_full" in html and "Passet är fullt" in html
    english = client.get("/api/v1/problems/session_full", headers={"Accept-Language": "en"})
    assert "The session is full" in english.get_data(as_text=True)
    assert client.get("/api/v1/problems/no_such_problem").status_code == 404


def test_the_document_lists_every_problem_code(app):
    with app.app_context():
        spec = openapi_document()
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["properties"]["code"]["enum"] == list(PROBLEM_TYPES)
    assert "code" in problem["required"]


def test_answers_in_the_readers_language_keep_their_code(app, api, make):
    with app.app_context():
        call = api(make.employee())
    swedish = _problem(call("GET", "/bookings/999999"), 404, "not_found")
    english = call("GET", "/bookings/999999", headers={"Accept-Language": "en"})
    body = _problem(english, 404, "not_found")
    assert swedish["title"] == "Finns inte" and body["title"] == "Not found"
    assert body["type"] == swedish["type"]


def test_a_booking_whose_attendance_is_recorded_has_its_own_problem(app, api, make):
    """Not already_cancelled: the person came (or did not), the seat was never given up."""
    with app.app_context():
        model = make.model()
        session = make.session(model=model)
        other = make.session(model=model, starts_in=timedelta(days=20))
        person = make.employee()
        booking = book_seat(session.id, person, person)
        after = session.starts_at + timedelta(hours=1)
        set_attendance(booking.id, "attended", session.assessor, now=after)
        call = api(person)
        booking_id, other_id = booking.id, other.id
    for response in (
        call("DELETE", f"/bookings/{booking_id}"),
        call("POST", f"/bookings/{booking_id}/move", json={"session_id": other_id}),
    ):
        body = _problem(response, 409, "attendance_recorded")
        assert "redan avbokad" not in body["detail"]
    assert call("GET", f"/bookings/{booking_id}").get_json()["status"] == "attended"

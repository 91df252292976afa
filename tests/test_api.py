"""The JSON API: tokens, every endpoint's rules, problem answers and idempotency."""

import json
from datetime import timedelta

from sqlalchemy import func, select

from app.api.models import ApiToken
from app.api.tokens import create_token
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.db import utcnow
from app.extensions import db, limiter
from tests.forms import form_of, page_form


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_requests_without_a_valid_token_get_401(app, client, make):
    for headers in ({}, {"Authorization": "Bearer tcb_wrong"}, {"Authorization": "Basic x"}):
        response = client.get("/api/v1/sessions", headers=headers)
        _problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tokens_are_stored_hashed_and_revoking_kills_them(app, client, auth, make):
    with app.app_context():
        person = make.employee()
        email = person.email
    auth.login(email)
    create = page_form(client, "/account/api-tokens", field="name")
    created = create.fill(name="HR-systemet").submit()
    assert created.status_code == 200  # the answer shows the token, once
    assert "tcb_" not in client.get_cookie("session").value  # and no cookie holds it
    html = created.get_data(as_text=True)
    token = html.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("tcb_") and len(token) > 40
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert token not in (row.token_hash, row.prefix) and row.name == "HR-systemet"
        token_id = row.id
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/counties", headers=headers).status_code == 200
    assert token not in client.get("/account/api-tokens").get_data(as_text=True)  # shown once
    # Reloading the page that showed it sends the same form again: no second token.
    again = create.submit()
    assert again.status_code == 409 and "redan skapad" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 1
    # The refusal's page makes another token when asked: its form has a new key.
    other = form_of(again, client, field="name").fill(name="Lönesystemet").submit()
    assert other.status_code == 200 and 'id="new-token"' in other.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 2
    # Revoked from the page the new token was shown on.
    form_of(created, client, action=f"/account/api-tokens/{token_id}/revoke").submit()
    _problem(client.get("/api/v1/counties", headers=headers), 401)


def test_cli_creates_a_token_for_an_email(app, make):
    with app.app_context():
        email = make.employee().email
    result = app.test_cli_runner().invoke(args=["api-token", "create", email.upper()])
    assert result.exit_code == 0 and result.output.strip().startswith("tcb_")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {result.output.strip()}"}
    assert client.get("/api/v1/bookings", headers=headers).get_json() == {
        "items": [],
        "has_more": False,
        "next": None,
    }
    missing = app.test_cli_runner().invoke(args=["api-token", "create", "no@example.se"])
    assert missing.exit_code != 0


def test_reference_lists(app, api, make):
    with app.app_context():
        call = api(make.employee())
        make.center(name="Kiruna Testcenter", municipality="Kiruna")
    counties = call("GET", "/counties?limit=100").get_json()["items"]
    assert len(counties) == 21 and "Norrbottens län" in {c["name"] for c in counties}
    assert len(call("GET", "/municipalities?limit=100").get_json()["items"]) == 100
    models = call("GET", "/validation-models?limit=100").get_json()["items"]
    assert "Svets SVART" in {m["name"] for m in models}
    centers = call("GET", "/centers").get_json()["items"]
    assert centers[0]["municipality"] == "Kiruna" and centers[0]["county"] == "Norrbottens län"


def test_session_search_filters_and_pages(app, api, make):
    with app.app_context():
        call = api(make.employee())
        umea = make.center(municipality="Umeå")
        for days in (5, 6, 7):
            make.session(center=umea, starts_in=timedelta(days=days))
        full = make.session(seats=1, starts_in=timedelta(days=8))
        taker = make.employee()
        book_seat(full.id, taker, taker)
        umea_id, full_id = umea.municipality_id, full.id
    everything = call("GET", "/sessions?per_page=2").get_json()
    assert everything["has_more"] is True and len(everything["items"]) == 2
    in_umea = call("GET", f"/sessions?municipality_id={umea_id}").get_json()["items"]
    assert len(in_umea) == 3 and all(s["municipality"] == "Umeå" for s in in_umea)
    free = call("GET", "/sessions?only_free=true").get_json()
    assert full_id not in {s["id"] for s in free["items"]}
    one = call("GET", f"/sessions/{full_id}").get_json()
    assert one["seats_left"] == 0 and one["waitlist_length"] == 0 and one["bookable"] is True
    assert one["starts_at_local"].endswith(("+01:00", "+02:00"))
    _problem(call("GET", "/sessions?page=0"), 422)
    # A range that ends before it starts matches nothing.
    assert call("GET", "/sessions?from=2030-02-01&to=2030-01-01").get_json()["items"] == []
    _problem(call("GET", "/sessions?from=yesterday"), 422)
    # Numbers are not dates, though pydantic alone would read them as Unix time.
    _problem(call("GET", "/sessions?to=0"), 422)
    _problem(call("GET", "/sessions?from=1735689600"), 422)
    _problem(call("GET", "/sessions/999999"), 404)


def test_booking_confirms_then_queues_and_refuses_a_second(app, api, make):
    with app.app_context():
        session = make.session(seats=1)
        first, second = make.employee(), make.employee()
        call_first, call_second, sid = api(first), api(second), session.id
    booked = call_first("POST", f"/sessions/{sid}/bookings", json={})
    assert booked.status_code == 201 and booked.get_json()["status"] == "confirmed"
    assert "Retry-After" not in booked.headers
    queued = call_second("POST", f"/sessions/{sid}/bookings")
    assert queued.status_code == 201
    assert (
        queued.get_json()["status"] == "waitlisted" and queued.get_json()["waitlist_position"] == 1
    )
    assert "redan" in _problem(call_first("POST", f"/sessions/{sid}/bookings"), 409)["detail"]
    _problem(call_first("POST", "/sessions/999999/bookings"), 404)
    _problem(call_first("POST", f"/sessions/{sid}/bookings", json={"seats": 3}), 422)
    _problem(call_first("POST", f"/sessions/{sid}/bookings", json=[1]), 422)
    _problem(
        call_first(
            "POST", f"/sessions/{sid}/bookings", data="{oops", content_type="application/json"
        ),
        400,
    )
    # JSON nested deeper than Python's json module recurses, well under the size limit.
    nested = '{"a":' * 5000 + "1" + "}" * 5000
    deep = call_first(
        "POST", f"/sessions/{sid}/bookings", data=nested, content_type="application/json"
    )
    assert "djupt nästlad" in _problem(deep, 400)["detail"]
    # Valid JSON said to be text: the answer names the header, not "not valid JSON".
    text = call_first("POST", f"/sessions/{sid}/bookings", data="{}", content_type="text/plain")
    assert "Content-Type: application/json" in _problem(text, 400)["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 2  # the first two only


def test_a_form_or_multipart_body_is_refused_on_every_write_not_ignored(app, api, make):
    """A form's employee_id used to be ignored, and the token's owner booked instead."""
    with app.app_context():
        company = make.company()
        employee = make.employee(company=company)
        coordinator = make.person(("coordinator",), company=company)
        session = make.session()
        calls = {"employee": api(employee), "coordinator": api(coordinator)}
        mine = book_seat(session.id, employee, employee)
        sid, booking_id, employee_id = session.id, mine.id, employee.id
    writes = [
        ("POST", f"/sessions/{sid}/bookings"),
        ("POST", "/bookings/bulk"),
        ("POST", f"/bookings/{booking_id}/move"),
        ("DELETE", f"/bookings/{booking_id}"),
        ("POST", "/interests"),
        ("POST", "/webhooks"),
    ]
    for who, call in calls.items():
        for method, path in writes:
            for content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                sent = call(
                    method, path, data={"employee_id": str(employee_id)}, content_type=content_type
                )
                detail = _problem(sent, 400)["detail"]
                assert "Content-Type: application/json" in detail, (who, method, path)
    with app.app_context():
        # Nothing booked for anyone, and the booking is neither moved nor cancelled.
        assert db.session.scalars(select(Booking.status)).all() == ["confirmed"]
    # An empty body stays allowed where the endpoint needs none, whatever its type says.
    booked = calls["employee"](
        "DELETE",
        f"/bookings/{booking_id}",
        data="",
        content_type="application/x-www-form-urlencoded",
    )
    assert booked.status_code == 200 and booked.get_json()["status"] == "cancelled"


def test_ids_in_a_body_are_json_integers_only(app, api, make):
    """pydantic's lax mode read "638", " 643 ", "6_4_4" (644) and true (1) as ids."""
    with app.app_context():
        company = make.company()
        employee = make.employee(company=company)
        call = api(make.person(("coordinator",), company=company))
        sid, eid = make.session().id, employee.id
    underscored = "_".join(str(eid))
    spellings = [f'"{eid}"', f'" {eid} "', f'"{underscored}"', f"{eid}.5", "true", "1e400", "NaN"]
    for spelt in spellings:
        sent = call(
            "POST",
            f"/sessions/{sid}/bookings",
            data=f'{{"employee_id": {spelt}}}',
            content_type="application/json",
        )
        detail = _problem(sent, 422)["detail"]
        assert detail == (
            "employee_id: ska vara ett heltal, skrivet som ett JSON-tal utan citattecken, t.ex. 396"
        ), spelt
    moved = call("POST", "/bookings/1/move", json={"session_id": str(sid)})
    assert "session_id: ska vara ett heltal" in _problem(moved, 422)["detail"]
    bulk = call(
        "POST", "/bookings/bulk", json={"parts": [{"session_id": sid, "employee_ids": [str(eid)]}]}
    )
    assert "parts.0.employee_ids.0: ska vara ett heltal" in _problem(bulk, 422)["detail"]
    interest = call(
        "POST",
        "/interests",
        json={
            "employee_id": eid,
            "model_id": True,
            "from_date": "2027-01-01",
            "to_date": "2027-02-01",
        },
    )
    assert "model_id: ska vara ett heltal" in _problem(interest, 422)["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0
    # A JSON integer books the one named; so does one written with .0, an integer to
    # JSON Schema, which the OpenAPI document uses.
    booked = call("POST", f"/sessions/{sid}/bookings", json={"employee_id": float(eid)})
    assert booked.status_code == 201 and booked.get_json()["employee_id"] == eid


def test_every_refusal_of_a_body_or_parameter_is_in_the_readers_words(app, api, make):
    """No pydantic English ("Input should be …"), no English "or" inside Swedish."""
    with app.app_context():
        call, sid = api(make.employee()), make.session().id
    surrogate = call(
        "POST",
        f"/sessions/{sid}/bookings",
        data='{"support_needs": ["\\ud800"], "support_note": "\\udfff"}',
        content_type="application/json",
    )
    assert _problem(surrogate, 422)["detail"] == (
        "support_needs.0: ska vara text av giltiga Unicode-tecken; "
        "support_note: ska vara text av giltiga Unicode-tecken"
    )
    scope = _problem(call("GET", "/bookings?scope=all"), 422)["detail"]
    assert scope == "scope: ska vara ett av: 'mine', 'company'"
    need = call("POST", f"/sessions/{sid}/bookings", json={"support_needs": ["x"]})
    assert " or " not in _problem(need, 422)["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_an_idempotency_key_repeated_gives_the_same_answer_and_one_booking(app, api, make):
    with app.app_context():
        session, other = make.session(seats=3), make.session(seats=3)
        call, sid, other_id = api(make.employee()), session.id, other.id
    headers = {"Idempotency-Key": "hr-system-4711"}
    first = call("POST", f"/sessions/{sid}/bookings", headers=headers)
    again = call("POST", f"/sessions/{sid}/bookings", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 1
    # The same key for another request: refused, and nothing booked (tests/test_api_idempotency.py).
    _problem(call("POST", f"/sessions/{other_id}/bookings", headers=headers), 422)
    _problem(call("POST", f"/sessions/{sid}/bookings", headers={"Idempotency-Key": "x" * 65}), 400)


def test_a_coordinator_books_for_their_own_employees_only(app, api, make):
    with app.app_context():
        company = make.company()
        employee = make.employee(company=company)
        stranger = make.employee()
        coordinator = make.person(("coordinator",), company=company)
        call, sid = api(coordinator), make.session().id
        employee_id, stranger_id = employee.id, stranger.id
        employee_call = api(employee)
    booked = call("POST", f"/sessions/{sid}/bookings", json={"employee_id": employee_id})
    assert booked.status_code == 201 and booked.get_json()["employee_id"] == employee_id
    _problem(call("POST", f"/sessions/{sid}/bookings", json={"employee_id": stranger_id}), 404)
    _problem(
        employee_call("POST", f"/sessions/{sid}/bookings", json={"employee_id": stranger_id}), 404
    )
    listed = call("GET", f"/bookings?employee_id={employee_id}").get_json()["items"]
    assert [b["employee_id"] for b in listed] == [employee_id]
    _problem(call("GET", f"/bookings?employee_id={stranger_id}"), 404)
    _problem(call("GET", "/bookings?employee_id=abc"), 422)


def test_cancel_and_move_through_the_api(app, api, make):
    with app.app_context():
        model = make.model()
        source = make.session(model=model)
        target = make.session(model=model, starts_in=timedelta(days=30))
        full = make.session(model=model, seats=1, starts_in=timedelta(days=31))
        soon = make.session(model=model, starts_at=utcnow() + timedelta(hours=30))
        person, other = make.employee(), make.employee()
        book_seat(full.id, other, other)
        late = book_seat(soon.id, person, person, now=soon.starts_at - timedelta(days=3))
        call, other_call = api(person), api(other)
        ids = {"source": source.id, "target": target.id, "full": full.id, "late": late.id}
    booking = call("POST", f"/sessions/{ids['source']}/bookings").get_json()
    _problem(other_call("DELETE", f"/bookings/{booking['id']}"), 404)
    _problem(call("POST", f"/bookings/{booking['id']}/move", json={"session_id": ids["full"]}), 409)
    _problem(call("POST", f"/bookings/{booking['id']}/move", json={}), 422)
    moved = call("POST", f"/bookings/{booking['id']}/move", json={"session_id": ids["target"]})
    assert moved.status_code == 200
    new = moved.get_json()
    assert new["session_id"] == ids["target"] and new["status"] == "confirmed"
    cancelled = call("DELETE", f"/bookings/{new['id']}")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    _problem(call("DELETE", f"/bookings/{new['id']}"), 409)
    assert "Sista dag" in _problem(call("DELETE", f"/bookings/{ids['late']}"), 409)["detail"]
    statuses = [b["status"] for b in call("GET", "/bookings").get_json()["items"]]
    assert sorted(statuses) == ["cancelled", "cancelled", "confirmed"]


def test_too_many_calls_get_429(app, api, make):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    with app.app_context():
        call = api(make.employee())
    answers = [call("GET", "/counties") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    # Retry-After tells a refused client how long to wait, and only a refused one.
    assert not any("Retry-After" in a.headers for a in answers)
    assert answers[-1].headers["X-RateLimit-Remaining"] == "0"
    refused = call("GET", "/counties")
    _problem(refused, 429)
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_one_budget_per_token_across_the_api_however_the_header_is_spelt(app, client, make):
    app.config["API_RATE_LIMIT"] = "4 per minute"
    with app.app_context():
        _row, token = create_token(make.employee(), "hr")
        _row, other = create_token(make.employee(), "hr")
    spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER {token}", f"Bearer  {token}"]
    paths = ["/counties", "/municipalities", "/sessions", "/bookings"]
    for authorization, path in zip(spellings, paths, strict=True):
        # Each spelling is let in, and each call counts against the same budget.
        answer = client.get(f"/api/v1{path}", headers={"Authorization": authorization})
        assert answer.status_code == 200, authorization
    for authorization in (f"Bearer {token}", f"bearer\t{token}"):
        _problem(client.get("/api/v1/centers", headers={"Authorization": authorization}), 429)
    # A write too, called as the api fixture calls (a bearer token, no HTML form).
    write = client.open(
        "/api/v1/interests", method="POST", headers={"Authorization": f"Bearer {token}"}
    )
    _problem(write, 429)
    # Another token has its own budget.
    assert (
        client.get("/api/v1/centers", headers={"Authorization": f"Bearer {other}"}).status_code
        == 200
    )


def test_the_rate_limit_keeps_no_usable_token_in_its_storage(app, api, make):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    with app.app_context():
        employee = make.employee()
        _row, token = create_token(employee, "hr")
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/counties", headers=headers).status_code == 200
    keys = " ".join(str(k) for k in limiter.storage.storage)  # the memory storage's counters
    assert keys, "the limiter counted nothing"
    assert token not in keys


def test_openapi_document_and_browsable_docs_are_served(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/sessions/{session_id}/bookings" in spec["paths"]
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "POST /api/v1/sessions/{session_id}/bookings" in docs


# The documentation in the reader's language ------------------------------------------

ENGLISH_SUMMARIES = (
    "List counties",
    "Search upcoming sessions",
    "Book a seat (or a waitlist place if the session is full)",
    "Move to another session of the same validation",
)
SWEDISH_SUMMARIES = (
    "Lista län",
    "Sök kommande pass",
    "Boka en plats (eller köplats om passet är fullt)",
    "Flytta till ett annat pass med samma validering",
)


def test_the_docs_are_swedish_by_default_and_english_by_the_language_link(client):
    swedish = client.get("/api/v1/docs").get_data(as_text=True)
    assert '<html lang="sv">' in swedish
    for summary in SWEDISH_SUMMARIES:
        assert summary in swedish
    assert "Läs lediga valideringar och boka" in swedish
    assert "Bara pass med lediga platser" in swedish  # a parameter's description

    switched = client.get("/language/en?next=/api/v1/docs")
    assert switched.status_code == 303 and switched.headers["Location"].endswith("/api/v1/docs")
    english = client.get("/api/v1/docs").get_data(as_text=True)
    assert '<html lang="en">' in english
    for summary in ENGLISH_SUMMARIES:
        assert summary in english
    assert "Test center booking API" in english
    assert "Read available validations" in english
    assert "Only sessions with free seats" in english
    assert "API key missing or invalid" in english  # a response's description
    for summary in SWEDISH_SUMMARIES:
        assert summary not in english

    # And back: the copies per language do not bleed into each other.
    client.get("/language/sv?next=/api/v1/docs")
    assert client.get("/api/v1/docs").get_data(as_text=True) == swedish


def _english_speaker(app, make) -> str:
    """An employee who chose English; their e-mail address."""
    with app.app_context():
        person = make.employee()
        person.locale = "en"
        db.session.commit()
        return person.email


def test_the_docs_follow_a_signed_in_persons_saved_language(app, client, auth, make):
    auth.login(_english_speaker(app, make))
    # The browser asks for Swedish; the person's own choice wins, as on every page.
    docs = client.get("/api/v1/docs", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert '<html lang="en">' in docs
    assert "List municipalities" in docs and "Cancel booking" in docs
    assert "Lista kommuner" not in docs


def test_the_openapi_document_is_the_same_in_every_language(app, client, auth, make):
    """Machines read one stable document, in the default language, whoever asks."""
    default = client.get("/api/v1/openapi.json")
    assert default.status_code == 200 and default.mimetype == "application/json"
    spec = json.loads(default.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert {
        "/bookings",
        "/bookings/{booking_id}",
        "/bookings/{booking_id}/move",
        "/centers",
        "/counties",
        "/municipalities",
        "/sessions",
        "/sessions/{session_id}",
        "/sessions/{session_id}/bookings",
        "/validation-models",
    } <= set(spec["paths"])
    assert spec["paths"]["/sessions"]["get"]["summary"] == "Sök kommande pass"
    assert spec["info"]["title"] == "Testcenterbokning API"

    answers = [client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"})]
    client.get("/language/en")
    client.get("/api/v1/docs")  # the English copy is built first, then the document asked for
    answers.append(client.get("/api/v1/openapi.json"))
    auth.login(_english_speaker(app, make))
    answers.append(client.get("/api/v1/openapi.json"))
    for answer in answers:
        assert answer.status_code == 200
        assert answer.get_data() == default.get_data()

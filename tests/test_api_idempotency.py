"""Idempotency-Key on the API's writes: a retry gets the first answer, marked as a
replay; the key with another request is refused; the same key sent many times at
once books once. (draft-ietf-httpapi-idempotency-key-header)"""

import threading
from datetime import timedelta

import requests
from sqlalchemy import func, select, update

from app.api.models import IdempotencyRecord
from app.api.tokens import create_token
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.db import utcnow
from app.extensions import db
from tests.live import serving


def _problem(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == code
    return response.get_json()


def _bookings(app) -> list[Booking]:
    with app.app_context():
        return list(db.session.scalars(select(Booking).order_by(Booking.id)))


def test_a_retry_gets_the_first_answer_marked_as_a_replay(app, api, make):
    with app.app_context():
        call, sid = api(make.employee()), make.session(seats=3).id
    body = {"support_needs": ["extra_time"], "support_note": "Dyslexi"}
    first = call("POST", f"/sessions/{sid}/bookings", key="order-1", json=body)
    # The same request, its JSON written otherwise: the same request all the same.
    again = call(
        "POST",
        f"/sessions/{sid}/bookings",
        key="order-1",
        data='{ "support_note": "Dyslexi",\n  "support_needs": ["extra_time"] }',
        content_type="application/json",
    )
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(_bookings(app)) == 1


def test_the_key_with_another_body_is_refused_and_changes_nothing(app, api, make):
    """The issue: the second body's support needs were silently dropped under a 201."""
    with app.app_context():
        call, sid = api(make.employee()), make.session(seats=3).id
    first = call("POST", f"/sessions/{sid}/bookings", key="order-2", json={})
    assert first.status_code == 201
    other = call(
        "POST",
        f"/sessions/{sid}/bookings",
        key="order-2",
        json={"support_needs": ["interpreter"]},
    )
    problem = _problem(other, 422, "idempotency_key_mismatch")
    assert "order-2" in problem["detail"]
    assert problem["type"].endswith("/api/v1/problems/idempotency_key_mismatch")
    (booking,) = _bookings(app)
    assert booking.support_needs == ""
    # Another path is another request too.
    with app.app_context():
        elsewhere = make.session(seats=3).id
    _problem(
        call("POST", f"/sessions/{elsewhere}/bookings", key="order-2"),
        422,
        "idempotency_key_mismatch",
    )
    assert len(_bookings(app)) == 1


def test_keys_are_each_persons_own(app, api, make):
    with app.app_context():
        one, two = api(make.employee()), api(make.employee())
        sid = make.session(seats=3).id
    assert one("POST", f"/sessions/{sid}/bookings", key="k").status_code == 201
    second = two("POST", f"/sessions/{sid}/bookings", key="k")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert len(_bookings(app)) == 2


def test_cancel_and_move_take_keys_too(app, api, make):
    with app.app_context():
        model = make.model()
        source, target = make.session(model=model), make.session(model=model, seats=2)
        call, target_id = api(make.employee()), target.id
        source_id = source.id
    booking = call("POST", f"/sessions/{source_id}/bookings").get_json()

    moved = call(
        "POST", f"/bookings/{booking['id']}/move", key="move-1", json={"session_id": target_id}
    )
    again = call(
        "POST", f"/bookings/{booking['id']}/move", key="move-1", json={"session_id": target_id}
    )
    assert moved.status_code == again.status_code == 200
    assert again.get_json() == moved.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Content-Location"] == f"/api/v1/bookings/{moved.get_json()['id']}"

    new_id = moved.get_json()["id"]
    cancelled = call("DELETE", f"/bookings/{new_id}", key="cancel-1")
    retried = call("DELETE", f"/bookings/{new_id}", key="cancel-1")
    # Without the key a second DELETE is refused (already cancelled); with it, the
    # client that lost the first answer gets it.
    assert cancelled.status_code == retried.status_code == 200
    assert (
        retried.get_json()["status"] == "cancelled"
        and retried.headers["Idempotent-Replayed"] == "true"
    )
    _problem(call("DELETE", f"/bookings/{new_id}"), 409, "already_cancelled")
    statuses = sorted(b.status for b in _bookings(app))
    assert statuses == ["cancelled", "cancelled"]


def test_a_refused_request_keeps_no_answer_so_its_retry_is_tried_again(app, api, make):
    with app.app_context():
        person = make.employee()
        session = make.session(seats=3)
        earlier = book_seat(session.id, person, person)
        call, sid, earlier_id = api(person), session.id, earlier.id
    _problem(call("POST", f"/sessions/{sid}/bookings", key="again"), 409, "already_booked")
    call("DELETE", f"/bookings/{earlier_id}")
    retried = call("POST", f"/sessions/{sid}/bookings", key="again")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers


def test_a_key_still_in_use_gets_409_until_its_request_is_taken_to_have_died(app, api, make):
    with app.app_context():
        person = make.employee()
        call, sid = api(person), make.session(seats=3).id
        # A first request that holds the key and has not answered yet.
        now = utcnow()
        db.session.add(
            IdempotencyRecord(
                person_id=person.id,
                key="busy",
                fingerprint=_fingerprint_of(app, f"/api/v1/sessions/{sid}/bookings"),
                state="in_flight",
                claim="x" * 32,
                claimed_at=now,
                expires_at=now + timedelta(hours=24),
            )
        )
        db.session.commit()
    busy = call("POST", f"/sessions/{sid}/bookings", key="busy")
    _problem(busy, 409, "idempotency_key_in_use")
    # The view's own second, not stretched to the rate limit's window by the limiter.
    assert busy.headers["Retry-After"] == "1"
    assert _bookings(app) == []
    with app.app_context():
        db.session.execute(
            update(IdempotencyRecord).values(claimed_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
    assert call("POST", f"/sessions/{sid}/bookings", key="busy").status_code == 201


def _fingerprint_of(app, path: str, body: bytes = b"") -> str:
    from app.api.idempotency import fingerprint

    with app.test_request_context(path, method="POST", data=body):
        return fingerprint()


def test_keys_expire_after_24_hours_and_may_be_used_again(app, api, make):
    with app.app_context():
        call = api(make.employee())
        first = make.session(seats=3).id
        second = make.session(seats=3, starts_in=timedelta(days=15)).id  # another day
    assert call("POST", f"/sessions/{first}/bookings", key="daily").status_code == 201
    with app.app_context():
        (record,) = db.session.scalars(select(IdempotencyRecord))
        assert record.expires_at - record.claimed_at == timedelta(hours=24)
        db.session.execute(update(IdempotencyRecord).values(expires_at=utcnow()))
        db.session.commit()
    reused = call("POST", f"/sessions/{second}/bookings", key="daily")
    assert reused.status_code == 201 and reused.get_json()["session_id"] == second
    with app.app_context():
        assert db.session.scalar(select(func.count(IdempotencyRecord.id))) == 1


def test_a_malformed_key_is_refused(app, api, make):
    with app.app_context():
        call, sid = api(make.employee()), make.session().id
    for key in ("x" * 65, "två", "a b"):
        _problem(call("POST", f"/sessions/{sid}/bookings", key=key), 400, "bad_request")
    assert _bookings(app) == []


def test_the_same_key_sent_ten_times_at_once_books_once(app, make):
    with app.app_context():
        person = make.employee()
        sid = make.session(seats=5).id
        _row, token = create_token(person, "hr")
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "burst-1"}
    start = threading.Barrier(10)
    answers = []

    with serving(app) as base:

        def send():
            start.wait()
            answers.append(
                requests.request(
                    "POST", f"{base}/api/v1/sessions/{sid}/bookings", headers=headers, timeout=60
                )
            )

        threads = [threading.Thread(target=send) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        late = requests.request(
            "POST", f"{base}/api/v1/sessions/{sid}/bookings", headers=headers, timeout=60
        )

    assert len(_bookings(app)) == 1
    fresh = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    assert len(fresh) == 1
    for answer in answers:
        assert answer.status_code == 201 or answer.json()["code"] == "idempotency_key_in_use"
        if answer.status_code == 201:
            assert answer.json() == fresh[0].json()
    assert late.status_code == 201 and late.headers["Idempotent-Replayed"] == "true"
    assert late.json() == fresh[0].json()

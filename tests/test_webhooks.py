"""Webhooks reach a real HTTP receiver: every event once, signed, and only what the
subscriber may see; failed deliveries come again with the same id, two workers never
send one twice, a rolled-back booking sends nothing, and no URL points inside."""

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.accounts.models import Company, Person, RoleGrant
from app.api import webhook_schemas
from app.api.tokens import create_token
from app.bookings.services import book_seat, cancel_booking, move_booking
from app.bookings.session_changes import cancel_session, move_session
from app.centers.services import holiday_name
from app.db import unit_of_work, utcnow
from app.errors import InvalidInput
from app.extensions import db
from app.results.services import AreaVerdict, check_in, model_areas, record_outcomes
from app.schedule.models import ValidationSession
from app.timeutil import local_date, local_to_utc
from app.webhooks import services
from app.webhooks.delivery import WebhookSettingsError, deliver_due
from app.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookSubscription
from app.webhooks.urls import check_url
from tests.forms import form_of, page_form

NEW_SECRET = re.compile(r'<code class="token" id="new-secret">(whsec_[^<]+)</code>')


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every request, and answers each path with
    the statuses it is told to (then 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: dict[str, list[int]] = {}
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.received.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    queued = receiver.answers.get(self.path)
                    status = queued.pop(0) if queued else 200
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def at(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.received if r["path"] == path]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _verified(request: dict, secret: str) -> dict:
    """The event, after checking its signature the way a receiver would (Standard
    Webhooks' own library)."""
    return Webhook(secret).verify(request["body"], request["headers"])


def _events(requests: list[dict], secret: str) -> list[tuple[str, int]]:
    return [
        (event["type"], event["data"].get("booking_id"))
        for event in (_verified(r, secret) for r in requests)
    ]


def _api(client, method: str, path: str, token: str, body=None):
    return client.open(
        f"/api/v1{path}", method=method, json=body, headers={"Authorization": f"Bearer {token}"}
    )


def _register_on_page(client, url: str, events=EVENT_TYPES) -> str:
    """Register a webhook with the page's form; return the secret the page shows once."""
    form = page_form(client, "/account/webhooks", button="Registrera webhook")
    response = form.fill(url=url, events=list(events)).submit()
    assert response.status_code == 200, response.get_data(as_text=True)
    (secret,) = NEW_SECRET.findall(response.get_data(as_text=True))
    return secret


def test_each_subscriber_gets_every_event_once_signed_and_nothing_outside_its_company(
    app, client, auth, make, receiver
):
    with app.app_context():
        company_a, company_b = make.company(), make.company()
        coordinator_a = make.person(("coordinator",), company=company_a)
        coordinator_b = make.person(("coordinator",), company=company_b)
        admin = make.person(("project_admin",))
        web_booker = make.employee(company=company_a, name="Anna Andersson")
        first, queued = make.employee(company=company_a), make.employee(company=company_a)
        mover = make.employee(company=company_a)
        outsider = make.employee(company=company_b, name="Bertil Bolagsson")
        model = make.model()
        center = make.center()
        assessor = make.assessor(model)
        roomy = make.session(seats=5, model=model, center=center, assessor=assessor)
        later = make.session(
            seats=5, model=model, center=center, assessor=assessor, starts_in=timedelta(days=20)
        )
        single = make.session(
            seats=1, model=model, center=center, assessor=assessor, starts_in=timedelta(days=25)
        )
        doomed = make.session(
            seats=3, model=model, center=center, assessor=assessor, starts_in=timedelta(days=30)
        )
        admin_token = create_token(admin, "HR")[1]
        b_token = create_token(coordinator_b, "HR")[1]
        outsider_token = create_token(outsider, "app")[1]
        ids = {
            "roomy": roomy.id,
            "later": later.id,
            "single": single.id,
            "doomed": doomed.id,
            "web_booker": web_booker.email,
            "coordinator_a": coordinator_a.email,
            "a": company_a.id,
            "b": company_b.id,
            "model_code": model.code,
            "model": model.id,
        }
        people = {
            name: person.id
            for name, person in dict(
                first=first, queued=queued, mover=mover, outsider=outsider, admin=admin
            ).items()
        }
        people["assessor"] = assessor.id

        # A booking whose unit of work fails after it was made leaves nothing to send.
        with pytest.raises(RuntimeError), unit_of_work():
            book_seat(roomy.id, first, first)
            raise RuntimeError("the rest of the change failed")

    # The coordinator registers on the page; the admin and company B's coordinator by API.
    auth.login(ids["coordinator_a"])
    secret_a = _register_on_page(client, receiver.url("/a"))
    assert not NEW_SECRET.search(client.get("/account/webhooks").get_data(as_text=True))
    auth.logout()
    secrets = {"/a": secret_a}
    for path, token in (("/admin", admin_token), ("/b", b_token)):
        created = _api(
            client, "POST", "/webhooks", token, {"url": receiver.url(path), "events": EVENT_TYPES}
        )
        assert created.status_code == 201, created.get_json()
        assert created.headers["Location"] == f"/api/v1/webhooks/{created.get_json()['id']}"
        secrets[path] = created.get_json()["secret"]
    assert created.get_json()["company_id"] == ids["b"]

    # Bookings on the web and through the API, a cancellation that promotes the queue,
    # a move, a result, and a session cancelled with a booking in it.
    auth.login(ids["web_booker"])
    booked = page_form(client, f"/sessions/{ids['roomy']}", action=f"/sessions/{ids['roomy']}/book")
    assert booked.submit().status_code == 302
    auth.logout()
    api_booking = _api(client, "POST", f"/sessions/{ids['later']}/bookings", outsider_token)
    assert api_booking.status_code == 201
    with app.app_context():
        first, queued, mover, outsider, admin, assessor = (
            db.session.get(Person, person_id) for person_id in people.values()
        )
        seat = book_seat(ids["single"], first, first)
        waiting = book_seat(ids["single"], queued, queued)
        assert waiting.status == "waitlisted"
        cancel_booking(seat.id, first)  # the queue's first gets the seat
        moving = book_seat(ids["roomy"], mover, mover)
        moved = move_booking(moving.id, ids["later"], mover)
        in_doomed = book_seat(ids["doomed"], outsider, outsider)
        cancel_session(ids["doomed"], admin, reason="Sjukdom")
        web_booking = db.session.scalar(
            select(WebhookDelivery.payload).where(WebhookDelivery.event_type == "booking.created")
        )
        web_booking_id = json.loads(web_booking)["data"]["booking_id"]
        session = db.session.get(ValidationSession, ids["roomy"])
        check_in(web_booking_id, assessor, now=session.starts_at)
        verdicts = [AreaVerdict(a.id, "approved") for a in model_areas(ids["model"])]
        verdicts[0] = AreaVerdict(verdicts[0].area_id, "not_yet", "Läs på om ritningar")
        record_outcomes(web_booking_id, verdicts, "", assessor, now=session.starts_at)
        ids.update(seat=seat.id, waiting=waiting.id, moving=moving.id, moved=moved.id)
        ids.update(in_doomed=in_doomed.id, api=api_booking.get_json()["id"], web=web_booking_id)

    result = app.test_cli_runner().invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0, result.output
    assert "0 to retry, 0 failed" in result.output

    company_a_events = [
        ("booking.created", ids["web"]),
        ("booking.created", ids["seat"]),
        ("booking.created", ids["waiting"]),
        ("booking.promoted", ids["waiting"]),
        ("booking.cancelled", ids["seat"]),
        ("booking.created", ids["moving"]),
        ("booking.moved", ids["moved"]),
        ("result.recorded", ids["web"]),
    ]
    company_b_events = [
        ("booking.created", ids["api"]),
        ("booking.created", ids["in_doomed"]),
        ("booking.cancelled", ids["in_doomed"]),
    ]
    expected = {
        "/a": company_a_events,
        "/b": company_b_events,
        "/admin": company_a_events + company_b_events,
    }
    for path, events in expected.items():
        requests = receiver.at(path)
        assert Counter(_events(requests, secrets[path])) == Counter(events), path
        ids_seen = [r["headers"]["webhook-id"] for r in requests]
        assert len(set(ids_seen)) == len(ids_seen) == len(events)
        with pytest.raises(WebhookVerificationError):  # another subscriber's secret fails
            _verified(requests[0], secrets["/b" if path != "/b" else "/a"])

    # Nothing of company B reaches company A's coordinator, and the other way round.
    a_bodies = b"".join(r["body"] for r in receiver.at("/a")).decode()
    assert "Bertil" not in a_bodies
    assert all(_verified(r, secret_a)["data"]["company_id"] == ids["a"] for r in receiver.at("/a"))
    assert "Anna" not in b"".join(r["body"] for r in receiver.at("/b")).decode()

    # What a coordinator sees: who, where and when; the result per area, not the free text.
    events_a = {
        (e["type"], e["data"]["booking_id"]): e
        for e in map(lambda r: _verified(r, secret_a), receiver.at("/a"))
    }
    created = events_a[("booking.created", ids["web"])]["data"]
    assert created["employee"]["name"] == "Anna Andersson"
    assert created["employee"]["email"] == ids["web_booker"]
    assert created["session_id"] == ids["roomy"] and created["status"] == "confirmed"
    assert created["starts_at"].endswith("Z") and created["model"]["code"] == ids["model_code"]
    result_event = events_a[("result.recorded", ids["web"])]["data"]
    assert result_event["overall"] == "not_yet"
    assert [a["result"] for a in result_event["areas"]][:2] == ["not_yet", "approved"]
    assert "Läs på" not in a_bodies
    moved_event = events_a[("booking.moved", ids["moved"])]["data"]
    assert moved_event["previous_booking_id"] == ids["moving"]
    events_b = [_verified(r, secrets["/b"]) for r in receiver.at("/b")]
    cancelled = [e["data"] for e in events_b if e["type"] == "booking.cancelled"]
    assert [(c["booking_id"], c["reason"]) for c in cancelled] == [
        (ids["in_doomed"], "session_cancelled")
    ]

    # Once: another round sends nothing more.
    before = len(receiver.received)
    assert app.test_cli_runner().invoke(args=["deliver-webhooks"]).exit_code == 0
    assert len(receiver.received) == before


@dataclass
class Subscribed:
    id: int
    secret: str
    coordinator: str  # e-mail
    coordinator_id: int
    company_id: int

    def employee(self, make):
        """A new employee of the subscriber's company (call in an app context)."""
        return make.employee(company=db.session.get(Company, self.company_id))


def _subscribe(app, make, url: str, events=EVENT_TYPES) -> Subscribed:
    """A coordinator of a new company, with a webhook to `url`."""
    with app.app_context():
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        subscription, secret = services.create_subscription(coordinator, url, events)
        return Subscribed(subscription.id, secret, coordinator.email, coordinator.id, company.id)


def test_a_receiver_that_fails_gets_the_event_again_with_the_same_id_after_back_off(
    app, client, auth, make, receiver
):
    hook = _subscribe(app, make, receiver.url("/hr"))
    receiver.answers["/hr"] = [500]
    with app.app_context():
        employee = hook.employee(make)
        book_seat(make.session().id, employee, employee)
        start = utcnow()
        first = deliver_due(now=start)
        assert (first.delivered, len(first.retry)) == ([], 1)
        assert deliver_due(now=start + timedelta(seconds=30)).retry == []  # not due yet
        second = deliver_due(now=start + timedelta(minutes=1, seconds=1))
        assert len(second.delivered) == 1
        delivery = db.session.scalar(select(WebhookDelivery))
        assert (delivery.attempts, delivery.last_status) == (2, 200)
        msg_id = delivery.msg_id
    requests = receiver.at("/hr")
    assert [r["headers"]["webhook-id"] for r in requests] == [msg_id] * 2
    assert [_verified(r, hook.secret)["type"] for r in requests] == ["booking.created"] * 2

    auth.login(hook.coordinator)
    page = client.get(f"/account/webhooks/{hook.id}").get_data(as_text=True)
    assert "Levererad" in page and msg_id in page


def test_a_delivery_that_keeps_failing_is_marked_failed_after_three_days(
    app, client, auth, make, receiver
):
    hook = _subscribe(app, make, receiver.url("/hr"))
    receiver.answers["/hr"] = [503] * 10
    with app.app_context():
        employee = hook.employee(make)
        book_seat(make.session().id, employee, employee)
        assert len(deliver_due().retry) == 1
        assert len(deliver_due(now=utcnow() + timedelta(hours=72)).failed) == 1
        assert deliver_due(now=utcnow() + timedelta(hours=80)).retry == []
    assert len(receiver.at("/hr")) == 2
    auth.login(hook.coordinator)
    page = client.get(f"/account/webhooks/{hook.id}").get_data(as_text=True)
    assert "Misslyckades" in page and "503" in page


def test_410_gone_turns_the_subscription_off(app, client, auth, make, receiver):
    hook = _subscribe(app, make, receiver.url("/hr"))
    receiver.answers["/hr"] = [410]
    with app.app_context():
        employee = hook.employee(make)
        booking = book_seat(make.session().id, employee, employee)
        assert len(deliver_due().failed) == 1
        cancel_booking(booking.id, employee)
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 1  # nothing new
    auth.login(hook.coordinator)
    page = client.get("/account/webhooks").get_data(as_text=True)
    assert "410 Gone" in page


def test_two_workers_racing_deliver_each_event_once(app, make, receiver):
    hook = _subscribe(app, make, receiver.url("/hr"))
    with app.app_context():
        session = make.session(seats=12)
        for _ in range(12):
            employee = hook.employee(make)
            book_seat(session.id, employee, employee)
    receiver.delay = 0.02
    errors = []

    def worker():
        try:
            with app.app_context():
                deliver_due()
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids_seen = [r["headers"]["webhook-id"] for r in receiver.at("/hr")]
    assert len(ids_seen) == len(set(ids_seen)) == 12
    assert all(_verified(r, hook.secret) for r in receiver.at("/hr"))
    with app.app_context():
        delivered = select(func.count(WebhookDelivery.id)).where(
            WebhookDelivery.delivered_at.is_not(None)
        )
        assert db.session.scalar(delivered) == 12


def _open_weekday(days_ahead: int) -> date:
    """A day at least that far ahead on which the factory's centers are open."""
    day = utcnow().date() + timedelta(days=days_ahead)
    while day.weekday() > 4 or holiday_name(day):
        day += timedelta(days=1)
    return day


def _z(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_session_the_center_moves_tells_each_seat_and_queue_place(app, make, receiver):
    """The tester's case: a session the test center moved sent nothing, so an HR system
    kept the old time. Each seat and queue place of the company's is told, with the new
    time and the one it had; another testledare alone is not in the event, and says
    nothing."""
    hook = _subscribe(app, make, receiver.url("/hr"))
    with app.app_context():
        day = _open_weekday(14)
        center, model = make.center(computers=1), make.model()  # one seat: the queue stays
        admin = make.person(("center_admin",), center=center)
        session = make.session(seats=1, local_day=day, center=center, model=model)
        seat, place = (
            book_seat(session.id, person, person)
            for person in (hook.employee(make), hook.employee(make))
        )
        outsider = make.employee()  # another company's: not told to this webhook
        book_seat(session.id, outsider, outsider)
        deliver_due()  # the bookings' own events
        before = len(receiver.at("/hr"))
        move_session(session.id, day, time(8), admin, make.assessor(model).id)
        assert (
            db.session.scalar(
                select(func.count(WebhookDelivery.id)).where(
                    WebhookDelivery.event_type == "booking.rescheduled"
                )
            )
            == 0
        )
        move_session(session.id, day, time(10), admin)
        assert len(deliver_due().delivered) == 2
        ids = {seat.id: "confirmed", place.id: "waitlisted"}
        session_id = session.id
    sent = [_verified(r, hook.secret) for r in receiver.at("/hr")[before:]]
    assert {e["data"]["booking_id"]: e["data"]["status"] for e in sent} == ids
    for event in sent:
        assert event["type"] == "booking.rescheduled"
        data = event["data"]
        assert data["session_id"] == session_id
        assert data["starts_at"] == _z(local_to_utc(day, time(10)))
        assert data["previous_starts_at"] == _z(local_to_utc(day, time(8)))
        assert data["ends_at"] > data["starts_at"] and data["previous_ends_at"] < data["ends_at"]
        webhook_schemas.BookingEvent.model_validate(event)


def test_nothing_is_queued_without_subscribers_nor_for_events_not_chosen(app, make, receiver):
    with app.app_context():
        employee = make.employee()
        book_seat(make.session().id, employee, employee)
        assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0
    hook = _subscribe(app, make, receiver.url("/hr"), events=["booking.cancelled"])
    with app.app_context():
        employee = hook.employee(make)
        booking = book_seat(make.session().id, employee, employee)
        cancel_booking(booking.id, employee)
        queued = db.session.scalars(select(WebhookDelivery.event_type)).all()
        assert queued == ["booking.cancelled"]


def test_the_test_event_and_revoking_from_the_page(app, client, auth, make, receiver):
    hook = _subscribe(app, make, receiver.url("/hr"))
    auth.login(hook.coordinator)
    detail = f"/account/webhooks/{hook.id}"
    sent = page_form(client, detail, button="Skicka testhändelse").submit()
    assert sent.status_code == 302
    with app.app_context():
        assert len(deliver_due().delivered) == 1
    (request,) = receiver.at("/hr")
    event = _verified(request, hook.secret)
    assert (event["type"], event["data"]) == ("webhook.test", {"subscription_id": hook.id})
    revoked = page_form(client, detail, button="Spärra webhooken").submit()
    assert revoked.status_code == 302
    assert "är spärrad" in client.get(revoked.location).get_data(as_text=True)
    with app.app_context():
        employee = hook.employee(make)
        book_seat(make.session().id, employee, employee)
        assert deliver_due().delivered == []
    assert len(receiver.at("/hr")) == 1


def test_a_coordinator_who_lost_the_role_gets_nothing_more(app, make, receiver):
    hook = _subscribe(app, make, receiver.url("/hr"))
    with app.app_context():
        employee = hook.employee(make)
        book_seat(make.session().id, employee, employee)
        db.session.execute(
            RoleGrant.__table__.delete().where(RoleGrant.person_id == hook.coordinator_id)
        )
        db.session.commit()
        assert len(deliver_due().failed) == 1
        assert not db.session.get(WebhookSubscription, hook.id).active
    assert receiver.received == []


def test_names_are_read_when_sent_and_only_while_the_subscriber_may_see_them(app, make, receiver):
    hook = _subscribe(app, make, receiver.url("/hr"))
    with app.app_context():
        erased, moved_away = hook.employee(make), hook.employee(make)
        session_id = make.session().id
        for employee in (erased, moved_away):
            book_seat(session_id, employee, employee)
        # After the booking, before the delivery: one is erased, one changes employer.
        erased.name, erased.email, erased.erased_at = "Borttagen person", "x@invalid", utcnow()
        moved_away.company = make.company()
        db.session.commit()
        expected = [{"id": erased.id}, {"id": moved_away.id}]
        stored = " ".join(db.session.scalars(select(WebhookDelivery.payload)))
        assert len(deliver_due().delivered) == 2
    assert "@" not in stored  # the outbox holds no names or addresses
    employees = [_verified(r, hook.secret)["data"]["employee"] for r in receiver.at("/hr")]
    assert sorted(employees, key=lambda e: e["id"]) == expected


def test_the_worker_refuses_a_claim_shorter_than_a_request_can_take(app):
    app.config.update(WEBHOOK_TIMEOUT=60, WEBHOOK_CLAIM_SECONDS=120)
    with app.app_context(), pytest.raises(WebhookSettingsError, match="at least 4 times"):
        deliver_due()


def test_only_coordinators_and_project_admins_have_webhooks(app, client, auth, make):
    with app.app_context():
        employee = make.employee()
        token = create_token(employee, "x")[1]
        email = employee.email
    auth.login(email)
    assert client.get("/account/webhooks").status_code == 403
    answer = _api(
        client,
        "POST",
        "/webhooks",
        token,
        {"url": "https://hr.example.se/h", "events": ["booking.created"]},
    )
    assert answer.status_code == 403
    assert _api(client, "GET", "/webhooks", token).status_code == 403


def test_the_api_lists_shows_and_removes_only_ones_own(app, client, make):
    with app.app_context():
        company = make.company()
        mine = create_token(make.person(("coordinator",), company=company), "HR")[1]
        theirs = create_token(make.person(("coordinator",), company=company), "HR")[1]
    body = {"url": "https://hr.example.se/hook", "events": ["booking.created", "result.recorded"]}
    created = _api(client, "POST", "/webhooks", mine, body).get_json()
    assert created["secret"].startswith("whsec_") and created["active"] is True
    path = f"/webhooks/{created['id']}"
    assert _api(client, "GET", path, theirs).status_code == 404
    assert _api(client, "DELETE", path, theirs).status_code == 404
    assert _api(client, "GET", "/webhooks", theirs).get_json()["items"] == []
    shown = _api(client, "GET", path, mine).get_json()
    assert "secret" not in shown and shown["events"] == body["events"]
    assert [w["id"] for w in _api(client, "GET", "/webhooks", mine).get_json()["items"]] == [
        created["id"]
    ]
    assert _api(client, "DELETE", path, mine).status_code == 204
    assert _api(client, "GET", path, mine).status_code == 404
    assert _api(client, "GET", "/webhooks", mine).get_json()["items"] == []
    bad = _api(client, "POST", "/webhooks", mine, {"url": "http://hr.example.se", "events": []})
    assert bad.status_code == 422


def test_reloading_the_page_that_showed_the_secret_registers_nothing_more(app, client, auth, make):
    with app.app_context():
        email = make.person(("coordinator",), company=make.company()).email
    auth.login(email)
    form = page_form(client, "/account/webhooks", button="Registrera webhook")
    filled = form.fill(url="https://hr.example.se/hook", events=["booking.created"])
    created = filled.submit()
    assert created.status_code == 200
    (secret,) = NEW_SECRET.findall(created.get_data(as_text=True))
    # The browser sends the same form again.
    again = filled.submit()
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert "redan registrerad" in page and not NEW_SECRET.search(page)
    with app.app_context():
        assert db.session.scalars(select(WebhookSubscription.secret)).all() == [secret]
    # The page that showed the secret offers a fresh form: a second webhook is a new one.
    second = form_of(created, client, button="Registrera webhook")
    made = second.fill(url="https://hr.example.se/other", events=["booking.created"]).submit()
    assert made.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 2
    # The refusal's own page can register another: its form has a new key.
    third = form_of(again, client, button="Registrera webhook")
    made = third.fill(url="https://hr.example.se/third", events=["booking.created"]).submit()
    assert made.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 3


def test_the_api_refuses_a_url_with_the_pages_own_reasons(app, client, make):
    """The body's pattern alone said only "har inte rätt form"."""
    with app.app_context():
        token = create_token(make.person(("coordinator",), company=make.company()), "HR")[1]
    reasons = {
        "http://10.0.0.1/": "url: Adressen måste börja med https://.",
        "https://user:pw@hr.example.se/": (
            "url: Adressen får inte innehålla användarnamn eller lösenord."
        ),
        "https://hr.example.se/hook#top": "url: Adressen får inte sluta med ett #-fragment.",
        " https://hr.example.se/": (
            "url: Adressen får inte innehålla mellanslag eller styrtecken."
        ),
        "https://hr.example.se:0/hook": (
            "url: Adressen ska ha ett värdnamn (eller en IPv4-adress), kanske en port "
            "1–65535, och en sökväg av tecknen a–z, 0–9 och vanliga skiljetecken (å, ä, ö "
            "kodade som i webbläsarens adressfält)."
        ),
    }
    for url, reason in reasons.items():
        sent = _api(client, "POST", "/webhooks", token, {"url": url, "events": ["booking.created"]})
        assert sent.status_code == 422 and sent.get_json()["detail"] == reason, url
    with app.app_context():
        assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0


REFUSED_IN_PRODUCTION = {
    "http://hr.example.se/hook": "https://",
    "https://127.0.0.1/hook": "privat eller lokalt",
    "https://localhost:8443/hook": "privat eller lokalt",
    "https://10.1.2.3/hook": "privat eller lokalt",
    "https://169.254.169.254/latest/meta-data": "privat eller lokalt",
    "https://[::1]/hook": "privat eller lokalt",
    "https://[::ffff:192.168.1.1]/hook": "privat eller lokalt",
    "https://user:pass@hr.example.se/": "användarnamn",
    "ftp://hr.example.se/": "https://",
    "https://hr.example.se:99999/": "giltig adress",
    "https://hr.example.se/hook#top": "fragment",
}


def test_in_production_only_public_https_urls_are_taken(app):
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False
    with app.app_context():
        for url, message in REFUSED_IN_PRODUCTION.items():
            with pytest.raises(InvalidInput, match=message):
                check_url(url)
        assert check_url("https://93.184.215.14/hook") == "https://93.184.215.14/hook"
        # None the API's document would refuse (openapi.json's pattern), said alike.
        for url in (
            "https://93.184.215.14:0/hook",
            "https://[2606:4700:4700::1111]/hook",
            "https://93.184.215.14/hå",
        ):
            with pytest.raises(InvalidInput, match="värdnamn \\(eller en IPv4-adress\\)"):
                check_url(url)


def test_development_allows_http_to_this_machine_only(app):
    with app.app_context():
        assert check_url(" http://127.0.0.1:8000/hook ") == "http://127.0.0.1:8000/hook"
        assert check_url("https://10.1.2.3/hook") == "https://10.1.2.3/hook"
        with pytest.raises(InvalidInput, match="https://"):
            check_url("http://hr.example.se/hook")


def test_a_url_that_became_private_is_not_called_at_delivery(app, make, receiver):
    hook = _subscribe(app, make, receiver.url("/hr"))
    app.config["WEBHOOK_ALLOW_PRIVATE_URLS"] = False  # as in production
    with app.app_context():
        employee = hook.employee(make)
        book_seat(make.session().id, employee, employee)
        report = deliver_due()
        assert len(report.retry) == 1
        assert "privat eller lokalt" in db.session.scalar(select(WebhookDelivery.last_error))
    assert receiver.received == []


def test_the_page_says_what_is_wrong_with_a_url_and_keeps_the_form(app, client, auth, make):
    with app.app_context():
        email = make.person(("coordinator",), company=make.company()).email
    auth.login(email)
    form = page_form(client, "/account/webhooks", button="Registrera webhook")
    refused = form.fill(url="http://hr.example.se/hook").submit()
    assert refused.status_code == 400
    assert "måste börja med https://" in refused.get_data(as_text=True)
    again = form_of(refused, client, button="Registrera webhook")
    assert again.value("url") == "http://hr.example.se/hook"
    none_chosen = again.fill(url="https://hr.example.se/hook", events=[]).submit()
    assert none_chosen.status_code == 400
    assert "Välj minst en händelse" in none_chosen.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(WebhookSubscription.id))) == 0
    # "At least one" is the server's check: a box marked required makes a browser demand
    # every box, and a subscription for fewer events could not be sent at all.
    boxes = re.findall(r'<input[^>]*name="events"[^>]*>', none_chosen.get_data(as_text=True))
    assert len(boxes) == len(EVENT_TYPES) and not any("required" in box for box in boxes)
    some = form_of(none_chosen, client, button="Registrera webhook")
    saved = some.fill(events=["booking.created", "booking.cancelled"]).submit()
    assert saved.status_code == 200  # the page that shows the secret once
    with app.app_context():
        subscription = db.session.scalar(select(WebhookSubscription))
        assert sorted(subscription.events) == ["booking.cancelled", "booking.created"]


def test_every_event_sent_is_as_the_openapi_document_describes_it(app, client, make, receiver):
    """docs/json-api.md and openapi.json's `webhooks` describe the deliveries: read the
    real ones through the document's schemas, which refuse any field not described."""
    hook = _subscribe(app, make, receiver.url("/hr"))
    with app.app_context():
        first, second = hook.employee(make), hook.employee(make)
        model = make.model()
        assessor = make.assessor(model)
        center = make.center()
        full = make.session(seats=1, model=model, assessor=assessor, center=center)
        later = make.session(
            seats=3, model=model, assessor=assessor, center=center, starts_in=timedelta(days=20)
        )
        seat = book_seat(full.id, first, first)
        queued = book_seat(full.id, second, second)
        cancel_booking(seat.id, first)  # the queue's first gets the seat
        moved = move_booking(queued.id, later.id, second)
        starts_at = db.session.get(ValidationSession, later.id).starts_at
        check_in(moved.id, assessor, now=starts_at)
        verdicts = [AreaVerdict(a.id, "approved") for a in model_areas(model.id)]
        record_outcomes(moved.id, verdicts, "", assessor, now=starts_at)
        # The center moves a session with a seat in it.
        shifted = make.session(
            local_day=_open_weekday(30), center=center, model=model, assessor=assessor
        )
        book_seat(shifted.id, first, first)
        admin = make.person(("center_admin",), center=center)
        move_session(shifted.id, local_date(shifted.starts_at), time(10), admin)
        services.send_test_event(hook.id, db.session.get(Person, hook.coordinator_id))
    assert app.test_cli_runner().invoke(args=["deliver-webhooks"]).exit_code == 0

    document = client.get("/api/v1/openapi.json").get_json()
    assert set(document["webhooks"]) == {*EVENT_TYPES, "webhook.test"}
    sent = [_verified(r, hook.secret) for r in receiver.at("/hr")]
    assert {e["type"] for e in sent} == {*EVENT_TYPES, "webhook.test"}
    for event in sent:
        schema = document["webhooks"][event["type"]]["post"]["requestBody"]["content"]
        name = schema["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert name in document["components"]["schemas"]
        body = webhook_schemas.EVENT_BODIES[event["type"]]
        assert body.__name__ == name
        body.model_validate(event)  # raises on a field sent but not described
        said = document["webhooks"][event["type"]]["post"]["description"]
        if event["type"] != "webhook.test":
            # Said plainly in the document: the employee's name and e-mail are sent.
            assert {"id", "name", "email"} == set(event["data"]["employee"])
            assert "name and e-mail are included" in said
        else:  # and not of the test, which carries none
            assert "employee" not in event["data"] and "name and e-mail" not in said

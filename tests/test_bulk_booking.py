"""Booking several employees at once (issue 19, item 2): the coordinator's page and the
API. The race with single bookings: tests/test_bulk_booking_race.py."""

import re
from datetime import timedelta
from unittest.mock import ANY

import pytest
from sqlalchemy import func, select

from app.accounts.models import Person
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.extensions import db
from app.mail.models import OutboxMessage
from app.schedule.models import ValidationSession
from tests.forms import form_of, page_form


@pytest.fixture
def works(app, make):
    """A 12-person steel works in Boden; four of them already booked Industriteknik BAS
    (in Kiruna, now full). Open seats: 5 in Boden, 6 in Luleå, none fits eight."""
    with app.app_context():
        company = make.company("Bodens Stål AB", municipality="Boden")
        model = make.model("industriteknik-bas")
        people = [make.employee(company, name=f"Anställd {n:02d}") for n in range(1, 13)]
        kiruna = make.session(seats=4, center=make.center(name="Kiruna TC", municipality="Kiruna"))
        for person in people[8:]:
            book_seat(kiruna.id, person, person)
        for n, person in enumerate(people):
            person.team = "Valsverket" if n < 4 else "Smältverket"
        db.session.commit()
        return {
            "coordinator": make.person(("coordinator",), company=company, name="Cia").email,
            "model": model.id,
            "people": [p.id for p in people],
            "boden": make.session(
                seats=5, center=make.center(name="Bodens TC", municipality="Boden")
            ).id,
            "lulea": make.session(
                seats=6, starts_in=timedelta(days=15), center=make.center(name="Luleå TC")
            ).id,
            "outsider": make.employee(make.company(), name="Olle Utanför").id,
        }


class StartsWith(str):
    """Equal to any text that starts with it (a reason with a time in it)."""

    def __eq__(self, other):
        return isinstance(other, str) and other.startswith(str(self))

    __hash__ = str.__hash__


def _offers(client, works, picked, lacking=True):
    """Pick employees and the model on the page, and press Visa tillfällen."""
    query = f"/company/book?model={works['model']}" + ("&lacking=y" if lacking else "")
    pick = page_form(client, query, button="Visa tillfällen")
    page = pick.fill(employees=picked).submit(button="Visa tillfällen")
    assert page.status_code == 200, page.text
    return page


def _plain(html: str) -> str:
    """The page's text as read: tags gone, whitespace runs one space."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _live(session_id):
    return db.session.execute(
        select(Booking.employee_id, Booking.status)
        .where(Booking.session_id == session_id)
        .order_by(Booking.id)
    ).all()


def test_eight_who_lack_bas_are_booked_into_the_closest_sessions_in_one_confirmation(
    app, client, auth, make, works
):
    auth.login(works["coordinator"])
    query = f"/company/book?model={works['model']}&lacking=y"
    pick = page_form(client, query, button="Visa tillfällen")
    lacking = [str(i) for i in works["people"][:8]]
    assert pick.options("employees") == lacking  # the four booked already are not listed
    rolling_mill = page_form(client, f"{query}&team=Valsverket", button="Visa tillfällen")
    assert rolling_mill.options("employees") == lacking[:4]

    page = _offers(client, works, lacking)
    assert "≈" in page.text and "från Boden" in page.text
    confirm = form_of(page, client, button="Boka alla")
    # No session seats eight: the split fills Boden (closest) and then Luleå.
    assert confirm.value("plan") == f"{works['boden']}:5,{works['lulea']}:3"
    done = confirm.submit(button="Boka alla")
    assert done.status_code == 200
    assert "Fick plats: 8" in done.text and "I kö: 0" in done.text
    # A reload of the answer sends the form again: nobody is booked twice, and the page
    # says what the first sending booked (it said "Fick plats: 0 … har redan en plats").
    again = confirm.submit(button="Boka alla")
    assert again.status_code == 200
    assert "Fick plats: 8" in again.text and "Har redan en plats" not in again.text
    # Back to the offers and another split chosen with the same form: who was booked
    # elsewhere by it is said to be so, and nobody gets a second booking.
    other = (
        confirm.copy()
        .set("plan", f"{works['lulea']}:5,{works['boden']}:3", tamper=True)
        .submit(button="Boka alla")
    )
    assert other.status_code == 200
    assert "Formuläret har redan använts och bokade ett annat tillfälle" in other.text

    with app.app_context():
        boden = db.session.execute(
            select(Booking.employee_id, Booking.status).where(Booking.session_id == works["boden"])
        ).all()
        lulea = db.session.execute(
            select(Booking.employee_id, Booking.status).where(Booking.session_id == works["lulea"])
        ).all()
        assert sorted(e for e, _s in boden + lulea) == works["people"][:8]
        assert {s for _e, s in boden + lulea} == {"confirmed"}
        assert len(boden) == 5 and len(lulea) == 3
        assert db.session.get(ValidationSession, works["boden"]).seats_taken == 5
        invites = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert invites >= 8
    # Each sees it among their bookings, and so does the coordinator.
    employee = client.get(f"/company/employees/{works['people'][0]}")
    assert "Bodens TC" in employee.text
    # The competence overview has the eight as booked (and the four with Kiruna seats).
    overview = client.get(f"/company/overview?model={works['model']}")
    assert overview.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\"[^>]*>(.*?)</tr>", overview.text, re.S)
    booked = [row for row in rows if "Anställd" in row and "Bokad" in _plain(row)]
    assert len(booked) == 12, _plain(overview.text)[:2000]
    # One of them moved since: the result sent again says where to, not "cancelled".
    with app.app_context():
        first = db.session.scalar(
            select(Booking).where(
                Booking.session_id == works["boden"], Booking.employee_id == works["people"][0]
            )
        )
        later = make.session(
            model=first.session.model, center=first.session.center, starts_in=timedelta(days=40)
        )
        first_id, later_id = first.id, later.id
    move = page_form(client, f"/bookings/{first_id}/move", field="target")
    assert move.fill(target=later_id).submit().status_code == 302
    moved = confirm.submit(button="Boka alla")
    assert "redan flyttad till" in moved.text and "avbokad sedan" not in moved.text


def test_a_partial_result_is_shown_plainly_and_another_companys_employee_is_refused(
    app, client, auth, make, works
):
    auth.login(works["coordinator"])
    nine = [str(i) for i in works["people"][:9]]  # the ninth has a Kiruna seat already
    confirm = form_of(_offers(client, works, nine, lacking=False), client, button="Boka alla")
    assert confirm.value("plan") == f"{works['boden']}:5,{works['lulea']}:4"

    # Someone else's employee slipped into the request: refused, nothing booked.
    forged = confirm.copy()
    forged.set("employees", [*nine, str(works["outsider"])], tamper=True)
    forged.set("plan", f"{works['boden']}:5,{works['lulea']}:5", tamper=True)
    assert forged.submit(button="Boka alla").status_code == 403
    with app.app_context():
        assert _live(works["boden"]) == [] and _live(works["lulea"]) == []
        # Meanwhile four others take Luleå seats: two are left for the plan's four.
        lulea = db.session.get(ValidationSession, works["lulea"])
        for _n in range(4):
            someone = make.employee()
            book_seat(lulea.id, someone, someone)

    done = confirm.submit(button="Boka alla")
    assert done.status_code == 200
    text = _plain(done.text)
    assert "Fick plats: 7" in text and "I kö: 1" in text and "Inte bokade: 1" in text
    assert "Anställd 08: nummer 1 i kön till Industriteknik BAS" in text
    assert "Anställd 09: Har redan en plats på Industriteknik BAS" in text
    with app.app_context():
        statuses = [s for _e, s in _live(works["lulea"])]
        assert statuses == ["confirmed"] * 6 + ["waitlisted"]
        assert db.session.get(ValidationSession, works["lulea"]).seats_taken == 6


def test_the_api_books_a_group_and_refuses_a_bad_body_or_a_stranger(app, api, make, works):
    with app.app_context():
        coordinator = db.session.scalar(select(Person).where(Person.email == works["coordinator"]))
        call = api(coordinator)
        three = works["people"][:3]
        # The fourth holds a seat of another validation at Boden's time: no second seat then.
        busy = db.session.get(Person, works["people"][3])
        elsewhere = make.session(
            model=make.model("gruvteknik"),
            center=make.center(name="Gällivare TC", municipality="Gällivare"),
        )
        book_seat(elsewhere.id, busy, busy)
        body = {
            "parts": [
                {"session_id": works["boden"], "employee_ids": [*three, busy.id]},
                {"session_id": works["lulea"], "employee_ids": [works["people"][8], three[0]]},
            ]
        }
        for bad in ({"parts": []}, {"parts": [{"session_id": works["boden"]}]}, {"x": 1}):
            assert call("POST", "/bookings/bulk", json=bad).status_code == 422
        stranger = {"parts": [{"session_id": works["boden"], "employee_ids": [works["outsider"]]}]}
        assert call("POST", "/bookings/bulk", json=stranger).status_code == 403
        assert _live(works["boden"]) == []

        answer = call("POST", "/bookings/bulk", key="group-1", json=body)
        assert answer.status_code == 200, answer.json
        assert [b["employee_id"] for b in answer.json["seated"]] == three
        assert {b["status"] for b in answer.json["seated"]} == {"confirmed"}
        assert answer.json["skipped"] == [
            {
                "employee_id": busy.id,
                "reason": StartsWith("Har redan en bokning samtidigt: Gruvteknik"),
                "code": "time_clash",
            },
            {"employee_id": works["people"][8], "reason": ANY, "code": "already_booked"},
            {"employee_id": three[0], "reason": ANY, "code": "listed_twice"},
        ]
        again = call("POST", "/bookings/bulk", key="group-1", json=body)
        assert again.headers["Idempotent-Replayed"] == "true" and again.json == answer.json
        assert len(_live(works["boden"])) == 3


def test_a_split_takes_the_fewest_sessions_and_of_those_the_closest(app, make):
    """Eight people: three seats each in Boden, Luleå and Piteå would take three sessions;
    Kiruna's six with Boden's three take two, the least travel of the two-session splits."""
    from app.bookings.bulk import group_offers
    from app.db import utcnow

    with app.app_context():
        model = make.model("industriteknik-bas")
        boden = make.municipality("Boden")
        for town, seats in (("Boden", 3), ("Luleå", 3), ("Piteå", 3), ("Kiruna", 6)):
            make.session(seats=seats, model=model, center=make.center(municipality=town))
        offers = group_offers(8, utcnow(), boden.id, model_id=model.id)
        parts = [(o.session.center.municipality.name, o.count) for o in offers.split]
    assert offers.fits_all == [] and offers.short == 0
    assert parts == [("Boden", 3), ("Kiruna", 5)]

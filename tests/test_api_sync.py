"""Lists page by cursor, and an HR system syncs bookings by updated_since.

Every list answers {"items", "has_more", "next"} with a Link header: following next
until has_more is false reads each item once, and a page past the end is empty.
"""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.bookings.services import book_seat, cancel_booking
from app.centers.services import holiday_name
from app.db import utcnow
from tests.forms import page_form

LISTS = ["/counties", "/municipalities", "/validation-models", "/centers", "/sessions", "/bookings"]


def _read_all(call, path: str) -> list[dict]:
    """Follow next to the end; check the page and its Link header agree."""
    items, pages = [], 0
    while path:
        page = call("GET", path)
        assert page.status_code == 200, page.get_data(as_text=True)
        body = page.get_json()
        assert set(body) == {"items", "has_more", "next"}
        assert body["has_more"] == (body["next"] is not None)
        if body["next"]:
            assert page.headers["Link"] == f'<{body["next"]}>; rel="next"'
        else:
            assert "Link" not in page.headers
        items += body["items"]
        path, pages = body["next"], pages + 1
        assert pages < 100
    return items


@pytest.fixture
def person_with_bookings(app, make):
    with app.app_context():
        company = make.company()
        person = make.person(("coordinator", "employee"), company=company)
        for days in range(3, 10):
            session = make.session(starts_in=timedelta(days=days))
            book_seat(session.id, person, person)
        return person


@pytest.mark.parametrize("path", LISTS)
def test_every_list_reads_to_its_end_page_by_page(app, api, make, person_with_bookings, path):
    app.config["SERVED_COUNTIES"] = ["24", "25"]  # 29 municipalities, not 290: 15 pages of 2
    with app.app_context():
        make.center(name="Kiruna Testcenter", municipality="Kiruna")
        call = api(person_with_bookings)
    everything = call("GET", f"{path}?limit=100").get_json()
    assert everything["has_more"] is False and everything["next"] is None
    expected = [item["id"] for item in everything["items"]]
    assert len(expected) >= 2
    paged = _read_all(call, f"{path}?limit=2")
    assert [item["id"] for item in paged] == expected


def test_a_page_past_the_end_is_empty(app, api, make, person_with_bookings):
    """The issue: page past the last page gave the last page again, so a client that
    reads until an empty page never stopped."""
    with app.app_context():
        call = api(person_with_bookings)
    last = call("GET", "/sessions?per_page=3&page=3").get_json()
    assert len(last["items"]) == 1 and last["has_more"] is False
    past = call("GET", "/sessions?per_page=3&page=4").get_json()
    assert past == {"items": [], "has_more": False, "next": None}
    # Old page numbers and next lead to the same place.
    first = call("GET", "/sessions?per_page=3&page=1").get_json()
    second = call("GET", first["next"]).get_json()
    assert second["items"] == call("GET", "/sessions?per_page=3&page=2").get_json()["items"]


def test_a_cursor_keeps_its_filters_and_limit_in_next(app, api, make, person_with_bookings):
    with app.app_context():
        call = api(person_with_bookings)
    page = call("GET", "/sessions?limit=2&only_free=true").get_json()
    query = parse_qs(urlsplit(page["next"]).query)
    assert query["limit"] == ["2"] and query["only_free"] == ["true"] and query["cursor"]
    assert "page" not in query


def test_a_cursor_that_did_not_come_from_next_is_refused(app, api, person_with_bookings):
    with app.app_context():
        call = api(person_with_bookings)
    page = call("GET", "/sessions?limit=2").get_json()
    cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "abc", "eyJ9"):
        answer = call("GET", "/sessions", query_string={"cursor": bad})
        assert answer.status_code == 422 and answer.get_json()["code"] == "invalid_cursor"
    # A cursor of one list is no place in another.
    answer = call("GET", "/bookings", query_string={"cursor": cursor})
    assert answer.status_code == 422 and answer.get_json()["code"] == "invalid_cursor"


def test_a_booking_made_while_paging_neither_repeats_nor_hides_an_item(
    app, api, make, person_with_bookings
):
    with app.app_context():
        call = api(person_with_bookings)
        before = [b["id"] for b in call("GET", "/bookings?limit=100").get_json()["items"]]
    first = call("GET", "/bookings?limit=3").get_json()
    with app.app_context():
        # A session sooner than all others: it sorts after the ones already read.
        later = make.session(starts_in=timedelta(days=2))
        book_seat(later.id, person_with_bookings, person_with_bookings)
    rest = _read_all(call, first["next"])
    assert [b["id"] for b in first["items"] + rest] == before + [
        b["id"] for b in rest if b["id"] not in before
    ]


# updated_since ---------------------------------------------------------------------


def test_an_hr_sync_reads_every_change_since_its_last_call_cancellations_too(app, api, make):
    with app.app_context():
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        anna, bo = make.employee(company=company), make.employee(company=company)
        outsider = make.employee()
        first, second = make.session(), make.session()
        kept = book_seat(first.id, anna, coordinator)
        to_cancel = book_seat(second.id, bo, coordinator)
        book_seat(first.id, outsider, outsider)
        call, kept_id, cancel_id = api(coordinator), kept.id, to_cancel.id
    synced = _read_all(call, "/bookings?scope=company&updated_since=2000-01-01T00:00:00Z&limit=1")
    assert sorted(b["id"] for b in synced) == sorted([kept_id, cancel_id])
    high_water = max(b["updated_at"] for b in synced)

    with app.app_context():
        cancel_booking(cancel_id, actor=coordinator)
    changed = _read_all(
        call, f"/bookings?scope=company&updated_since={high_water.replace('+', '%2B')}"
    )
    by_id = {b["id"]: b for b in changed}
    # The cancellation is there (a sync must learn of it); the unchanged booking is
    # there only if it changed at the very time the client saw last ("at or after").
    assert by_id[cancel_id]["status"] == "cancelled"
    assert by_id[cancel_id]["updated_at"] > high_water
    assert set(by_id) <= {kept_id, cancel_id}
    # In the order of change, so that a sync can stop and go on from the last one.
    assert [b["updated_at"] for b in changed] == sorted(b["updated_at"] for b in changed)


def test_updated_since_in_the_future_is_empty_and_offsets_count(app, api, make):
    with app.app_context():
        person = make.employee()
        book_seat(make.session().id, person, person)
        call = api(person)
    soon = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
    in_utc = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call("GET", f"/bookings?updated_since={in_utc}").get_json()["items"] == []
    # The same moment written in Stockholm's winter offset an hour later: still nothing;
    # an hour earlier than now in UTC: the booking.
    an_hour_ago = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    found = call("GET", "/bookings", query_string={"updated_since": an_hour_ago}).get_json()
    assert len(found["items"]) == 1


def test_moving_shows_both_bookings_to_a_sync(app, api, make):
    with app.app_context():
        model = make.model()
        person = make.employee()
        source, target = make.session(model=model), make.session(model=model)
        booking = book_seat(source.id, person, person)
        call, booking_id, target_id = api(person), booking.id, target.id
    since = utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    moved = call("POST", f"/bookings/{booking_id}/move", json={"session_id": target_id})
    changed = call("GET", f"/bookings?updated_since={since}").get_json()["items"]
    by_id = {b["id"]: b for b in changed}
    assert by_id[booking_id]["status"] == "cancelled"
    assert by_id[moved.get_json()["id"]]["moved_from_id"] == booking_id


def _open_weekday(days_ahead: int) -> date:
    """A day at least that far ahead on which the factory's centers are open."""
    day = utcnow().date() + timedelta(days=days_ahead)
    while day.weekday() > 4 or holiday_name(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_session_the_center_moves_shows_its_seats_and_queue_to_a_sync(
    app, api, make, client, auth
):
    """The tester's case: the center moved a session and the HR system's
    updated_since sync still saw its bookings with their old updated_at, so it never
    learnt that the seat's time had changed. The seat and the queue place change with
    the move; another testledare alone is not in the booking, and changes nothing."""
    with app.app_context():
        day = _open_weekday(14)
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        seated, queued = make.employee(company=company), make.employee(company=company)
        center = make.center(computers=1)  # one seat at the new time too: the queue stays
        model = make.model()
        admin = make.person(("center_admin",), center=center)
        session = make.session(seats=1, local_day=day, center=center, model=model)
        seat = book_seat(session.id, seated, coordinator)
        place = book_seat(session.id, queued, coordinator)
        assert (seat.status, place.status) == ("confirmed", "waitlisted")
        call, session_id, ids = api(coordinator), session.id, {seat.id, place.id}
        assessors = session.assessor_id, make.assessor(model).id
        admin_email = admin.email
    query = "/bookings?scope=company&updated_since="

    def since_now() -> str:
        return utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def move(start: str, assessor: int):
        """The center admin's manage page, as the tester moved the session."""
        form = page_form(client, f"/sessions/{session_id}/manage", button="Flytta passet")
        moved = form.fill(day=day.isoformat(), start=start, assessor=assessor).submit()
        assert moved.status_code == 302, moved.get_data(as_text=True)

    before = since_now()
    assert call("GET", query + before).get_json()["items"] == []
    auth.login(admin_email)
    move("08:00", assessors[1])  # only another testledare: the booking shows none
    assert call("GET", query + before).get_json()["items"] == []

    move("10:00", assessors[1])
    changed = call("GET", query + before).get_json()["items"]
    assert {b["id"] for b in changed} == ids
    assert {b["status"] for b in changed} == {"confirmed", "waitlisted"}
    assert all(b["updated_at"] > before for b in changed)
    moved = call("GET", f"/sessions/{session_id}").get_json()
    assert moved["starts_at_local"].startswith(f"{day.isoformat()}T10:00")
    # Once: the next call, from after the move, reads nothing more.
    assert call("GET", query + since_now()).get_json()["items"] == []


def test_only_a_coordinator_reads_the_company_s_bookings(app, api, make):
    with app.app_context():
        call = api(make.employee())
    answer = call("GET", "/bookings?scope=company")
    assert answer.status_code == 403 and answer.get_json()["code"] == "forbidden"

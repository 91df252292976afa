"""The booking rules, called as the views, the CLI and the API call them."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.audit.models import AuditEntry
from app.bookings.models import Booking, BookingEvent
from app.bookings.queries import move_targets
from app.bookings.services import (
    book_seat,
    cancel_booking,
    move_booking,
    waitlist_position,
)
from app.db import utcnow
from app.errors import DomainError, Forbidden, NotFound
from app.extensions import db
from app.schedule.models import AssessorAuthorisation, ValidationSession
from tests.conftest import TEST_CONFIG
from tests.factories import Factory
from tests.forms import page_form


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _statuses(session_id):
    return dict(
        db.session.execute(
            select(Booking.employee_id, Booking.status).where(Booking.session_id == session_id)
        ).all()
    )


def test_booking_takes_a_seat_and_a_full_session_queues_in_order(ctx, make):
    session = make.session(seats=2)
    people = [make.employee() for _ in range(4)]
    bookings = [book_seat(session.id, p, p) for p in people]
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [waitlist_position(b) for b in bookings] == [None, None, 1, 2]
    db.session.refresh(session)
    assert session.seats_taken == 2 and session.seats_left == 0


def test_an_employee_cannot_book_one_session_twice(ctx, make):
    session = make.session(seats=1)
    first, second = make.employee(), make.employee()
    book_seat(session.id, first, first)
    with pytest.raises(DomainError, match="redan en plats"):
        book_seat(session.id, first, first)
    book_seat(session.id, second, second)
    with pytest.raises(DomainError, match="redan i kö"):
        book_seat(session.id, second, second)
    assert db.session.scalar(select(db.func.count(Booking.id))) == 2


def test_a_resent_request_key_returns_the_first_booking(ctx, make):
    session = make.session(seats=3)
    person = make.employee()
    first = book_seat(session.id, person, person, request_key="k" * 22)
    again = book_seat(session.id, person, person, request_key="k" * 22)
    assert again.id == first.id
    db.session.refresh(session)
    assert session.seats_taken == 1


def test_cancelling_a_seat_gives_it_to_the_first_in_the_queue(ctx, make):
    session = make.session(seats=1)
    holder, first_in_line, second_in_line = (make.employee() for _ in range(3))
    seat = book_seat(session.id, holder, holder)
    queued_first = book_seat(session.id, first_in_line, first_in_line)
    queued_second = book_seat(session.id, second_in_line, second_in_line)

    cancel_booking(seat.id, holder)

    db.session.expire_all()
    assert _statuses(session.id) == {
        holder.id: "cancelled",
        first_in_line.id: "confirmed",
        second_in_line.id: "waitlisted",
    }
    assert waitlist_position(db.session.get(Booking, queued_second.id)) == 1
    kinds = db.session.scalars(
        select(BookingEvent.kind).where(BookingEvent.booking_id == queued_first.id)
    ).all()
    assert kinds == ["waitlisted", "promoted"]
    assert db.session.get(type(session), session.id).seats_taken == 1


def test_cancelling_a_queue_place_frees_no_seat(ctx, make):
    session = make.session(seats=1)
    holder, queued = make.employee(), make.employee()
    book_seat(session.id, holder, holder)
    place = book_seat(session.id, queued, queued)
    cancel_booking(place.id, queued)
    db.session.expire_all()
    assert _statuses(session.id) == {holder.id: "confirmed", queued.id: "cancelled"}


def test_employee_cannot_cancel_after_the_deadline_but_staff_can_and_it_is_recorded(ctx, make):
    session = make.session(seats=2, starts_in=timedelta(days=10))
    person = make.employee()
    booking = book_seat(session.id, person, person)
    admin = make.person(("center_admin",), center=session.center)
    late = session.starts_at - timedelta(hours=47)  # the deadline is 48 hours before start

    with pytest.raises(DomainError, match="Sista dag att avboka"):
        cancel_booking(booking.id, person, now=late)
    assert db.session.get(Booking, booking.id).status == "confirmed"

    cancel_booking(booking.id, admin, now=late)
    event = db.session.scalar(
        select(BookingEvent).where(
            BookingEvent.booking_id == booking.id, BookingEvent.kind == "cancelled"
        )
    )
    assert event.staff_override is True and event.actor_id == admin.id


def test_employee_cannot_move_after_the_deadline_but_staff_can_and_it_is_recorded(ctx, make):
    model = make.model()
    source = make.session(seats=2, model=model, starts_in=timedelta(days=10))
    target = make.session(seats=2, model=model, starts_in=timedelta(days=20))
    person = make.employee()
    booking = book_seat(source.id, person, person)
    admin = make.person(("center_admin",), center=source.center)
    late = source.starts_at - timedelta(hours=47)  # the deadline is 48 hours before start

    with pytest.raises(DomainError) as refused:
        move_booking(booking.id, target.id, person, now=late)
    assert refused.value.message == (
        "Sista dag att avboka eller flytta har passerat (48 timmar före start). "
        "Kontakta testcentret."
    )
    db.session.expire_all()
    assert _statuses(source.id) == {person.id: "confirmed"} and _statuses(target.id) == {}
    assert db.session.get(ValidationSession, target.id).seats_taken == 0

    moved = move_booking(booking.id, target.id, admin, now=late)

    db.session.expire_all()
    assert moved.session_id == target.id and moved.status == "confirmed"
    assert moved.booked_by_id == admin.id and moved.moved_from_id == booking.id
    assert _statuses(source.id) == {person.id: "cancelled"}
    assert db.session.get(ValidationSession, source.id).seats_taken == 0
    event = db.session.scalar(
        select(BookingEvent).where(
            BookingEvent.booking_id == booking.id, BookingEvent.kind == "moved"
        )
    )
    assert event.staff_override is True and event.actor_id == admin.id
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "booking",
            AuditEntry.entity_id == booking.id,
            AuditEntry.action.like("moved%"),
        )
    )
    assert entry.action == "moved (staff override)" and entry.actor_id == admin.id
    assert entry.center_id == source.center_id  # the center's admins read it in their log


def test_a_move_inside_the_deadline_is_refused_on_the_page_and_keeps_the_seat(
    app, client, auth, make
):
    with app.app_context():
        model = make.model()
        source = make.session(seats=2, model=model, starts_in=timedelta(days=5))
        target = make.session(seats=2, model=model, starts_in=timedelta(days=20))
        person = make.employee()
        booking_id = book_seat(source.id, person, person).id
        source_id, target_id, person_id, email = source.id, target.id, person.id, person.email
    auth.login(email)
    # The page was opened in time; when it is sent, the 48-hour move deadline has passed.
    move = page_form(client, f"/bookings/{booking_id}/move", button="Flytta hit")
    with app.app_context():
        source = db.session.get(ValidationSession, source_id)
        length = source.ends_at - source.starts_at
        source.starts_at = utcnow() + timedelta(hours=30)
        source.ends_at = source.starts_at + length
        db.session.commit()
    answer = move.fill(target=target_id).submit()
    assert answer.status_code == 409
    assert "Sista dag att avboka eller flytta har passerat" in answer.get_data(as_text=True)
    with app.app_context():
        assert _statuses(source_id) == {person_id: "confirmed"}
        assert _statuses(target_id) == {}


def test_an_admin_of_another_center_cannot_cancel(ctx, make):
    session = make.session()
    person = make.employee()
    booking = book_seat(session.id, person, person)
    other_admin = make.person(("center_admin",), center=make.center())
    stranger = make.employee()
    for actor in (other_admin, stranger):
        with pytest.raises(NotFound):
            cancel_booking(booking.id, actor)
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_cancelling_twice_says_it_is_already_cancelled(ctx, make):
    session = make.session()
    person = make.employee()
    booking = book_seat(session.id, person, person)
    cancel_booking(booking.id, person)
    with pytest.raises(DomainError, match="redan avbokad"):
        cancel_booking(booking.id, person)


def test_booking_window_opens_90_days_ahead_and_closes_24_hours_before(ctx, make):
    session = make.session(starts_in=timedelta(days=30))
    person = make.employee()
    with pytest.raises(DomainError, match="öppnar 90 dagar"):
        book_seat(session.id, person, person, now=session.starts_at - timedelta(days=91))
    with pytest.raises(DomainError, match="stängde 24 timmar"):
        book_seat(session.id, person, person, now=session.starts_at - timedelta(hours=23))
    booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(hours=25))
    assert booking.status == "confirmed"


def test_past_cancelled_and_unknown_sessions_cannot_be_booked(ctx, make):
    person = make.employee()
    past = make.session()
    with pytest.raises(DomainError, match="redan börjat"):
        book_seat(past.id, person, person, now=past.starts_at + timedelta(minutes=1))
    cancelled = make.session(status="cancelled")
    with pytest.raises(DomainError, match="inställt"):
        book_seat(cancelled.id, person, person)
    with pytest.raises(NotFound):
        book_seat(999_999, person, person)
    assert db.session.scalar(select(db.func.count(Booking.id))) == 0


def test_sessions_need_a_valid_accreditation_and_an_authorised_assessor(ctx, make):
    person = make.employee()
    day = (utcnow() + timedelta(days=20)).date()
    lapsed_center = make.center(accredited_to=day - timedelta(days=1))
    session = make.session(local_day=day, center=lapsed_center)
    with pytest.raises(DomainError, match="ackreditering"):
        book_seat(session.id, person, person)
    assessor = make.assessor(valid_to=day - timedelta(days=1))
    session = make.session(local_day=day, assessor=assessor)
    with pytest.raises(DomainError, match="behörighet"):
        book_seat(session.id, person, person)


def test_the_assessors_authorisation_must_be_for_the_sessions_model_on_its_day(ctx, make):
    person = make.employee()
    day = (utcnow() + timedelta(days=20)).date()
    model, other_model = make.model("industriteknik-bas"), make.model("automation-bas")
    assessor = make.assessor(model, valid_to=day - timedelta(days=1))
    # Authorised on the day, but for another model: it does not count.
    make._save(
        AssessorAuthorisation(
            person=assessor, model=other_model, valid_from=day, valid_to=day + timedelta(days=9)
        )
    )
    session_id = make.session(local_day=day, model=model, assessor=assessor).id
    with pytest.raises(DomainError, match="behörighet"):
        book_seat(session_id, person, person)
    # A second period for the session's model that covers the day: now it can be booked.
    make._save(
        AssessorAuthorisation(
            person=assessor, model=model, valid_from=day, valid_to=day + timedelta(days=30)
        )
    )
    booking = book_seat(session_id, person, person)
    assert booking.session_id == session_id


def test_only_the_employee_or_their_coordinator_may_book_for_them(ctx, make):
    session = make.session()
    company = make.company()
    person = make.employee(company=company)
    coordinator = make.person(("coordinator",), company=company)
    other_coordinator = make.person(("coordinator",), company=make.company())
    with pytest.raises(Forbidden):
        book_seat(session.id, person, other_coordinator)
    booking = book_seat(session.id, person, coordinator)
    assert booking.booked_by_id == coordinator.id and booking.employee_id == person.id


def test_one_person_holds_no_two_seats_or_queue_places_at_the_same_time(ctx, make):
    """Two seats at once, 500 km apart, take a seat from someone who could come."""
    day = date.today() + timedelta(days=20)
    at_eight = make.session(local_day=day, seats=3)  # 08:00-11:00 (the factory's model)
    other_center = make.center(name="Östersunds yrkescenter", municipality="Östersund")
    at_ten = make.session(local_day=day, local_time=time(10), center=other_center)
    full_at_nine = make.session(local_day=day, local_time=time(9), seats=1, center=other_center)
    afternoon = make.session(local_day=day, local_time=time(13), center=other_center)
    person, taker = make.employee(), make.employee()
    book_seat(full_at_nine.id, taker, taker)

    first = book_seat(at_eight.id, person, person)
    for clashing in (at_ten, full_at_nine):  # a seat, or a queue place that may become one
        with pytest.raises(DomainError, match="redan en bokning samtidigt") as refused:
            book_seat(clashing.id, person, person)
        assert refused.value.code == "time_clash"
        assert refused.value.message.startswith("Du har") and at_eight.model.name in str(
            refused.value.message
        )
    # Whoever books for them is told whose booking it is.
    coordinator = make.person(("coordinator",), company=person.company)
    with pytest.raises(DomainError, match=f"^{person.name} har redan en bokning samtidigt"):
        book_seat(at_ten.id, person, coordinator)
    # A queue place is named as one.
    queued = make.employee()
    book_seat(full_at_nine.id, queued, queued)
    with pytest.raises(DomainError, match=r"^Du står i kö till"):
        book_seat(at_ten.id, queued, queued)
    # Starting where another ends is no clash (10:00-13:00, then 13:00).
    later = book_seat(afternoon.id, person, person)
    # A move may not land on the time of another booking of theirs either.
    with pytest.raises(DomainError, match="redan en bokning samtidigt"):
        move_booking(later.id, at_ten.id, person)
    cancel_booking(first.id, person)
    assert book_seat(at_ten.id, person, person).status == "confirmed"
    db.session.expire_all()
    assert _statuses(full_at_nine.id) == {taker.id: "confirmed", queued.id: "waitlisted"}
    assert _statuses(afternoon.id) == {person.id: "confirmed"}


def test_moving_takes_the_new_seat_and_frees_the_old_for_the_queue(ctx, make):
    model = make.model()
    source = make.session(seats=1, model=model)
    target = make.session(seats=3, model=model, starts_in=timedelta(days=20))
    mover, queued = make.employee(), make.employee()
    booking = book_seat(source.id, mover, mover)
    book_seat(source.id, queued, queued)

    moved = move_booking(booking.id, target.id, mover)

    db.session.expire_all()
    assert moved.session_id == target.id and moved.status == "confirmed"
    assert moved.moved_from_id == booking.id
    assert _statuses(source.id) == {mover.id: "cancelled", queued.id: "confirmed"}
    assert db.session.get(type(target), target.id).seats_taken == 1


def test_the_move_page_offers_no_session_the_person_already_holds(ctx, make):
    model = make.model()
    first = make.session(model=model)
    held = make.session(model=model, starts_in=timedelta(days=20))
    free = make.session(model=model, starts_in=timedelta(days=25))
    person = make.employee()
    booking = book_seat(first.id, person, person)
    book_seat(held.id, person, person)
    assert [s.id for s in move_targets(booking, utcnow())] == [free.id]


def test_moving_to_a_full_session_changes_nothing(ctx, make):
    model = make.model()
    source = make.session(seats=2, model=model)
    full = make.session(seats=1, model=model, starts_in=timedelta(days=21))
    mover, other = make.employee(), make.employee()
    booking = book_seat(source.id, mover, mover)
    book_seat(full.id, other, other)
    with pytest.raises(DomainError, match="fullt"):
        move_booking(booking.id, full.id, mover)
    db.session.expire_all()
    assert _statuses(source.id) == {mover.id: "confirmed"}
    assert _statuses(full.id) == {other.id: "confirmed"}
    assert db.session.get(type(source), source.id).seats_taken == 1


def test_moving_to_another_model_or_the_same_session_is_refused(ctx, make):
    source = make.session()
    other_model = make.session(model=make.model("gruvteknik"))
    person = make.employee()
    booking = book_seat(source.id, person, person)
    with pytest.raises(DomainError, match="samma validering"):
        move_booking(booking.id, other_model.id, person)
    with pytest.raises(DomainError, match="annat pass"):
        move_booking(booking.id, source.id, person)
    with pytest.raises(NotFound):
        move_booking(booking.id, 999_999, person)
    assert db.session.get(Booking, booking.id).status == "confirmed"


def test_the_database_itself_refuses_an_oversold_session(ctx, make):
    session = make.session(seats=1)
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE validation_session SET seats_taken = 2 WHERE id = :id"), {"id": session.id}
        )
        db.session.commit()
    db.session.rollback()


def test_the_database_itself_refuses_two_live_bookings_of_one_employee(ctx, make):
    session = make.session(seats=3)
    person = make.employee()
    book_seat(session.id, person, person)
    with pytest.raises(IntegrityError):
        db.session.add(
            Booking(session_id=session.id, employee=person, booked_by=person, status="confirmed")
        )
        db.session.commit()
    db.session.rollback()


def test_a_cancelled_booking_does_not_stop_booking_again(ctx, make):
    session = make.session(seats=3)
    person = make.employee()
    first = book_seat(session.id, person, person)
    cancel_booking(first.id, person)
    again = book_seat(session.id, person, person)
    assert again.status == "confirmed" and again.id != first.id


def test_dates_use_stockholm_time(ctx, make):
    session = make.session(local_day=date(2027, 3, 30))  # the week after the spring change
    assert session.starts_at.hour == 6  # 08:00 CEST is 06:00 UTC
    winter = make.session(local_day=date(2027, 1, 12))
    assert winter.starts_at.hour == 7  # 08:00 CET is 07:00 UTC


def test_booking_window_follows_the_tcb_settings_from_the_environment(monkeypatch, database_url):
    """An operator sets TCB_BOOKING_OPENS_DAYS=10 and the rest; booking follows them."""
    monkeypatch.setenv("TCB_BOOKING_OPENS_DAYS", "10")
    monkeypatch.setenv("TCB_BOOKING_CLOSES_HOURS", "72")
    monkeypatch.setenv("TCB_CANCEL_DEADLINE_HOURS", "100")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["BOOKING_OPENS_DAYS"] == 10  # a number, not the text "10"
    try:
        with app.app_context():
            make = Factory()
            person = make.employee()
            far = make.session(starts_in=timedelta(days=20))
            near = make.session(starts_in=timedelta(days=5))
            soon = make.session(starts_in=timedelta(hours=60))
            with pytest.raises(DomainError) as refused:
                book_seat(far.id, person, person)
            assert refused.value.message == "Bokningen öppnar 10 dagar före passet."
            with pytest.raises(DomainError, match="stängde 72 timmar före start"):
                book_seat(soon.id, person, person)
            booking = book_seat(near.id, person, person)
            assert booking.status == "confirmed"
            # The employee may cancel until 100 hours before the start, not 99 hours before.
            with pytest.raises(DomainError, match="100 timmar före start"):
                cancel_booking(booking.id, person, now=near.starts_at - timedelta(hours=99))
            assert db.session.scalar(select(db.func.count(Booking.id))) == 1
            far_id = far.id
        # The visitor reads the same rule on the session page.
        html = app.test_client().get(f"/sessions/{far_id}").get_data(as_text=True)
        assert "Bokningen öppnar 10 dagar före passet." in html
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

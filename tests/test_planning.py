"""Capacity and conflict rules when test-center admins plan sessions."""

import itertools
import re
import threading
from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.bookings.closures import close_days
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.bookings.session_changes import cancel_session, move_session
from app.centers.models import CenterClosure, CenterWorkstation, WorkstationKind
from app.centers.services import closed_reason, holiday_name
from app.db import utcnow
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.regions.models import TravelBuffer
from app.regions.travel import travel_minutes
from app.results.services import check_in
from app.schedule.models import AssessorAbsence, AssessorAvailability, ValidationSession
from app.schedule.planning import (
    create_sessions,
    plan_session,
    preview,
    series_days,
)
from app.timeutil import to_local

# A Tuesday well ahead, with no holiday near it.
TUESDAY = date(2027, 9, 14)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def setting(ctx, make):
    center = make.center(computers=10)
    model = make.model()
    assessor = make.assessor(model)
    admin = make.person(("center_admin",), center=center)
    return center, model, assessor, admin


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 6, 21), "Midsommarafton"),
        (date(2025, 12, 24), "Julafton"),
        (date(2026, 6, 19), "Midsommarafton"),  # a Friday
        (date(2026, 12, 31), "Nyårsafton"),
        (date(2027, 1, 6), "Trettondedag jul"),
        (date(2027, 3, 26), "Långfredagen"),
        (date(2027, 5, 6), "Kristi himmelsfärdsdag"),
        (date(2027, 6, 7), None),  # an ordinary Monday
        (date(2027, 6, 6), "Nationaldagen"),  # a Sunday that is also a holiday
        (date(2027, 9, 12), "Söndag"),
    ],
)
def test_holidays_eves_and_sundays_close_every_year(app, day, name):
    with app.app_context():
        assert holiday_name(day) == name


# Lag (1989:253) and the de facto closed eves, by date, for a whole year (Easter: 5 April).
HOLIDAYS_2026 = {
    date(2026, 1, 1): "Nyårsdagen",
    date(2026, 1, 6): "Trettondedag jul",
    date(2026, 4, 3): "Långfredagen",
    date(2026, 4, 5): "Påskdagen",
    date(2026, 4, 6): "Annandag påsk",
    date(2026, 5, 1): "Första maj",
    date(2026, 5, 14): "Kristi himmelsfärdsdag",
    date(2026, 5, 24): "Pingstdagen",
    date(2026, 6, 6): "Nationaldagen",
    date(2026, 6, 19): "Midsommarafton",
    date(2026, 6, 20): "Midsommardagen",
    date(2026, 10, 31): "Alla helgons dag",
    date(2026, 12, 24): "Julafton",
    date(2026, 12, 25): "Juldagen",
    date(2026, 12, 26): "Annandag jul",
    date(2026, 12, 31): "Nyårsafton",
}


def test_a_whole_year_of_closed_days_comes_from_the_holiday_calendar(app):
    with app.app_context():
        closed = {}
        day = date(2026, 1, 1)
        while day.year == 2026:
            if (name := holiday_name(day)) and name != "Söndag":
                closed[day] = name
            day += timedelta(days=1)
    assert closed == HOLIDAYS_2026


@pytest.mark.parametrize(
    ("year", "midsummer_eve"),
    [
        (2024, date(2024, 6, 21)),
        (2025, date(2025, 6, 20)),
        (2026, date(2026, 6, 19)),
        (2027, date(2027, 6, 25)),
    ],
)
def test_the_eves_are_closed_in_every_year(app, year, midsummer_eve):
    with app.app_context():
        assert midsummer_eve.weekday() == 4  # always a Friday
        assert holiday_name(midsummer_eve) == "Midsommarafton"
        assert holiday_name(midsummer_eve - timedelta(days=7)) is None
        assert holiday_name(date(year, 12, 24)) == "Julafton"
        assert holiday_name(date(year, 12, 31)) == "Nyårsafton"


def test_past_dates_are_refused_when_planning_and_moving(setting, make):
    center, model, assessor, admin = setting
    now = utcnow()
    yesterday = (now - timedelta(days=1)).date()
    planned = plan_session(center, model, assessor, yesterday, time(9, 0))
    assert "Tiden har redan passerat." in planned.problems
    created, refused = create_sessions(
        center.id, model.id, assessor.id, [yesterday], time(9, 0), admin
    )
    assert created == [] and [p.day for p in refused] == [yesterday]
    created, _ = create_sessions(center.id, model.id, assessor.id, [TUESDAY], time(8, 0), admin)
    with pytest.raises(DomainError, match="redan passerat"):
        move_session(created[0].id, yesterday, time(9, 0), admin)
    db.session.expire_all()
    assert db.session.get(ValidationSession, created[0].id).local_date == TUESDAY


def test_a_center_closes_its_own_days_and_may_open_a_holiday(setting, make):
    center = setting[0]
    db.session.add_all(
        [
            CenterClosure(
                center_id=center.id,
                first_day=date(2027, 7, 5),
                last_day=date(2027, 7, 30),
                reason="Sommarstängt",
                open_anyway=False,
            ),
            CenterClosure(
                center_id=center.id,
                first_day=date(2027, 1, 6),
                last_day=date(2027, 1, 6),
                reason="Extrapass",
                open_anyway=True,
            ),
        ]
    )
    db.session.commit()
    assert closed_reason(center, date(2027, 7, 12)) == "Sommarstängt"
    assert closed_reason(center, date(2027, 1, 6)) is None
    assert closed_reason(center, date(2027, 12, 24)) == "Julafton"
    assert closed_reason(center, date(2027, 9, 18)) == "ingen öppettid den veckodagen"  # Saturday


def test_series_preview_lists_each_date_with_the_reason_it_is_refused(setting, make):
    center, model, assessor, _admin = setting
    # Tuesdays and Thursdays for ten weeks from 4 June 2026: midsommar is a Friday, so
    # try a series over Kristi himmelsfärd (Thursday 6 May 2027) instead.
    days = series_days(date(2027, 5, 4), 2, {1, 3})
    assert days == [date(2027, 5, 4), date(2027, 5, 6), date(2027, 5, 11), date(2027, 5, 13)]
    db.session.add(
        AssessorAbsence(
            person_id=assessor.id,
            first_day=date(2027, 5, 13),
            last_day=date(2027, 5, 14),
            reason="Semester",
        )
    )
    db.session.commit()
    plans = preview(center, model, assessor, days, time(8, 0))
    assert [p.ok for p in plans] == [True, False, True, False]
    assert "Kristi himmelsfärdsdag" in plans[1].problems[0]
    # That they are away, not why: the reason is the testledare's own.
    assert "är ledig den dagen" in " ".join(plans[3].problems)
    assert "Semester" not in " ".join(plans[3].problems)
    assert plans[0].seats == min(model.max_group_size, 10)
    assert db.session.scalar(select(func.count(ValidationSession.id))) == 0  # nothing saved
    late = plan_session(center, model, assessor, TUESDAY, time(15, 0))
    assert "öppettiderna" in " ".join(late.problems)


def test_series_bounds_are_checked():
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput):
        series_days(TUESDAY, 0, {1})
    with pytest.raises(InvalidInput):
        series_days(TUESDAY, 3, set())


def test_seats_come_from_free_workstations_and_overlaps_never_exceed_them(setting, make):
    center, model, assessor, admin = setting
    other_assessor = make.assessor(model)
    created, _ = create_sessions(center.id, model.id, assessor.id, [TUESDAY], time(8, 0), admin)
    assert created[0].seats == min(model.max_group_size, 10)
    # An overlapping session gets what is left, and then nothing is left at all.
    plan = plan_session(center, model, other_assessor, TUESDAY, time(9, 0))
    assert plan.seats == 10 - created[0].seats
    if plan.seats:
        create_sessions(center.id, model.id, other_assessor.id, [TUESDAY], time(9, 0), admin)
    third = plan_session(center, model, make.assessor(model), TUESDAY, time(10, 0))
    assert third.seats == 0 and "arbetsplatser" in third.problems[0]
    used = db.session.scalar(select(func.sum(ValidationSession.seats)))
    assert used <= 10


def test_a_model_needs_its_kind_of_workstation(setting, make):
    center, _model, _assessor, _admin = setting
    welding = make.model("svets-vit")
    plan = plan_session(center, welding, make.assessor(welding), TUESDAY, time(8, 0))
    assert plan.seats == 0 and "Svetsbås" in " ".join(plan.problems)
    booth = db.session.scalar(
        select(WorkstationKind).where(WorkstationKind.code == "welding_booth")
    )
    db.session.add(CenterWorkstation(center_id=center.id, kind_id=booth.id, count=3))
    db.session.commit()
    assert plan_session(center, welding, make.assessor(welding), TUESDAY, time(8, 0)).seats == 3


def test_testledare_is_never_in_two_places_without_travel_time(setting, make):
    center, model, assessor, admin = setting
    create_sessions(center.id, model.id, assessor.id, [TUESDAY], time(8, 0), admin)  # 08–11
    same_time = make.center(municipality="Luleå")
    assert "redan ett pass" in " ".join(
        plan_session(same_time, model, assessor, TUESDAY, time(9, 0)).problems
    )
    # Same municipality: no buffer, so 11:00 is fine.
    assert plan_session(same_time, model, assessor, TUESDAY, time(11, 0)).ok
    # Another municipality: the estimate from the distance (Luleå–Piteå 43 km: 45 min),
    # or what the pair's setting says.
    pitea = make.center(municipality="Piteå")
    assert "hinner inte resa från Luleå (restid 45 min)" in " ".join(
        plan_session(pitea, model, assessor, TUESDAY, time(11, 30)).problems
    )
    assert plan_session(pitea, model, assessor, TUESDAY, time(11, 45)).ok
    low, high = sorted((center.municipality_id, pitea.municipality_id))
    db.session.add(TravelBuffer(from_municipality_id=low, to_municipality_id=high, minutes=30))
    db.session.commit()
    assert plan_session(pitea, model, assessor, TUESDAY, time(11, 30)).ok


def test_authorisation_availability_and_accreditation_are_checked_on_the_date(setting, make):
    center, model, _assessor, _admin = setting
    expiring = make.assessor(model, valid_to=TUESDAY - timedelta(days=1))
    assert "behörighet" in " ".join(
        plan_session(center, model, expiring, TUESDAY, time(8)).problems
    )
    part_time = make.assessor(model)
    db.session.add(
        AssessorAvailability(person_id=part_time.id, weekday=1, starts=time(12), ends=time(17))
    )
    db.session.commit()
    assert "arbetar inte" in " ".join(
        plan_session(center, model, part_time, TUESDAY, time(8)).problems
    )
    assert plan_session(center, model, part_time, TUESDAY, time(13)).ok
    lapsed = make.center(accredited_to=TUESDAY - timedelta(days=1))
    assert "ackreditering" in " ".join(
        plan_session(lapsed, model, make.assessor(model), TUESDAY, time(8)).problems
    )


def test_only_the_centers_admins_may_plan(setting, make):
    center, model, assessor, _admin = setting
    other_admin = make.person(("center_admin",), center=make.center())
    with pytest.raises(Forbidden):
        create_sessions(center.id, model.id, assessor.id, [TUESDAY], time(8), other_admin)
    project_admin = make.person(("project_admin",))
    created, _ = create_sessions(
        center.id, model.id, assessor.id, [TUESDAY], time(8), project_admin
    )
    assert len(created) == 1


def test_moving_keeps_wall_clock_time_across_daylight_saving(setting, make):
    center, model, assessor, admin = setting
    # Tuesday before and after the change to summer time on 28 March 2027.
    created, _ = create_sessions(
        center.id, model.id, assessor.id, [date(2027, 3, 23)], time(8), admin
    )
    moved = move_session(created[0].id, date(2027, 3, 30), time(8), admin)
    assert to_local(moved.starts_at).time() == time(8, 0)
    assert moved.starts_at.hour == 6  # 08:00 CEST
    assert created[0].starts_at.hour == 6
    series, _ = create_sessions(
        center.id, model.id, assessor.id, series_days(date(2027, 10, 26), 2, {1}), time(8), admin
    )
    assert [to_local(s.starts_at).hour for s in series] == [8, 8]
    assert [s.starts_at.hour for s in series] == [6, 7]  # before and after 31 October


def test_a_time_the_clocks_skip_or_repeat_is_refused_not_moved(setting, make):
    """02.30 on 28 March 2027 never happens (it became 03.30) and on 31 October it
    happens twice (it took the summer-time one): either way, say so."""
    center, model, assessor, _admin = setting
    for day in (date(2027, 3, 28), date(2027, 10, 31)):
        for clock in (time(2, 0), time(2, 30)):
            plan = plan_session(center, model, assessor, day, clock)
            assert any("finns inte eller finns två gånger" in p for p in plan.problems), plan
        plan = plan_session(center, model, assessor, day, time(3, 0))
        assert not any("två gånger" in p for p in plan.problems)
    # The time as the reader writes it: 02.30 in Swedish, 02:30 in English.
    assert "Klockan 02.30 finns inte" in " ".join(
        plan_session(*setting[:3], day, time(2, 30)).problems
    )
    with force_locale("en"):
        said = " ".join(plan_session(center, model, assessor, day, time(2, 30)).problems)
    assert "02:30" in said and "02.30" not in said


def test_a_move_that_would_give_a_participant_two_seats_at_once_is_refused(setting, make):
    """Staff moving a session may not do what a booking may not: seat someone twice."""
    center, model, assessor, admin = setting
    (moving,), _ = create_sessions(
        center.id, model.id, assessor.id, [date(2027, 9, 14)], time(8), admin
    )
    elsewhere = make.session(
        center=make.center(name="Annat center"), local_day=date(2027, 9, 15), local_time=time(9)
    )
    person, other = make.employee(name="Klara Krock"), make.employee()
    booked_at = moving.starts_at - timedelta(days=20)
    for session, who in ((moving, person), (moving, other), (elsewhere, person)):
        book_seat(session.id, who, who, now=booked_at)
    with pytest.raises(
        DomainError, match="Deltagare har en annan bokning vid den tiden: Klara Krock"
    ):
        move_session(moving.id, date(2027, 9, 15), time(8), admin)
    db.session.expire_all()
    assert to_local(db.session.get(ValidationSession, moving.id).starts_at).date() == date(
        2027, 9, 14
    )
    # Before the other one starts it is no clash (08:00-11:00 would be; 13:00 is not).
    moved = move_session(moving.id, date(2027, 9, 15), time(13), admin)
    assert to_local(moved.starts_at).hour == 13


def test_a_move_that_no_longer_fits_the_booked_is_refused(setting, make):
    center, model, assessor, admin = setting
    created, _ = create_sessions(center.id, model.id, assessor.id, [TUESDAY], time(8), admin)
    session = created[0]
    for _ in range(3):
        person = make.employee()
        book_seat(session.id, person, person, now=session.starts_at - timedelta(days=30))
    blocker, _ = create_sessions(
        center.id, model.id, make.assessor(model).id, [TUESDAY + timedelta(days=1)], time(8), admin
    )
    assert blocker[0].seats == 10  # it takes every computer that Wednesday
    with pytest.raises(DomainError, match="bokade"):
        move_session(session.id, TUESDAY + timedelta(days=1), time(9), admin)
    with pytest.raises(DomainError, match="Stängt"):
        move_session(session.id, date(2027, 12, 24), time(8), admin)
    assert db.session.get(ValidationSession, session.id).starts_at == session.starts_at


def test_cancelling_a_session_cancels_its_bookings(setting, make):
    center, model, assessor, admin = setting
    created, _ = create_sessions(center.id, model.id, assessor.id, [TUESDAY], time(8), admin)
    session = created[0]
    person = make.employee()
    book_seat(session.id, person, person, now=session.starts_at - timedelta(days=30))
    cancel_session(session.id, admin, "Testledaren är sjuk")
    db.session.expire_all()
    assert db.session.get(ValidationSession, session.id).status == "cancelled"
    statuses = db.session.scalars(select(Booking.status)).all()
    assert statuses == ["cancelled"]
    with pytest.raises(DomainError, match="inställt"):
        cancel_session(session.id, admin)


def _checked_in_soon(setting, make, seats=5):
    """A session at the setting's center starting in 30 minutes, one person checked in
    (check-in opens an hour before the start) and one only booked."""
    center, model, assessor, _admin = setting
    session = make.session(
        seats=seats, starts_in=timedelta(minutes=30), center=center, model=model, assessor=assessor
    )
    here, coming = make.employee(), make.employee()
    for person in (here, coming):
        book_seat(session.id, person, person, now=utcnow() - timedelta(days=3))
    here_booking = db.session.scalar(select(Booking).where(Booking.employee_id == here.id))
    check_in(here_booking.id, assessor)
    return session, here_booking.id


def test_cancelling_a_session_cancels_the_checked_in_too(setting, make):
    """A session called off after check-in opened (a fire alarm): the checked-in person's
    booking ends with it, as everyone's does, and the seat count agrees."""
    session, checked_in = _checked_in_soon(setting, make)
    cancel_session(session.id, setting[3], "Brandlarm")
    db.session.expire_all()
    assert db.session.get(Booking, checked_in).status == "cancelled"
    assert set(db.session.scalars(select(Booking.status))) == {"cancelled"}
    assert db.session.get(ValidationSession, session.id).seats_taken == 0


def test_a_move_takes_back_check_ins_made_for_the_old_time(setting, make):
    session, checked_in = _checked_in_soon(setting, make)
    _center, _model, assessor, admin = setting
    move_session(session.id, TUESDAY, time(8), admin, assessor.id)
    db.session.expire_all()
    booking = db.session.get(Booking, checked_in)
    assert booking.status == "confirmed" and booking.checked_in_at is None
    moved = db.session.get(ValidationSession, session.id)
    assert moved.seats_taken == 2 and to_local(moved.starts_at).date() == TUESDAY


def test_a_checked_in_participant_busy_at_the_new_time_refuses_the_move(setting, make):
    """Checked in counts as holding the seat: moving onto another session of theirs
    would make them booked twice at once when the check-in is taken back."""
    session, checked_in = _checked_in_soon(setting, make)
    _center, model, assessor, admin = setting
    person = db.session.get(Booking, checked_in).employee
    elsewhere = make.session(local_day=TUESDAY, local_time=time(8), model=model)
    book_seat(elsewhere.id, person, person, now=elsewhere.starts_at - timedelta(days=30))
    with pytest.raises(DomainError, match=person.name):
        move_session(session.id, TUESDAY, time(8), admin, assessor.id)
    db.session.expire_all()
    assert db.session.get(Booking, checked_in).status == "attended"


def test_the_form_saved_as_it_was_changes_no_seats(setting, make):
    """Saving the manage form unchanged (or only another testledare) neither recounts the
    seats from today's workstations nor gives any to the queue: nothing was changed."""
    center, model, assessor, admin = setting
    session = make.session(
        seats=1,
        local_day=TUESDAY,
        local_time=time(8),
        center=center,
        model=model,
        assessor=assessor,
    )
    seated, queued = make.employee(), make.employee()
    for person in (seated, queued):
        book_seat(session.id, person, person, now=session.starts_at - timedelta(days=30))
    move_session(session.id, TUESDAY, time(8), admin)
    move_session(session.id, TUESDAY, time(8), admin, make.assessor(model).id)
    db.session.expire_all()
    assert db.session.get(ValidationSession, session.id).seats == 1
    assert db.session.scalar(select(Booking.status).where(Booking.employee_id == queued.id)) == (
        "waitlisted"
    )


def test_more_seats_at_the_new_time_go_to_the_waitlist_first(setting, make):
    """A move that gives the session more seats fills them from its waitlist in order,
    as a freed seat does, before anyone new can book."""
    center, model, assessor, admin = setting
    session = make.session(
        seats=2,
        local_day=TUESDAY,
        local_time=time(8),
        center=center,
        model=model,
        assessor=assessor,
    )
    people = [make.employee() for _ in range(4)]
    for person in people:
        book_seat(session.id, person, person, now=session.starts_at - timedelta(days=30))
    moved = move_session(session.id, TUESDAY + timedelta(days=1), time(8), admin)
    assert moved.seats == 10
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Booking.employee_id, Booking.status)).all())
    assert [statuses[p.id] for p in people] == ["confirmed"] * 4
    assert db.session.get(ValidationSession, session.id).seats_taken == 4


# Planning races: each racer is a thread with its own app context (its own database
# session and connection) and its own admin; a barrier releases them together.
# Every pair at least 90 minutes apart by the estimate (Kiruna–Gällivare is the closest).
RACE_MUNICIPALITIES = [
    "Luleå",
    "Haparanda",
    "Pajala",
    "Kiruna",
    "Gällivare",
    "Arjeplog",
    "Skellefteå",
    "Umeå",
    "Lycksele",
    "Vilhelmina",
]


def _race(app, jobs):
    """Run each job(admin) at the same instant; return ("won"|"refused"|"error", detail)."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [("error", "did not finish")] * len(jobs)

    def run(index, admin_id, job):
        with app.app_context():
            from app.accounts.models import Person

            try:
                admin = db.session.get(Person, admin_id)
                barrier.wait(timeout=60)
                outcomes[index] = job(admin)
            except DomainError as error:
                outcomes[index] = ("refused", error.message)
            except Exception as error:  # a database error or a bug: the test reports it
                outcomes[index] = ("error", repr(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=run, args=(i, admin_id, job))
        for i, (admin_id, job) in enumerate(jobs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return outcomes


def test_the_same_closure_sent_four_times_at_once_is_stored_once(app, make):
    """A double click, or four, on the closure form: the center's row is locked first,
    so each later one sees the first and is refused."""
    with app.app_context():
        center = make.center()
        admin = make.person(("center_admin",), center=center)
        center_id, admin_id = center.id, admin.id

    def closing(actor):
        close_days(center_id, date(2027, 2, 10), date(2027, 2, 10), "Studiedag", False, actor)
        return ("won", None)

    outcomes = _race(app, [(admin_id, closing)] * 4)
    assert sorted(kind for kind, _ in outcomes) == ["refused"] * 3 + ["won"], outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 1


def _creating(center_id, model_id, assessor_id, day, start):
    def job(admin):
        created, refused = create_sessions(center_id, model_id, assessor_id, [day], start, admin)
        if created:
            return ("won", created[0].id)
        return ("refused", " ".join(refused[0].problems))

    return job


def _moving(session_id, day, start):
    def job(admin):
        return ("won", move_session(session_id, day, start, admin).id)

    return job


def test_ten_admins_assigning_one_testledare_at_once_only_one_wins(app, make):
    """Ten admins of ten centers in ten municipalities want one testledare on one Tuesday.

    Seven create a session, three move one of the testledare's sessions from later in
    the week onto it; half at 08:00 and half at 12:00, so that every pair collides:
    head-on at the same hour, and by the travel time between municipalities (at least
    90 minutes for these) across them (08–11 and 12–15). Nothing else stands in
    anyone's way, so exactly one may win and every other is told why.
    """
    starts = [time(8), time(12)]
    with app.app_context():
        model = make.model()
        assessor = make.assessor(model)
        centers = [make.center(municipality=m) for m in RACE_MUNICIPALITIES]
        admins = [make.person(("center_admin",), center=c) for c in centers]
        jobs, moved = [], []
        for i, (center, admin) in enumerate(zip(centers, admins, strict=True)):
            start = starts[i % len(starts)]
            if i < 7:
                jobs.append((admin.id, _creating(center.id, model.id, assessor.id, TUESDAY, start)))
                assert plan_session(center, model, assessor, TUESDAY, start).ok
                continue
            later = TUESDAY + timedelta(days=i - 6)  # Wednesday, Thursday, Friday
            (session,), _ = create_sessions(
                center.id, model.id, assessor.id, [later], time(8), admin
            )
            moved.append(session.id)
            jobs.append((admin.id, _moving(session.id, TUESDAY, start)))
            assert plan_session(
                center, model, assessor, TUESDAY, start, exclude_session_id=session.id
            ).ok
        model_id, assessor_id, name = model.id, assessor.id, assessor.name

    outcomes = _race(app, jobs)

    assert [o for o in outcomes if o[0] == "error"] == []
    winners = [detail for kind, detail in outcomes if kind == "won"]
    assert len(winners) == 1, outcomes
    refusals = [message for kind, message in outcomes if kind == "refused"]
    assert len(refusals) == len(jobs) - 1
    for message in refusals:
        assert re.fullmatch(
            rf"{name} (har redan ett pass \d\d\.00|hinner inte resa från \w+ "
            rf"\(restid \d+ min\))\.",
            message,
        ), message
    # The winner's hour collides head-on, the other hour by the travel time.
    assert sum("har redan ett pass" in m for m in refusals) == 4
    assert sum("hinner inte resa" in m for m in refusals) == 5
    with app.app_context():
        sessions = db.session.scalars(
            select(ValidationSession)
            .where(
                ValidationSession.assessor_id == assessor_id,
                ValidationSession.status == "scheduled",
            )
            .order_by(ValidationSession.starts_at)
        ).all()
        # The three sessions that might move, plus the new one if a creator won.
        assert len(sessions) == 3 + (winners[0] not in moved)
        on_tuesday = [s for s in sessions if s.local_date == TUESDAY]
        assert [s.id for s in on_tuesday] == winners
        for first, second in itertools.pairwise(sessions):
            gap = timedelta(
                minutes=travel_minutes(first.center.municipality_id, second.center.municipality_id)
            )
            assert first.ends_at + gap <= second.starts_at, (first.id, second.id)
        assert all(s.model_id == model_id for s in sessions)


def test_admins_of_one_center_racing_for_its_welding_booths_never_overbook_them(app, make):
    """Eight admins of one center with six welding booths plan overlapping welding sessions.

    Six create a Svets session (VIT, GRÖN or BLÅ, all needing a booth, four per group)
    and two move one from later in the week, each with a testledare of their own; all
    overlap 11:00–12:00. The first to save gets four booths, the next the two left,
    the rest are refused for want of booths.
    """
    booths = 6
    codes = ["svets-vit", "svets-gron", "svets-bla"]
    starts = [time(7), time(7, 30), time(8), time(9), time(10), time(11)]
    with app.app_context():
        center = make.center(computers=12)
        kind = db.session.scalar(
            select(WorkstationKind).where(WorkstationKind.code == "welding_booth")
        )
        db.session.add(CenterWorkstation(center_id=center.id, kind_id=kind.id, count=booths))
        db.session.commit()
        jobs, moved = [], {}
        for i in range(8):
            model = make.model(codes[i % len(codes)])
            assessor = make.assessor(model)
            admin = make.person(("center_admin",), center=center)
            if i < len(starts):
                start = starts[i]
                jobs.append((admin.id, _creating(center.id, model.id, assessor.id, TUESDAY, start)))
                assert plan_session(center, model, assessor, TUESDAY, start).seats == 4
                continue
            later = TUESDAY + timedelta(days=i - 5)  # Wednesday, Thursday
            (session,), _ = create_sessions(
                center.id, model.id, assessor.id, [later], time(8), admin
            )
            moved[session.id] = later
            start = time(9, 30) if i % 2 else time(10, 30)
            jobs.append((admin.id, _moving(session.id, TUESDAY, start)))
            assert (
                plan_session(
                    center, model, assessor, TUESDAY, start, exclude_session_id=session.id
                ).seats
                == 4
            )
        center_id = center.id

    outcomes = _race(app, jobs)

    assert [o for o in outcomes if o[0] == "error"] == []
    winners = [detail for kind, detail in outcomes if kind == "won"]
    assert len(winners) == 2, outcomes
    for kind, message in outcomes:
        if kind == "refused":
            assert message == "Inga lediga arbetsplatser av typen Svetsbås.", message
    with app.app_context():
        sessions = db.session.scalars(
            select(ValidationSession).where(
                ValidationSession.center_id == center_id,
                ValidationSession.status == "scheduled",
            )
        ).all()
        tuesday = [s for s in sessions if s.local_date == TUESDAY]
        assert sorted(s.id for s in tuesday) == sorted(winners)
        assert sorted(s.seats for s in tuesday) == [2, 4]
        for moment in {s.starts_at for s in sessions}:
            in_use = sum(s.seats for s in sessions if s.starts_at <= moment < s.ends_at)
            assert in_use <= booths, moment
        # A move that lost leaves its session where it was, with its seats.
        for session in sessions:
            if session.id in moved and session.id not in winners:
                assert session.local_date == moved[session.id] and session.seats == 4

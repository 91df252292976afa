"""Closing a center's days over planned sessions, removing closures, and the holiday list."""

import threading
from datetime import date, time, timedelta

import holidays
import icalendar
import pytest
from sqlalchemy import func, select

from app.accounts.models import Person
from app.bookings.closures import SessionsOnClosedDays, close_days
from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.centers.models import CenterClosure, OpeningHours, TestCenter
from app.centers.services import closed_reason
from app.db import utcnow
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.formatting import long_date
from app.schedule.models import ValidationSession
from app.schedule.planning import create_sessions
from app.timeutil import local_date
from tests.calendars import invite_of, last_id, outbox, parse_mail
from tests.forms import form_of, page_form

TUESDAY = date(2027, 9, 14)
MIDSOMMARAFTON = date(2027, 6, 25)


def _plan(ids, day=TUESDAY, start=time(8), bookers=2, make=None):
    """A session planned through the service, with `bookers` employees booked."""
    admin = db.session.get(Person, ids["admin"])
    created, refused = create_sessions(
        ids["center"], ids["model"], ids["assessor"], [day], start, admin
    )
    assert not refused, [r.problems for r in refused]
    session = created[0]
    people = [make.employee() for _ in range(bookers)]
    for person in people:
        book_seat(session.id, person, person, now=session.starts_at - timedelta(days=20))
    return session.id, [p.email for p in people]


def _close_form(client, ids, **values):
    form = page_form(client, f"/centers/{ids['center']}/closures", button="Lägg till")
    return form.fill(**values)


def test_a_closure_over_booked_sessions_shows_them_and_cancels_them_when_asked(
    app, client, make, center_admin
):
    ids = center_admin
    with app.app_context():
        sid, emails = _plan(ids, make=make)
        mark = last_id()
    asked = _close_form(client, ids, first_day="2027-09-14", reason="Vattenläcka").submit()
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Planerade pass på de stängda dagarna" in html
    assert "tisdag 14 september 2027" in html and "08.00" in html
    # One closed day is named once, not as a range from the day to itself.
    assert "tisdag 14 september 2027 (Vattenläcka)" in html
    assert "2027–tisdag" not in html
    assert "Industriteknik BAS" in html and "2 bokade" in html
    with app.app_context():
        # Asking saved nothing: no closure, the session still planned and booked.
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        assert db.session.get(ValidationSession, sid).status == "scheduled"
        assert outbox(mark) == []
    done = form_of(asked, client, button="Ställ in 1 pass").submit("Ställ in 1 pass")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Stängningen är sparad och 1 pass är inställt." in page
    with app.app_context():
        (closure,) = db.session.scalars(select(CenterClosure)).all()
        assert (closure.first_day, closure.last_day, closure.reason) == (
            TUESDAY,
            TUESDAY,
            "Vattenläcka",
        )
        assert db.session.get(ValidationSession, sid).status == "cancelled"
        statuses = db.session.scalars(select(Booking.status).where(Booking.session_id == sid))
        assert set(statuses) == {"cancelled"}
        # Everyone booked and the testledare get the cancellation, as from the manage page.
        cancels = [r for r in outbox(mark) if b"METHOD:CANCEL" in invite_of(r)]
        assert sorted(r.recipient for r in cancels) == sorted([*emails, ids["assessor_email"]])


def test_not_saving_the_closure_keeps_the_sessions(app, client, make, center_admin):
    ids = center_admin
    with app.app_context():
        sid, _ = _plan(ids, make=make, bookers=1)
    asked = _close_form(
        client, ids, first_day="2027-09-13", last_day="2027-09-17", reason="Ombyggnad"
    ).submit()
    assert "1 bokad" in asked.get_data(as_text=True)
    kept = form_of(asked, client, button="Spara inte stängningen").submit(
        "Spara inte stängningen", follow_redirects=True
    )
    assert "Stängningen sparades inte. De planerade passen är kvar." in kept.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        session = db.session.get(ValidationSession, sid)
        assert session.status == "scheduled" and session.seats_taken == 1


def test_a_closure_without_sessions_is_saved_at_once(app, client, make, center_admin):
    ids = center_admin
    with app.app_context():
        sid, _ = _plan(ids, make=make, bookers=1)
    # The day after the session: nothing planned there.
    saved = _close_form(client, ids, first_day="2027-09-15", reason="Studiedag").submit()
    assert saved.status_code == 302
    assert "Stängningen är sparad." in client.get(saved.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 1
        assert db.session.get(ValidationSession, sid).status == "scheduled"


def test_a_session_planned_after_the_question_is_asked_about_too(app, client, make, center_admin):
    ids = center_admin
    with app.app_context():
        first, _ = _plan(ids, make=make, bookers=1)
    asked = _close_form(client, ids, first_day="2027-09-14", reason="Vattenläcka").submit()
    confirm = form_of(asked, client, button="Ställ in 1 pass och spara stängningen")
    with app.app_context():
        second, _ = _plan(ids, start=time(13), make=make, bookers=0)
    again = confirm.submit("Ställ in 1 pass")
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "har ändrats sedan du tittade" in html
    assert "13.00" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        assert {db.session.get(ValidationSession, s).status for s in (first, second)} == {
            "scheduled"
        }
    done = form_of(again, client, button="Ställ in 2 pass").submit("Ställ in 2 pass")
    assert done.status_code == 302
    with app.app_context():
        assert {db.session.get(ValidationSession, s).status for s in (first, second)} == {
            "cancelled"
        }


def test_a_tampered_session_list_is_refused_and_nothing_changes(app, client, make, center_admin):
    ids = center_admin
    with app.app_context():
        sid, _ = _plan(ids, make=make, bookers=1)
    asked = _close_form(client, ids, first_day="2027-09-14", reason="Vattenläcka").submit()
    confirm = form_of(asked, client, button="Spara inte stängningen")
    bad = confirm.set("cancel_ids", "1; DROP TABLE").submit("Ställ in 1 pass och spara stängningen")
    assert bad.status_code == 400 and "Listan över pass är felaktig." in bad.get_data(as_text=True)
    # A list of white space passed Optional() and then failed int() (a 500): it agrees
    # to nothing.
    blank = confirm.set("cancel_ids", "   ").submit("Ställ in 1 pass och spara stängningen")
    assert blank.status_code == 200 and "har ändrats sedan du tittade" in blank.get_data(
        as_text=True
    )
    # Agreeing to cancel some other session does not cancel this one.
    other = confirm.set("cancel_ids", str(sid + 1000)).submit("Ställ in 1 pass")
    assert other.status_code == 200 and "har ändrats sedan du tittade" in other.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        assert db.session.get(ValidationSession, sid).status == "scheduled"


def test_the_service_refuses_a_closure_nobody_chose_for(app, make, center_admin):
    ids = center_admin
    with app.app_context():
        sid, _ = _plan(ids, make=make, bookers=1)
        admin = db.session.get(Person, ids["admin"])
        with pytest.raises(SessionsOnClosedDays) as refused:
            close_days(ids["center"], TUESDAY, TUESDAY, "Vattenläcka", False, admin)
        assert [s.id for s in refused.value.sessions] == [sid]
        assert refused.value.status_code == 409
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        # An "open anyway" entry on an ordinary day opens nothing: refused, and it
        # closes nothing either.
        with pytest.raises(InvalidInput, match="redan öppna"):
            close_days(ids["center"], TUESDAY, TUESDAY, "Extra öppet", True, admin)
        assert db.session.get(ValidationSession, sid).status == "scheduled"
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0


def test_closing_a_day_while_a_session_is_planned_on_it_never_leaves_both(app, make, center_admin):
    """Two admins at once: one plans a session on the day, the other closes the day."""
    ids = center_admin
    ready = threading.Barrier(2)
    outcome = {}

    def plan():
        with app.app_context():
            admin = db.session.get(Person, ids["admin"])
            ready.wait()
            created, _refused = create_sessions(
                ids["center"], ids["model"], ids["assessor"], [TUESDAY], time(8), admin
            )
            outcome["planned"] = bool(created)
            db.session.remove()

    def close():
        with app.app_context():
            admin = db.session.get(Person, ids["admin"])
            ready.wait()
            try:
                close_days(ids["center"], TUESDAY, TUESDAY, "Vattenläcka", False, admin, [])
                outcome["closed"] = True
            except DomainError:
                outcome["closed"] = False
            db.session.remove()

    threads = [threading.Thread(target=plan), threading.Thread(target=close)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome["planned"] != outcome["closed"], outcome
    with app.app_context():
        closed = db.session.scalar(select(func.count(CenterClosure.id)))
        live = db.session.scalar(
            select(func.count(ValidationSession.id)).where(ValidationSession.status == "scheduled")
        )
        assert (closed, live) in ((1, 0), (0, 1))


def test_removing_a_closure_asks_first_then_says_what_happened(app, client, center_admin):
    ids = center_admin
    added = _close_form(
        client, ids, first_day="2027-07-01", last_day="2027-07-31", reason="Sommar"
    ).submit()
    assert added.status_code == 302
    listing = client.get(f"/centers/{ids['center']}/closures").get_data(as_text=True)
    with app.app_context():
        closure_id = db.session.scalar(select(CenterClosure.id))
    assert f'href="/closures/{closure_id}/delete"' in listing
    ask = client.get(f"/closures/{closure_id}/delete")
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Ta bort ”Sommar”?" in html
    assert "öppna igen enligt öppettiderna" in html
    assert f'href="/centers/{ids["center"]}/closures"' in html  # Nej, tillbaka
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 1
    removed = form_of(ask, client, button="Ja, ta bort").submit(follow_redirects=True)
    assert "Stängningen är borttagen: Sommar. Dagarna följer öppettiderna igen." in (
        removed.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
    assert client.get(f"/closures/{closure_id}/delete").status_code == 404


def test_removing_an_opened_holiday_cancels_its_sessions_when_confirmed(
    app, client, make, center_admin
):
    ids = center_admin
    opened = _close_form(
        client, ids, first_day="2027-06-25", reason="Öppet midsommarafton", open_anyway="y"
    ).submit()
    assert opened.status_code == 302
    with app.app_context():
        sid, _ = _plan(ids, day=MIDSOMMARAFTON, make=make, bookers=1)
        closure_id = db.session.scalar(select(CenterClosure.id))
    ask = client.get(f"/closures/{closure_id}/delete")
    html = ask.get_data(as_text=True)
    assert "Tas det bort är dagen stängd igen." in html
    assert "fredag 25 juni 2027" in html and "1 bokad" in html
    done = form_of(ask, client, button="Ja, ta bort och ställ in passen").submit(
        follow_redirects=True
    )
    page = done.get_data(as_text=True)
    assert "Undantaget är borttaget: Öppet midsommarafton. Dagen är stängd igen." in page
    assert "1 pass ställdes in." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        assert db.session.get(ValidationSession, sid).status == "cancelled"


def test_the_closures_page_lists_the_coming_holidays(app, client, center_admin):
    ids = center_admin
    today = local_date(utcnow())
    coming = {
        day: name
        for year in (today.year, today.year + 1)
        for day, name in holidays.Sweden(
            years=year, categories=(holidays.PUBLIC, holidays.DE_FACTO), language="sv"
        ).items()
        if today <= day <= today + timedelta(days=365)
    }
    midsommar = next(day for day, name in coming.items() if name == "Midsommarafton")
    _close_form(
        client, ids, first_day=midsommar.isoformat(), reason="Öppet ändå", open_anyway="y"
    ).submit()
    html = client.get(f"/centers/{ids['center']}/closures").get_data(as_text=True)
    assert "Helgdagar de närmaste 12 månaderna" in html
    with app.test_request_context():
        for day, name in coming.items():
            assert f"<td>{long_date(day)}</td><td>{name}</td>" in html, (day, name)
        assert (
            f"<td>{long_date(midsommar)}</td><td>Midsommarafton</td><td>Öppet (undantag)</td>"
            in html
        )
    later = today + timedelta(days=400)
    with app.test_request_context():
        assert long_date(later) not in html


@pytest.mark.parametrize("field", ["first_day", "last_day"])
def test_a_closure_in_year_9999_is_a_form_error_and_nothing_is_saved(
    app, client, center_admin, field
):
    values = {"first_day": "2027-09-15", "reason": "Studiedag", field: "9999-12-31"}
    answer = _close_form(client, center_admin, **values).submit()
    assert answer.status_code == 400
    assert "Välj ett datum mellan år 2000 och 2100." in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0


def test_a_closure_tells_each_reader_in_their_own_language(app, client, make, center_admin):
    """The admin's reason is theirs; "the test center is closed" is said in each
    recipient's language, and the testledare's cancelled event says why too, without a
    check-in link for a session nobody will run."""
    ids = center_admin
    with app.app_context():
        sid, (english, swedish) = _plan(ids, make=make)
        db.session.scalar(select(Person).where(Person.email == english)).locale = "en"
        db.session.commit()
        mark = last_id()
    asked = _close_form(client, ids, first_day="2027-09-14", reason="Vattenläcka").submit()
    form_of(asked, client, button="Ställ in 1 pass").submit("Ställ in 1 pass")
    with app.app_context():
        rows = {r.recipient: r for r in outbox(mark)}
        told = {email: parse_mail(rows[email].raw) for email in (english, swedish)}
        told["assessor"] = parse_mail(rows[ids["assessor_email"]].raw)
        events = {
            who: _description(invite_of(rows[email]))
            for who, email in (
                ("en", english),
                ("sv", swedish),
                ("assessor", ids["assessor_email"]),
            )
        }
    text = {who: m.get_body(("plain",)).get_content() for who, m in told.items()}
    assert "Reason: The test center is closed: Vattenläcka" in text[english]
    assert "Testcentret" not in text[english]
    assert "Anledning: Testcentret är stängt: Vattenläcka" in text[swedish]
    assert "Anledning: Testcentret är stängt: Vattenläcka" in text["assessor"]
    assert "The test center has cancelled the session.\n" in events["en"]
    assert "Reason: The test center is closed: Vattenläcka" in events["en"]
    assert "Anledning: Testcentret är stängt: Vattenläcka" in events["sv"]
    assert "Anledning: Testcentret är stängt: Vattenläcka" in events["assessor"]
    assert "incheckning" not in events["assessor"] and f"/sessions/{sid}" not in events["assessor"]


def _description(ics: bytes) -> str:
    (event,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return str(event["DESCRIPTION"])


def test_open_anyway_only_opens_what_is_closed_and_sunday_hours_open_sundays(
    app, client, make, center_admin
):
    """ "Öppet trots helgdag" on a working day, twice for one holiday, or over the
    center's own closure (which wins) is refused with the reason; a center that gives
    Sunday its own opening hours opens its plain Sundays, not Easter Day."""
    ids = center_admin
    ordinary = _close_form(client, ids, first_day="2027-01-05", reason="Extra", open_anyway="y")
    refused = ordinary.submit()
    assert refused.status_code == 400 and "redan öppna" in refused.get_data(as_text=True)
    # The form comes back as typed, the reason at the box (it was a bare error page).
    kept = form_of(refused, client, button="Lägg till")
    assert (kept.value("first_day"), kept.value("reason")) == ("2027-01-05", "Extra")
    assert 'id="open_anyway-error"' in refused.get_data(as_text=True)
    twelfth = {"first_day": "2027-01-06", "reason": "Trettondagen öppet", "open_anyway": "y"}
    opened = _close_form(client, ids, **twelfth).submit()
    assert opened.status_code == 302
    # It opens a day, and says so (it said "Stängningen är sparad.").
    told = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Undantaget är sparat: Trettondagen öppet. Dagen är öppen trots helgdag." in told
    assert "Stängningen är sparad" not in told
    twice = _close_form(client, ids, **twelfth).submit()
    assert twice.status_code == 400 and "redan öppnade" in twice.get_data(as_text=True)
    inventory = {"first_day": "2027-05-10", "last_day": "2027-05-12", "reason": "Inventering"}
    assert _close_form(client, ids, **inventory).submit().status_code == 302
    over = _close_form(client, ids, first_day="2027-05-11", reason="Ändå", open_anyway="y")
    answer = over.submit()
    assert answer.status_code == 400 and "(Inventering)" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 2

        center = db.session.get(TestCenter, ids["center"])
        sunday, easter_day = date(2027, 4, 4), date(2027, 3, 28)
        assert closed_reason(center, sunday) == "Söndag"
        center.opening_hours.append(OpeningHours(weekday=6, opens=time(9), closes=time(15)))
        db.session.commit()
        assert closed_reason(center, sunday) is None
        assert closed_reason(center, easter_day) == "Påskdagen"
    # A Sunday its own hours open is open already: nothing for "open anyway" to open.
    sunday_form = _close_form(client, ids, first_day="2027-04-04", reason="Ändå", open_anyway="y")
    said = sunday_form.submit().get_data(as_text=True)
    assert "Söndagarna är redan öppna genom testcentrets öppettider för söndag." in said
    # A holiday opened and then closed by the center itself: the list says closed.
    year = (
        date.today().year
        if date.today() < date(date.today().year, 12, 24)
        else date.today().year + 1
    )
    julafton = {"first_day": f"{year}-12-24", "reason": "Öppet", "open_anyway": "y"}
    assert _close_form(client, ids, **julafton).submit().status_code == 302
    jullov = {"first_day": f"{year}-12-24", "last_day": f"{year}-12-25", "reason": "Jullov"}
    assert _close_form(client, ids, **jullov).submit().status_code == 302
    listed = client.get(f"/centers/{ids['center']}/closures").get_data(as_text=True)
    row = listed.split(f"24 december {year}</td><td>Julafton</td>", 1)[1].split("</tr>")[0]
    assert "Stängt" in row and "Öppet (undantag)" not in row


def test_a_closure_that_began_before_today_is_refused_at_the_first_day(app, client, center_admin):
    """A closure (or an opened holiday) whose first day has passed would be listed
    nowhere, so nobody could remove it, and would close days on which sessions were
    held: it is refused at the first day, in the summary too. Today is still fine."""
    ids = center_admin
    with app.app_context():
        today = local_date(utcnow())
    past = (today - timedelta(days=11)).isoformat()
    for extra in ({}, {"open_anyway": "y"}):
        refused = _close_form(client, ids, first_day=past, reason="Efterhand", **extra).submit()
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400, html
        said = "Första dagen har redan passerat. Välj i dag eller en senare dag."
        assert f'<a href="#first_day">Första dagen: {said}</a>' in html
        assert 'id="first_day-error"' in html and "Stängningen är sparad." not in html
        assert form_of(refused, client, button="Lägg till").value("first_day") == past
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0
        admin = db.session.get(Person, ids["admin"])
        with pytest.raises(InvalidInput, match="redan passerat"):
            close_days(ids["center"], today - timedelta(days=1), today, "Sent", False, admin)
    saved = _close_form(client, ids, first_day=today.isoformat(), reason="Vattenläcka").submit()
    assert saved.status_code == 302
    listed = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Stängningen är sparad." in listed and "Vattenläcka" in listed

"""When a session counts as done, when results open, and taking a check-in back.

A session is *Genomförd* only once it has ended; results can be recorded from its
start; people may be checked in before the start (they arrive early), and the
testledare can undo a check-in until the session ends.
"""

import re
from datetime import timedelta

import pytest

from app.bookings.models import Booking, BookingEvent
from app.bookings.services import book_seat
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.formatting import short_datetime
from app.results.services import (
    AreaVerdict,
    check_in,
    has_ended,
    has_started,
    model_areas,
    record_outcomes,
    set_attendance,
    undo_check_in,
)
from app.schedule.models import ValidationSession
from tests.forms import form_of, page_form


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _booked(make, **session_args):
    session = make.session(**session_args)
    person = make.employee(name="Tove Tidig")
    booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=3))
    return session, booking


def test_a_session_is_done_when_it_has_ended_not_when_someone_checks_in(ctx, make):
    session, booking = _booked(make)
    at_1205 = session.starts_at - timedelta(minutes=25)  # 12.05 for a session at 12.30
    assert not has_started(session, at_1205) and not has_ended(session, at_1205)
    check_in(booking.id, session.assessor, now=at_1205)
    assert has_started(session, session.starts_at)
    assert not has_ended(session, session.ends_at - timedelta(seconds=1))
    assert has_ended(session, session.ends_at)


def test_results_are_refused_before_the_start_and_taken_from_it(ctx, make):
    session, booking = _booked(make)
    assessor = session.assessor
    check_in(booking.id, assessor, now=session.starts_at - timedelta(minutes=25))
    verdicts = [AreaVerdict(a.id, "approved") for a in model_areas(session.model_id)]
    with pytest.raises(DomainError, match="först när passet har börjat"):
        record_outcomes(
            booking.id, verdicts, "", assessor, now=session.starts_at - timedelta(minutes=1)
        )
    record_outcomes(booking.id, verdicts, "", assessor, now=session.starts_at)


def test_a_check_in_can_be_undone_until_the_session_ends(ctx, make):
    session, booking = _booked(make)
    assessor = session.assessor
    check_in(booking.id, assessor, now=session.starts_at - timedelta(minutes=25))
    undone = undo_check_in(booking.id, assessor, now=session.starts_at - timedelta(minutes=20))
    assert (undone.status, undone.checked_in_at) == ("confirmed", None)
    kinds = [e.kind for e in db.session.query(BookingEvent).filter_by(booking_id=booking.id)]
    assert kinds[-2:] == ["checked_in", "undo_checkin"]
    with pytest.raises(DomainError, match="inte incheckad"):
        undo_check_in(booking.id, assessor, now=session.starts_at)
    # Checked in again during the session, and undone a second before it ends.
    check_in(booking.id, assessor, now=session.starts_at + timedelta(minutes=5))
    last_second = session.ends_at - timedelta(seconds=1)
    assert undo_check_in(booking.id, assessor, now=last_second).status == "confirmed"
    check_in(booking.id, assessor, now=session.starts_at + timedelta(minutes=10))
    with pytest.raises(DomainError, match="Passet är slut"):
        undo_check_in(booking.id, assessor, now=session.ends_at)
    assert db.session.get(Booking, booking.id).status == "attended"


def test_a_check_in_with_results_is_not_undone(ctx, make):
    session, booking = _booked(make)
    assessor = session.assessor
    check_in(booking.id, assessor, now=session.starts_at - timedelta(minutes=5))
    verdicts = [AreaVerdict(a.id, "approved") for a in model_areas(session.model_id)]
    record_outcomes(booking.id, verdicts, "", assessor, now=session.starts_at + timedelta(hours=1))
    with pytest.raises(DomainError, match="redan resultat"):
        undo_check_in(booking.id, assessor, now=session.starts_at + timedelta(hours=1))


def test_only_a_check_in_is_undone_not_attendance_recorded_afterwards(ctx, make):
    session, booking = _booked(make)
    set_attendance(booking.id, "attended", session.assessor, now=session.starts_at)
    with pytest.raises(DomainError, match="inte incheckad"):
        undo_check_in(booking.id, session.assessor, now=session.starts_at)


def _row(html: str, name: str) -> str:
    # Each participant's row has its anchor (<tr id="p-…">), the header row none.
    rows = [row.split("</tr>")[0] for row in re.split(r"<tr[ >]", html) if name in row]
    assert rows, f"{name} is not listed"
    return "".join(rows)


def test_early_check_in_on_the_page_is_checked_in_not_done(app, client, auth, make):
    """12.05, session at 12.30: Incheckad, no results form, and the check-in can be undone."""
    with app.app_context():
        session, booking = _booked(make, starts_in=timedelta(minutes=25))
        session_id, booking_id = session.id, booking.id
        assessor, employee = session.assessor.email, booking.employee.email
    auth.login(assessor)
    url = f"/sessions/{session_id}/participants"
    check_in_row = page_form(client, url, action=f"/bookings/{booking_id}/check-in")
    checked = check_in_row.submit(follow_redirects=True)
    html = checked.get_data(as_text=True)
    row = _row(html, "Tove Tidig")
    assert "Incheckad" in row and "Genomförd" not in row
    assert "Registrera resultat" not in row
    assert "Passet har inte börjat" in html
    # The results form is not open before the start: the page says so, with no form.
    early = client.get(f"/bookings/{booking_id}/outcome")
    assert early.status_code == 200
    assert "först när passet har börjat" in early.get_data(as_text=True)
    assert "Spara resultat" not in early.get_data(as_text=True)

    # The employee sees the same: checked in, not done.
    auth.logout()
    auth.login(employee)
    mine = client.get("/bookings").get_data(as_text=True)
    assert "Incheckad" in mine and "Genomförd" not in mine
    auth.logout()

    auth.login(assessor)
    # Signing in again renews the form token: the list is read anew, as a browser would.
    checked = client.get(url)
    undo = form_of(checked, client, button="Ångra incheckning").submit(follow_redirects=True)
    assert undo.status_code == 200
    html = undo.get_data(as_text=True)
    assert "Incheckningen av Tove Tidig är ångrad" in html
    row = _row(html, "Tove Tidig")
    assert "Bekräftad plats" in row and "Checka in" in row and "Ångra incheckning" not in row
    # A stale page's undo (the check-in is already taken back): the list again at the
    # row, saying why, not an error page with no way back.
    again = form_of(checked, client, button="Ångra incheckning").submit()
    assert again.status_code == 302 and again.location.endswith(f"{url}#p-{booking_id}")
    assert "inte incheckad" in client.get(again.location).get_data(as_text=True)


def test_a_running_session_opens_results_and_an_ended_one_is_done(app, client, auth, make):
    with app.app_context():
        running, early = _booked(make, starts_in=-timedelta(minutes=10, hours=0))
        check_in(early.id, running.assessor, now=running.starts_at - timedelta(minutes=5))
        ended, late = _booked(make, starts_in=-timedelta(hours=5))
        check_in(late.id, ended.assessor, now=ended.starts_at)
        urls = {
            "running": (f"/sessions/{running.id}/participants", running.assessor.email),
            "ended": (f"/sessions/{ended.id}/participants", ended.assessor.email),
        }
    url, email = urls["running"]
    auth.login(email)
    html = client.get(url).get_data(as_text=True)
    row = _row(html, "Tove Tidig")
    assert "Incheckad" in row and "Registrera resultat" in row and "Ångra incheckning" in row
    auth.logout()
    url, email = urls["ended"]
    auth.login(email)
    html = client.get(url).get_data(as_text=True)
    row = _row(html, "Tove Tidig")
    assert "Genomförd" in row and "Registrera resultat" in row
    assert "Ångra incheckning" not in row


def test_check_in_is_offered_only_once_it_opens_and_a_late_refusal_keeps_the_list(
    app, client, auth, make
):
    """Days ahead the list says when check-in opens and offers no button that would only
    be refused; a form from a page left open since is answered on the list, at the row."""
    with app.app_context():
        session, booking = _booked(make, starts_in=timedelta(days=3))
        session_id, booking_id = session.id, booking.id
        assessor = session.assessor.email
        with app.test_request_context():
            opens = short_datetime(session.starts_at - timedelta(hours=1))
    auth.login(assessor)
    url = f"/sessions/{session_id}/participants"
    html = client.get(url).get_data(as_text=True)
    assert f"Incheckningen öppnar {opens}, en timme före start" in html
    assert "Checka in" not in _row(html, "Tove Tidig")
    assert "Checka in alla närvarande" not in html
    assert f'action="/bookings/{booking_id}/check-in"' not in html

    # The same session within the hour: the button is there. The page stays open while
    # the center moves the session to next week; the button is pressed anyway.
    with app.app_context():
        moved = db.session.get(ValidationSession, session_id)
        moved.starts_at = utcnow() + timedelta(minutes=30)
        moved.ends_at = moved.starts_at + timedelta(hours=3)
        db.session.commit()
    button = page_form(client, url, action=f"/bookings/{booking_id}/check-in")
    with app.app_context():
        moved = db.session.get(ValidationSession, session_id)
        moved.starts_at += timedelta(days=7)
        moved.ends_at += timedelta(days=7)
        db.session.commit()
    refused = button.submit()
    assert refused.status_code == 302
    assert refused.location.endswith(f"{url}#p-{booking_id}")
    page = client.get(refused.location).get_data(as_text=True)
    assert "Incheckningen öppnar en timme före start." in page
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "confirmed"

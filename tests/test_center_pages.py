"""The test-center admin's and the testledare's pages, driven through the browser client."""

import re
from datetime import date, time, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from app.accounts.models import Person
from app.bookings.services import book_seat, cancel_booking
from app.bookings.session_changes import cancel_session
from app.calendar.feeds import ensure_feed_token
from app.centers.models import CenterClosure, CenterWorkstation, TestCenter
from app.centers.services import add_closure
from app.extensions import db
from app.reports.services import utilisation
from app.results.services import set_attendance
from app.schedule.models import (
    AssessorAbsence,
    AssessorAvailability,
    ValidationModel,
    ValidationSession,
)
from app.schedule.planning import create_sessions
from app.timeutil import to_local
from tests.calendars import invite_of, last_id, outbox
from tests.forms import form_of, page_form

TUESDAY = date(2027, 9, 14)


def test_other_people_cannot_open_a_centers_pages(app, client, auth, make, center_admin):
    auth.logout()
    with app.app_context():
        other_admin = make.person(("center_admin",), center=make.center()).email
    auth.login(other_admin)
    cid = center_admin["center"]
    for path in ("admin", "closures", "plan", "sessions", "capacity"):
        assert client.get(f"/centers/{cid}/{path}").status_code == 404, path
    auth.logout()
    with app.app_context():
        auth.login(make.employee().email)
    assert client.get("/centers").status_code == 403


def test_admin_keeps_address_workstations_and_opening_hours(app, client, center_admin):
    cid = center_admin["center"]
    admin_page = f"/centers/{cid}/admin"
    details = page_form(client, admin_page, field="contact_email")
    bad = details.fill(contact_email="x").submit()
    assert bad.status_code == 400 and "Ogiltig e-postadress" in bad.get_data(as_text=True)
    # The organizer of every invite: mail and calendars need it in plain ASCII.
    details = page_form(client, admin_page, field="contact_email")
    bad = details.fill(contact_email="eva@exämple.se").submit()
    assert bad.status_code == 400 and "utan å, ä, ö" in bad.get_data(as_text=True)
    ok = details.fill(
        street_address="Kanalgatan 60",
        postal_code="931 30",
        postal_town="Skellefteå",
        contact_name="Eva",
        contact_email="eva@example.se",
    ).submit()
    assert ok.status_code == 302
    workstations = page_form(client, admin_page, action=f"/centers/{cid}/workstations")
    workstations.set("kind-1", "14").set("kind-4", "5")
    for k in (2, 3, 5):
        workstations.set(f"kind-{k}", "0")
    assert workstations.submit().status_code == 302
    assert workstations.set("kind-1", "-3").submit().status_code == 400
    # Digits Python calls digits but int() does not read: a form error, not a 500.
    assert workstations.set("kind-1", "²").submit().status_code == 400
    hours = page_form(client, admin_page, action=f"/centers/{cid}/hours")
    for day in range(1, 7):  # open on Mondays only
        hours.set(f"open-{day}", False)
    hours.set("open-0", True).set("opens-0", "08:00").set("closes-0", "16:00")
    assert hours.submit().status_code == 302
    assert hours.set("closes-0", "07:00").submit().status_code == 400  # closes before it opens
    assert hours.set("closes-0", "16:00").set("opens-0", "late").submit().status_code == 400
    # What a time input never sends but an address bar can: an offset (was a 500), seconds.
    for typed in ("07:00+05:00", "07:00Z", "07:00:30", "0700", "24:00"):
        refused = hours.set("opens-0", typed).submit()
        assert refused.status_code == 400 and "TT:MM" in refused.get_data(as_text=True), typed
    with app.app_context():
        rows = db.session.scalars(
            select(CenterWorkstation).where(CenterWorkstation.center_id == cid)
        ).all()
        assert {r.kind_id: r.count for r in rows}[1] == 14
        center = db.session.get(type(rows[0].center), cid)
        assert [(h.weekday, h.opens) for h in center.opening_hours] == [(0, time(8))]
        assert center.contact_email == "eva@example.se"


def test_hours_that_would_strand_a_booked_session_are_not_saved(app, client, make, center_admin):
    """As with closures, no live session is left where the center is closed; and a
    refused form comes back with what was typed and the message beside it."""
    cid = center_admin["center"]
    with app.app_context():
        center = db.session.get(TestCenter, cid)
        session = make.session(center=center, local_day=TUESDAY, local_time=time(8))
        employee = make.employee()
        book_seat(session.id, employee, employee, now=session.starts_at - timedelta(days=20))
        session_id, model = session.id, session.model.name
    admin_page = f"/centers/{cid}/admin"
    hours = page_form(client, admin_page, action=f"/centers/{cid}/hours")
    refused = hours.set("open-1", False).set("opens-3", "09:15").submit()  # no Tuesdays
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "1 planerat pass ligger utanför de nya öppettiderna" in page
    # Said first in the error summary, which leads into the table of hours.
    assert "<title>Fel: " in page and '<a href="#open-0">Öppettider: 1 planerat pass' in page
    assert f'href="/sessions/{session_id}/manage"' in page and model in page
    again = form_of(refused, client, action=f"/centers/{cid}/hours")
    assert not again.value("open-1") and again.value("opens-3") == "09:15"
    # Opening an hour later strands it too (08:00 start); nothing was saved either time.
    assert hours.set("open-1", True).set("opens-1", "09:00").submit().status_code == 409
    with app.app_context():
        tuesday = next(h for h in db.session.get(TestCenter, cid).opening_hours if h.weekday == 1)
        assert tuesday.opens == time(7, 0)
    # Wednesday's hours, which no session needs, save.
    assert hours.set("opens-1", "07:00").set("opens-2", "09:00").submit().status_code == 302

    workstations = page_form(client, admin_page, action=f"/centers/{cid}/workstations")
    kept = workstations.set("kind-1", "-3").submit()
    assert kept.status_code == 400 and "Ange antal som ett heltal" in kept.get_data(as_text=True)
    assert '<a href="#kind-1">Arbetsplatser: Ange antal' in kept.get_data(as_text=True)
    assert form_of(kept, client, action=f"/centers/{cid}/workstations").value("kind-1") == "-3"


def test_refused_hours_and_counts_lead_to_the_day_and_kind_they_are_about(client, center_admin):
    cid = center_admin["center"]
    admin_page = f"/centers/{cid}/admin"
    for day, field, value, link in (
        (1, "opens-1", "25:00", '<a href="#opens-1">Öppettider, tisdag: Ange tider'),
        (5, "closes-5", "late", '<a href="#closes-5">Öppettider, lördag: Ange tider'),
        (5, "opens-5", "18:00", '<a href="#opens-5">Öppettider, lördag: Öppningstiden'),
    ):
        refused = page_form(client, admin_page, action=f"/centers/{cid}/hours")
        refused.set(f"open-{day}", True).set(f"opens-{day}", "07:00").set(f"closes-{day}", "17:00")
        answer = refused.set(field, value).submit()
        assert answer.status_code == 400 and link in answer.get_data(as_text=True), field
    workstations = page_form(client, admin_page, action=f"/centers/{cid}/workstations")
    too_many = workstations.set("kind-4", "501").submit().get_data(as_text=True)
    assert '<a href="#kind-4">Arbetsplatser: Antalet ska vara mellan 0 och 500.' in too_many


def test_admin_adds_and_removes_closures(app, client, center_admin):
    cid = center_admin["center"]
    page = client.get(f"/centers/{cid}/closures").get_data(as_text=True)
    assert "midsommarafton" in page
    closing = form_of(client.get(f"/centers/{cid}/closures"), client, button="Lägg till")
    closing.fill(first_day="2027-07-10", last_day="2027-07-01", reason="Sommar")
    assert closing.submit().status_code == 400
    assert closing.fill(last_day="2027-07-31").submit().status_code == 302
    # The same form again (a double click, a reload) or days inside it: refused, naming it.
    for first, last in (("2027-07-10", "2027-07-31"), ("2027-07-30", "2027-08-02")):
        again = closing.fill(first_day=first, last_day=last, reason="Inventering").submit()
        html = again.get_data(as_text=True)
        assert again.status_code == 400 and "Testcentret är redan stängt några av dagarna: " in html
        assert "Sommar, lördag 10 juli 2027 – lördag 31 juli 2027" in html
        assert '<a href="#first_day">Första dagen: Testcentret är redan stängt' in html
    with app.app_context():
        closure_id = db.session.scalar(select(CenterClosure.id))
    listed = client.get(f"/centers/{cid}/closures")
    assert "Sommar" in listed.get_data(as_text=True)
    assert f'href="/closures/{closure_id}/delete"' in listed.get_data(as_text=True)
    page_form(client, f"/closures/{closure_id}/delete", button="Ja, ta bort").submit()
    with app.app_context():
        assert db.session.scalar(select(func.count(CenterClosure.id))) == 0


def test_series_preview_then_create(app, client, make, center_admin):
    cid = center_admin["center"]
    planner = page_form(client, f"/centers/{cid}/plan", button="Förhandsgranska")
    planner.fill(
        model=center_admin["model"],
        assessor=center_admin["assessor"],
        first_day="2027-05-04",
        start="08:00",
        weeks="2",
        weekdays=["1", "3"],
    )
    preview = planner.submit()
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert html.count("Kan skapas") == 3 and "Kristi himmelsfärdsdag" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ValidationSession.id))) == 0
        # Meanwhile the testledare is planned elsewhere that Tuesday (another admin).
        other = make.center(computers=10)
        (taken,), _ = create_sessions(
            other.id,
            center_admin["model"],
            center_admin["assessor"],
            [date(2027, 5, 11)],
            time(8),
            make.person(("center_admin",), center=other),
        )
        name = taken.assessor.name
    created = form_of(preview, client, button="Skapa 3 pass").submit(follow_redirects=True)
    html = created.get_data(as_text=True)
    # What could not be made is said per date, with why.
    assert "2 pass skapades, 2 datum gick inte." in html
    assert "torsdag 6 maj 2027: Stängt: Kristi himmelsfärdsdag." in html
    assert f"tisdag 11 maj 2027: {name} har redan ett pass 08.00." in html
    with app.app_context():
        starts = db.session.scalars(
            select(ValidationSession.starts_at).where(ValidationSession.id != taken.id)
        ).all()
        assert sorted(to_local(s).date() for s in starts) == [date(2027, 5, 4), date(2027, 5, 13)]
    bad = planner.fill(first_day="when").submit()
    assert bad.status_code == 400
    # 0 weeks is a wrong number, not an empty field.
    none = planner.fill(first_day="2027-05-04", weeks="0").submit()
    assert none.status_code == 400 and "1–52 veckor." in none.get_data(as_text=True)
    planner.fill(weeks="2")
    tampered = planner.fill(first_day="2027-05-04").set("assessor", "99999", tamper=True).submit()
    assert tampered.status_code == 400


def test_many_dates_taken_meanwhile_are_said_ten_then_how_many_more(app, client, center_admin):
    """A long series whose every date a closure took since the preview: ten dates with
    why, then a count (the messages ride in the session cookie, capped at 4 kB)."""
    cid = center_admin["center"]
    planner = page_form(client, f"/centers/{cid}/plan", button="Förhandsgranska")
    planner.fill(
        model=center_admin["model"],
        assessor=center_admin["assessor"],
        first_day="2027-09-07",
        start="08:00",
        weeks="12",
        weekdays=["1"],
    )
    preview = planner.submit()
    with app.app_context():
        admin = db.session.get(Person, center_admin["admin"])
        add_closure(cid, date(2027, 9, 1), date(2027, 12, 31), "Ombyggnad", False, admin)
    created = form_of(preview, client, button="Skapa 12 pass").submit(follow_redirects=True)
    html = created.get_data(as_text=True)
    assert "0 pass skapades, 12 datum gick inte." in html
    assert html.count(": Stängt: Ombyggnad.") == 10 and "… och 2 datum till." in html


def test_one_planned_date_is_created_from_the_page(app, client, center_admin):
    cid = center_admin["center"]
    planner = page_form(client, f"/centers/{cid}/plan", button="Förhandsgranska")
    planner.fill(
        model=center_admin["model"],
        assessor=center_admin["assessor"],
        first_day="2027-09-14",
        start="09:00",
    )
    preview = planner.submit()
    assert preview.get_data(as_text=True).count("Kan skapas") == 1
    created = form_of(preview, client, button="Skapa 1 pass").submit(follow_redirects=True)
    assert "1 pass skapades" in created.get_data(as_text=True)
    with app.app_context():
        (start,) = db.session.scalars(select(ValidationSession.starts_at)).all()
        assert to_local(start).date() == date(2027, 9, 14) and to_local(start).hour == 9


def test_admin_moves_and_cancels_a_session(app, client, make, center_admin):
    with app.app_context():
        admin = db.session.get(type(make.employee()), center_admin["admin"])
        created, _ = create_sessions(
            center_admin["center"],
            center_admin["model"],
            center_admin["assessor"],
            [TUESDAY],
            time(8),
            admin,
        )
        sid = created[0].id
        person = make.employee()
        book_seat(sid, person, person, now=created[0].starts_at - timedelta(days=20))
    manage = f"/sessions/{sid}/manage"
    move = page_form(client, manage, button="Flytta passet")
    move.fill(day="2027-12-24", start="08:00", assessor=center_admin["assessor"])
    closed = move.submit()
    assert closed.status_code == 409 and "Julafton" in closed.get_data(as_text=True)
    # The refusal is said on the move form, which keeps what the admin typed.
    again = form_of(closed, client, button="Flytta passet")
    assert again.value("day") == "2027-12-24" and again.value("start") == "08:00"
    assert 'aria-invalid="true"' in closed.get_data(as_text=True)
    assert 'id="day-error"' in closed.get_data(as_text=True)
    # Only another testledare, whose authorisation ended before the day: said there.
    with app.app_context():
        model = db.session.get(ValidationModel, center_admin["model"])
        other_id = make.assessor(model, valid_to=date(2026, 12, 31)).id
    move = page_form(client, manage, button="Flytta passet")  # the list offers them now
    unauthorised = move.fill(day="2027-09-14", start="08:00", assessor=other_id).submit()
    html = unauthorised.get_data(as_text=True)
    assert unauthorised.status_code == 409
    assert 'id="assessor-error"' in html and 'id="day-error"' not in html
    move.fill(assessor=center_admin["assessor"])
    # A day no travel window can be counted around (the form fuzz's 500).
    far = move.fill(day="9999-12-31", start="00:00").submit()
    assert far.status_code == 400 and "mellan år 2000 och 2100" in far.get_data(as_text=True)
    moved = move.fill(day="2027-09-15", start="09:00").submit()
    assert moved.status_code == 302
    cancel = page_form(client, manage, button="Ställ in").fill(reason="Sjuk")
    stale_move = page_form(client, manage, button="Flytta passet")
    assert cancel.submit().status_code == 302
    # Cancelled, the page says so, with the reason, and offers no form saving would refuse.
    page = client.get(manage).get_data(as_text=True)
    assert "Passet är inställt. Anledning: Sjuk" in page
    assert "Flytta passet" not in page and "Ställ in</button>" not in page
    # The same forms from the page read before: refused on this page, said first.
    # Also one with a field left empty: no field is left to correct, so it says why.
    for stale, day, status in (
        (cancel, None, 409),
        (stale_move, "2027-09-16", 409),
        (stale_move, "", 400),
    ):
        again = (stale.fill(day=day) if day is not None else stale).submit()
        html = again.get_data(as_text=True)
        assert again.status_code == status and "<title>Fel: " in html
        summary = html.split('class="error-summary"')[1].split("</div>")[0]
        assert "Passet är inställt." in summary and "Ange ett datum" not in summary
        assert "Flytta passet" not in html
    with app.app_context():
        session = db.session.get(ValidationSession, sid)
        assert session.status == "cancelled" and to_local(session.starts_at).hour == 9


def test_a_started_session_offers_no_move_or_cancel(app, client, make, center_admin):
    with app.app_context():
        center = db.session.get(TestCenter, center_admin["center"])
        started = make.session(center=center, starts_in=-timedelta(minutes=10)).id
    page = client.get(f"/sessions/{started}/manage").get_data(as_text=True)
    assert "Passet har redan börjat och kan inte flyttas eller ställas in." in page
    assert "Flytta passet" not in page


def test_capacity_view_counts_seats_and_shows_closed_days(app, client, make, center_admin):
    with app.app_context():
        admin = db.session.get(type(make.employee()), center_admin["admin"])
        create_sessions(
            center_admin["center"],
            center_admin["model"],
            center_admin["assessor"],
            [date(2027, 12, 21)],
            time(8),
            admin,
        )
    html = client.get(
        f"/centers/{center_admin['center']}/capacity?from=2027-12-20&weeks=2"
    ).get_data(as_text=True)
    assert "vecka 51" in html and "vecka 52" in html
    assert "Julafton" in html and "Juldagen" in html
    assert "12 / 0 / 0" in html  # 12 computers, group size 12: seats offered, booked, used
    assert "36,0 / 0,0 / 0,0" in html  # 12 seats × 3 hours, with a Swedish decimal comma


def _week_row(html: str, label: str) -> str:
    rows = [row.split("</tr>")[0] for row in html.split("<tr>") if f">{label}</th>" in row]
    assert len(rows) == 1, f"one row for {label}"
    return rows[0]


def _cells(row: str) -> list[str]:
    """The row's cells as a reader sees them: tags left out, any space as one space."""
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]


def test_capacity_view_counts_booked_and_used_seats_and_agrees_with_the_reports(
    app, client, make, center_admin
):
    """Week 18 of 2027: Kristi himmelsfärd on Thursday, the center's own closure on Friday."""
    monday = date(2027, 5, 3)
    with app.app_context():
        admin = db.session.get(type(make.employee()), center_admin["admin"])
        cid, model_id, assessor = (center_admin[k] for k in ("center", "model", "assessor"))
        db.session.add(
            CenterClosure(
                center_id=cid,
                first_day=date(2027, 5, 7),
                last_day=date(2027, 5, 7),
                reason="Studiedag",
                open_anyway=False,
            )
        )
        db.session.commit()
        days = [monday + timedelta(days=d) for d in (1, 2, 4, 8)]  # Tue, Wed, Fri, next Tue
        created, refused = create_sessions(cid, model_id, assessor, days, time(8), admin)
        assert [p.day for p in refused] == [days[2]]  # the closed Friday
        tuesday, wednesday, next_week = created
        assert [s.seats for s in created] == [12, 12, 12]  # 12 computers, group size 12
        # A cancelled session offers nothing: Monday 08:00, with another testledare.
        other = make.assessor(tuesday.model)
        (gone,), _ = create_sessions(cid, model_id, other.id, [monday], time(8), admin)
        cancel_session(gone.id, admin, "Inga anmälda")

        def booked(session, count):
            people = [make.employee() for _ in range(count)]
            when = session.starts_at - timedelta(days=30)
            return [book_seat(session.id, person, person, now=when) for person in people]

        # Tuesday: four keep their seats, three come and one does not; a fifth cancels.
        *came, absent, cancelled = booked(tuesday, 5)
        cancel_booking(cancelled.id, cancelled.employee, now=tuesday.starts_at - timedelta(days=20))
        after = tuesday.starts_at + timedelta(hours=3)
        for booking in came:
            set_attendance(booking.id, "attended", admin, now=after)
        set_attendance(absent.id, "no_show", admin, now=after)
        booked(wednesday, 2)  # booked, not yet held: nobody has used them
        booked(next_week, 1)

        # The reporting service's figures for the same center and week.
        (report,) = utilisation([monday], [cid])
        assert report.weeks == {monday: (24, 6)}
        assert (report.hours_offered, report.hours_booked, report.hours_used) == (72, 18, 9)

    html = client.get(f"/centers/{cid}/capacity?from=2027-05-05&weeks=2").get_data(as_text=True)
    sessions, seats, hours, closed = _cells(_week_row(html, "vecka 18"))
    assert sessions == "2"  # the cancelled one is not counted
    assert seats == "24 / 6 / 3 (25 %)"  # offered / booked (no-show too) / used, booked share
    assert hours == "72,0 / 18,0 / 9,0"  # workstation-hours: seats × 3 hours
    # Saturdays and Sundays, closed every week, are said once above the table.
    assert closed == "torsdag 6 maj Kristi himmelsfärdsdag; fredag 7 maj Studiedag"
    assert _cells(_week_row(html, "vecka 19"))[:3] == ["1", "12 / 1 / 0 (8 %)", "36,0 / 3,0 / 0,0"]
    # Two weeks in the reports: the same per-week seats, and the hours summed over both.
    with app.app_context():
        (report,) = utilisation([monday, monday + timedelta(weeks=1)], [cid])
        assert report.weeks == {monday: (24, 6), monday + timedelta(weeks=1): (12, 1)}
        assert (report.hours_offered, report.hours_booked, report.hours_used) == (108, 21, 9)


def test_testledare_sees_week_grid_list_and_sets_availability(
    app, client, auth, make, center_admin
):
    with app.app_context():
        admin = db.session.get(type(make.employee()), center_admin["admin"])
        created, _ = create_sessions(
            center_admin["center"],
            center_admin["model"],
            center_admin["assessor"],
            [TUESDAY],
            time(8),
            admin,
        )
        person = make.employee(name="Gunnar Grön")
        book_seat(created[0].id, person, person, now=created[0].starts_at - timedelta(days=20))
    auth.logout()
    auth.login(center_admin["assessor_email"])
    grid = client.get("/schedule/?week=2027-W37").get_data(as_text=True)
    assert "vecka 37" in grid and "Tisdag 14 september" in grid and "08.00–11.00" in grid
    assert "Måndag 13 september" in grid
    english = client.get("/schedule/?week=2027-W37", headers={"Accept-Language": "en"})
    assert "Tuesday 14 September" in english.get_data(as_text=True)  # not "september"
    assert client.get("/schedule/?week=bogus").status_code == 400
    listing = client.get("/schedule/list").get_data(as_text=True)
    hours = page_form(client, "/schedule/availability", button="Spara arbetstider")
    hours.set("works-1", True).set("starts-1", "12:00+05:00").set("ends-1", "17:00")
    assert hours.submit().status_code == 400  # an offset was a 500
    hours.set("starts-1", "12:00")
    # Tuesdays from 12:00 would leave their 08:00 session outside: refused, with the
    # session named and the hours as typed, until hours that hold it are chosen.
    narrowed = hours.submit()
    assert narrowed.status_code == 409
    page = narrowed.get_data(as_text=True)
    assert "Du är testledare för 1 pass utanför de nya arbetstiderna" in page
    assert "tisdag 14 september 2027, kl. 08.00–11.00" in page
    again = form_of(narrowed, client, button="Spara arbetstider")
    assert again.value("starts-1") == "12:00" and again.value("works-1") == ["y"]
    with app.app_context():
        assert db.session.scalar(select(func.count(AssessorAvailability.id))) == 0
    assert again.set("starts-1", "07:30").submit().status_code == 302
    away = page_form(client, "/schedule/availability", button="Lägg till frånvaro")
    away.fill(first_day="2027-07-05", last_day="2027-07-30", reason="Semester")
    assert away.submit().status_code == 302
    assert away.fill(first_day="").submit().status_code == 400
    # Days they lead a booked session: the center must find another testledare first.
    over = away.fill(first_day="2027-09-13", last_day="2027-09-15", reason="Kurs").submit()
    assert over.status_code == 409
    page = over.get_data(as_text=True)
    assert "Du är testledare för 1 pass de dagarna" in page and "tisdag 14 september" in page
    assert form_of(over, client, button="Lägg till frånvaro").value("reason") == "Kurs"
    for days, message in (
        (("2027-07-12", "2027-07-13"), "redan frånvaro"),
        (("2024-01-08", "2024-01-09"), "före i dag"),
        (("2027-10-01", "2029-10-01"), "högst ett år"),
        (("9999-12-30", "9999-12-31"), "mellan år 2000 och 2100"),
    ):
        refused = away.fill(first_day=days[0], last_day=days[1], reason="Kurs").submit()
        assert refused.status_code in (400, 409) and message in refused.get_data(as_text=True)
    # A last day before the first is said at the last day, as on the closures' form.
    backwards = away.fill(first_day="2027-08-10", last_day="2027-08-09", reason="Kurs").submit()
    assert backwards.status_code == 400
    assert '<a href="#last_day">Sista dagen (tomt = samma dag): Sista dagen ligger före' in (
        backwards.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(AssessorAvailability.id))) == 1
        assert db.session.scalars(select(AssessorAbsence.reason)).all() == ["Semester"]
    shown = client.get("/schedule/availability").get_data(as_text=True)
    assert "måndag 5 juli 2027 – fredag 30 juli 2027: Semester" in shown
    if "Gunnar Grön" not in listing:
        pytest.fail("the list shows the participants of each session")
    auth.logout()
    with app.app_context():
        auth.login(make.employee().email)
    assert client.get("/schedule/").status_code == 403


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_refused_hours_table_comes_back_as_typed_with_its_error_at_the_day(
    app, client, auth, make, center_admin
):
    """A Till left empty was a bare error page that lost the table; every refusal of
    the hours now comes back on the page, as typed, with the summary leading to the
    day's field, and the sessions in the way (of hours or an absence) are links."""
    with app.app_context():
        admin = db.session.get(Person, center_admin["admin"])
        (session,), _ = create_sessions(
            center_admin["center"],
            center_admin["model"],
            center_admin["assessor"],
            [TUESDAY],
            time(8),
            admin,
        )
        session_link = f'<a href="/sessions/{session.id}/participants">'
    auth.logout()
    auth.login(center_admin["assessor_email"])
    hours = page_form(client, "/schedule/availability", button="Spara arbetstider")
    empty = hours.set("works-2", True).set("starts-2", "08:00").set("ends-2", "").submit()
    assert empty.status_code == 400
    html = empty.get_data(as_text=True)
    assert "<h1>Arbetstider och frånvaro</h1>" in html
    assert '<a href="#ends-2">Vanliga arbetstider, onsdag: Ange tider som TT:MM' in _summary(html)
    assert 'id="ends-2" name="ends-2" value="" aria-invalid="true"' in html
    again = form_of(empty, client, button="Spara arbetstider")
    assert again.value("works-2") == ["y"] and again.value("starts-2") == "08:00"
    assert again.value("ends-2") == ""

    backwards = again.set("starts-2", "17:00").set("ends-2", "08:00").submit()
    assert backwards.status_code == 400
    summary = _summary(backwards.get_data(as_text=True))
    assert '<a href="#ends-2">Vanliga arbetstider, onsdag: Starttiden måste ligga före' in summary

    # Mondays only would leave the Tuesday session outside: the summary leads to
    # Tuesday's box, and the session is a link.
    hours = page_form(client, "/schedule/availability", button="Spara arbetstider")
    narrow = hours.set("works-0", True).set("starts-0", "09:00").set("ends-0", "10:00").submit()
    assert narrow.status_code == 409
    html = narrow.get_data(as_text=True)
    assert '<a href="#works-1">Vanliga arbetstider, tisdag: Du är testledare för 1 pass' in (
        _summary(html)
    )
    assert session_link in html.split('id="hours-error"')[1]
    with app.app_context():
        assert db.session.scalar(select(func.count(AssessorAvailability.id))) == 0

    away = page_form(client, "/schedule/availability", button="Lägg till frånvaro")
    over = away.fill(first_day="2027-09-14", reason="Kurs").submit()
    assert over.status_code == 409
    html = over.get_data(as_text=True)
    assert '<a href="#first_day">' in _summary(html)
    assert session_link + "Industriteknik BAS" in html.split("Du är testledare för 1 pass de")[2]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_center_admin_learns_the_testledare_is_away_but_not_why(
    app, client, auth, make, center_admin
):
    """A sick leave is the testledare's own: the move refusal said "ledig: Sjukskriven"
    to the center's admin. It now says only that they are away, and the absence form
    says who sees the reason."""
    with app.app_context():
        admin = db.session.get(Person, center_admin["admin"])
        (session,), _ = create_sessions(
            center_admin["center"],
            center_admin["model"],
            center_admin["assessor"],
            [TUESDAY],
            time(8),
            admin,
        )
    auth.logout()
    auth.login(center_admin["assessor_email"])
    page = client.get("/schedule/availability").get_data(as_text=True)
    assert "Anledningen ser bara du. Testcentren ser bara att du är ledig de dagarna." in page
    away = page_form(client, "/schedule/availability", button="Lägg till frånvaro")
    saved = away.fill(first_day="2027-09-20", last_day="2027-09-22", reason="Sjukskriven")
    assert saved.submit().status_code == 302
    auth.logout()
    with app.app_context():
        auth.login(admin.email)
    move = page_form(client, f"/sessions/{session.id}/manage", button="Flytta passet")
    refused = move.fill(day="2027-09-21", start="08:00").submit()
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "är ledig den dagen." in html and "Sjukskriven" not in html


def test_a_new_address_reaches_the_invites_and_the_feeds(app, client, make, center_admin):
    """People must not go to the old address: everyone booked and the testledare get an
    update (same UID, higher SEQUENCE), and both feeds say the new one."""
    cid = center_admin["center"]
    with app.app_context():
        center = db.session.get(TestCenter, cid)
        session = make.session(center=center, local_day=TUESDAY)
        employee = make.employee()
        book_seat(session.id, employee, employee, now=session.starts_at - timedelta(days=20))
        token = ensure_feed_token(employee)
        people = sorted([employee.email, session.assessor.email])
        mark = last_id()
    feed = f"/calendar/feed/{token}.ics"
    before = client.get(feed)
    public_before = client.get(f"/calendar/centers/{cid}.ics")
    details = page_form(client, f"/centers/{cid}/admin", field="street_address")
    assert details.fill(street_address="Tredje gatan 3").submit().status_code == 302
    with app.app_context():
        rows = outbox(mark)
        assert sorted(r.recipient for r in rows) == people
        for row in rows:
            (event,) = icalendar.Calendar.from_ical(invite_of(row)).walk("VEVENT")
            assert "Tredje gatan 3" in str(event["LOCATION"])
            if row.recipient == employee.email:  # an update of the invite they have
                assert event["SEQUENCE"] == 1 and row.kind == "session_changed"
    after = client.get(feed, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and b"Tredje gatan 3" in after.data
    public = client.get(f"/calendar/centers/{cid}.ics")
    assert public.headers["ETag"] != public_before.headers["ETag"]
    (event,) = icalendar.Calendar.from_ical(public.data).walk("VEVENT")
    assert "Tredje gatan 3" in str(event["LOCATION"]) and event["SEQUENCE"] == 1
    # Saving the same details again changes nothing anyone sees, and sends nothing.
    with app.app_context():
        mark = last_id()
    same = page_form(client, f"/centers/{cid}/admin", field="street_address")
    assert same.submit().status_code == 302
    with app.app_context():
        assert outbox(mark) == []


def test_fewer_workstations_than_planned_sessions_use_names_those_sessions(
    app, client, make, center_admin
):
    """Lowering a kind below what planned sessions hold at one time is refused with the
    sessions of the busiest time (date, time, model, a link to each), and the error
    summary leads to the kind it names (it led to whichever kind came first)."""
    cid = center_admin["center"]
    with app.app_context():
        center = db.session.get(TestCenter, cid)
        center.workstations.append(CenterWorkstation(kind_id=4, count=8))
        db.session.commit()
        svets = make.model("svets-vit")
        busy = [
            make.session(center=center, model=svets, seats=seats, local_day=TUESDAY)
            for seats in (4, 3)
        ]
        quiet = make.session(
            center=center, model=svets, seats=2, local_day=TUESDAY, local_time=time(13)
        )
        busy_ids, quiet_id = [s.id for s in busy], quiet.id
    admin_page = f"/centers/{cid}/admin"
    workstations = page_form(client, admin_page, action=f"/centers/{cid}/workstations")
    refused = workstations.set("kind-4", "6").submit()
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    said = "Svetsbås: planerade pass använder 7 platser samtidigt. Ange minst 7"
    assert f'<a href="#kind-4">Arbetsplatser: {said}' in html
    for sid in busy_ids:
        assert (
            f'href="/sessions/{sid}/manage">Svets VIT, tisdag 14 september 2027, kl. 08.00' in html
        )
    assert f"/sessions/{quiet_id}/manage" not in html  # not at the busiest time
    assert form_of(refused, client, action=f"/centers/{cid}/workstations").value("kind-4") == "6"
    assert workstations.set("kind-4", "7").submit().status_code == 302

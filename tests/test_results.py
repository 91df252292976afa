"""Support needs, check-in, no-shows, outcomes per competence area and the statement."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.bookings.models import Booking
from app.bookings.services import book_seat
from app.db import utcnow
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from app.results.models import AreaOutcome
from app.results.services import (
    AreaVerdict,
    check_in,
    mark_no_shows,
    model_areas,
    record_outcomes,
    set_attendance,
)
from tests.forms import form_of, page_form


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_bas_models_have_their_competence_areas_with_ten_shared(ctx, make):
    industri = {a.code for a in model_areas(make.model("industriteknik-bas").id)}
    automation = {a.code for a in model_areas(make.model("automation-bas").id)}
    underhall = {a.code for a in model_areas(make.model("underhall-bas").id)}
    assert (len(industri), len(automation), len(underhall)) == (10, 15, 16)
    assert industri <= automation and industri <= underhall


def test_support_needs_are_stored_and_limited_per_session(ctx, make):
    session = make.session(seats=5)
    session.support_seats = 1
    db.session.commit()
    first, second, plain = make.employee(), make.employee(), make.employee()
    booking = book_seat(
        session.id,
        first,
        first,
        support_needs=["extra_time", "read_aloud"],
        support_note="Arabiska",
    )
    assert booking.support_need_codes == ["extra_time", "read_aloud"]
    with pytest.raises(DomainError, match="stödbehov"):
        book_seat(session.id, second, second, support_needs=["interpreter"])
    assert book_seat(session.id, plain, plain).status == "confirmed"
    with pytest.raises(InvalidInput):
        book_seat(session.id, second, second, support_needs=["teleport"])


def _started(make, seats=3):
    session = make.session(seats=seats)
    people = [make.employee() for _ in range(seats)]
    bookings = [book_seat(session.id, p, p) for p in people]
    return session, bookings


def test_the_mail_worker_marks_no_shows_without_a_cron_job_of_its_own(app, make):
    app.config["MAIL_PORT"] = 9  # nothing listens: the mail waits, the sweep still runs
    with app.app_context():
        session = make.session(seats=2, starts_at=utcnow() - timedelta(minutes=40))
        present, absent = make.employee(), make.employee()
        booked_at = session.starts_at - timedelta(days=3)
        kept = [book_seat(session.id, p, p, now=booked_at).id for p in (present, absent)]
        check_in(kept[0], session.assessor, now=session.starts_at - timedelta(minutes=5))
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "1 marked as no-shows" in result.output
    with app.app_context():
        assert [db.session.get(Booking, i).status for i in kept] == ["attended", "no_show"]


def test_check_in_on_the_day_and_no_shows_after_thirty_minutes(ctx, make):
    session, (early, late, absent) = _started(make)
    assessor = session.assessor
    with pytest.raises(DomainError, match="öppnar"):
        check_in(early.id, assessor, now=session.starts_at - timedelta(hours=2))
    check_in(early.id, assessor, now=session.starts_at - timedelta(minutes=10))
    check_in(late.id, assessor, now=session.starts_at + timedelta(minutes=20))
    assert mark_no_shows(now=session.starts_at + timedelta(minutes=29)) == 0
    assert mark_no_shows(now=session.starts_at + timedelta(minutes=31)) == 1
    db.session.expire_all()
    statuses = [db.session.get(Booking, b.id).status for b in (early, late, absent)]
    assert statuses == ["attended", "attended", "no_show"]
    # The testledare can correct it afterwards.
    set_attendance(absent.id, "attended", assessor, now=session.starts_at + timedelta(hours=1))
    assert db.session.get(Booking, absent.id).status == "attended"


def test_only_the_sessions_testledare_or_staff_may_record(ctx, make):
    session, (booking, *_) = _started(make)
    other_assessor = make.assessor()
    with pytest.raises(NotFound):
        check_in(booking.id, other_assessor, now=session.starts_at)
    with pytest.raises(NotFound):
        check_in(booking.id, booking.employee, now=session.starts_at)
    admin = make.person(("center_admin",), center=session.center)
    assert check_in(booking.id, admin, now=session.starts_at).status == "attended"


def test_outcomes_need_every_area_and_training_for_what_remains(ctx, make):
    session, (booking, *_) = _started(make)
    assessor = session.assessor
    areas = model_areas(session.model_id)
    after = session.starts_at + timedelta(hours=4)
    all_ok = [AreaVerdict(a.id, "approved") for a in areas]
    with pytest.raises(DomainError, match="närvarande"):
        record_outcomes(booking.id, all_ok, "", assessor, now=after)
    set_attendance(booking.id, "attended", assessor, now=after)
    with pytest.raises(InvalidInput, match="varje kompetensområde"):
        record_outcomes(booking.id, all_ok[:-1], "", assessor, now=after)
    missing_training = [*all_ok[:-1], AreaVerdict(areas[-1].id, "not_yet")]
    with pytest.raises(InvalidInput, match="kompetensutvecklande"):
        record_outcomes(booking.id, missing_training, "", assessor, now=after)
    verdicts = [*all_ok[:-1], AreaVerdict(areas[-1].id, "not_yet", "Kurs i samarbete")]
    record_outcomes(booking.id, verdicts, "Bra jobbat", assessor, now=after)
    # Recording again replaces rather than duplicates.
    record_outcomes(booking.id, all_ok, "Allt klart", assessor, now=after)
    with pytest.raises(DomainError, match="redan resultat"):
        set_attendance(booking.id, "no_show", assessor, now=after)


def _assessed(app, make, approved_all=False):
    with app.app_context():
        company = make.company()
        session = make.session()
        person = make.employee(company=company, name="Ida Industri")
        booking = book_seat(session.id, person, person)
        after = session.starts_at + timedelta(hours=4)
        set_attendance(booking.id, "attended", session.assessor, now=after)
        areas = model_areas(session.model_id)
        verdicts = [AreaVerdict(a.id, "approved") for a in areas[:-2]] + [
            AreaVerdict(a.id, "approved" if approved_all else "not_yet", "Studiecirkel")
            for a in areas[-2:]
        ]
        record_outcomes(booking.id, verdicts, "Fint resultat", session.assessor, now=after)
        coordinator = make.person(("coordinator",), company=company)
        other_coordinator = make.person(("coordinator",), company=make.company())
        return {
            "booking": booking.id,
            "employee": person.email,
            "coordinator": coordinator.email,
            "other": other_coordinator.email,
            "assessor": session.assessor.email,
            "last_area": areas[-1].name,
        }


def test_the_employee_and_their_coordinator_see_the_statement(app, client, auth, make):
    data = _assessed(app, make)
    for who in ("employee", "coordinator"):
        auth.login(data[who])
        page = client.get(f"/bookings/{data['booking']}/intyg")
        html = page.get_data(as_text=True)
        assert page.status_code == 200, who
        assert "Intyg om validering" in html and "Ida Industri" in html
        assert "Godkända kompetensområden</h2>" not in html  # heading carries the count
        assert "Godkända kompetensområden (8)" in html and "Kvar att utveckla (2)" in html
        assert data["last_area"] in html and "Studiecirkel" in html
        auth.logout()
    auth.login(data["coordinator"])
    company = client.get("/company/results").get_data(as_text=True)
    assert "Ida Industri" in company and f"/bookings/{data['booking']}/intyg" in company


def test_others_do_not_see_the_statement(app, client, auth, make):
    data = _assessed(app, make)
    with app.app_context():
        stranger = make.employee().email
    for email in (stranger, data["other"]):
        auth.login(email)
        page = client.get(f"/bookings/{data['booking']}/intyg")
        assert page.status_code == 404
        assert "Ida Industri" not in page.get_data(as_text=True)
        auth.logout()
    assert client.get(f"/bookings/{data['booking']}/intyg").status_code == 302  # sign in first


def test_testledare_records_an_outcome_through_the_form(app, client, auth, make):
    with app.app_context():
        # Results are recorded from the session's start: this one began an hour ago.
        session = make.session(starts_in=-timedelta(hours=1))
        person = make.employee(name="Olle Operatör")
        booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=3))
        set_attendance(
            booking.id, "attended", session.assessor, now=session.starts_at + timedelta(hours=1)
        )
        areas = [a.id for a in model_areas(session.model_id)]
        booking_id, session_id, email = booking.id, session.id, session.assessor.email
    auth.login(email)
    listing = client.get(f"/sessions/{session_id}/participants").get_data(as_text=True)
    assert "Olle Operatör" in listing and "Registrera resultat" in listing
    form = page_form(client, f"/bookings/{booking_id}/outcome", button="Spara resultat")
    form.fill(comment="Bra")
    for a in areas[:-1]:
        form.set(f"area-{a}", "approved")
    incomplete = form.submit()
    assert incomplete.status_code == 400
    assert "varje kompetensområde" in incomplete.get_data(as_text=True)
    form.set(f"area-{areas[-1]}", "not_yet").set(f"training-{areas[-1]}", "Kurs i mätteknik")
    done = form.submit()
    assert done.status_code == 302
    statement = client.get(f"/bookings/{booking_id}/intyg").get_data(as_text=True)
    assert "Kurs i mätteknik" in statement


def test_the_result_page_of_someone_absent_says_so_instead_of_a_form(app, client, auth, make):
    """It opened with the whole form, and saving it was then refused; "Godkänn alla" from
    a list left open while they were marked absent ended on an error page."""
    with app.app_context():
        session = make.session(starts_in=-timedelta(hours=1))
        person = make.employee()
        booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=3))
        set_attendance(
            booking.id, "attended", session.assessor, now=session.starts_at + timedelta(hours=1)
        )
        booking_id, session_id, email = booking.id, session.id, session.assessor.email
    auth.login(email)
    listing = f"/sessions/{session_id}/participants"
    left_open = page_form(client, listing, button="Godkänn alla områden")
    with app.app_context():
        set_attendance(booking_id, "no_show", db.session.get(Booking, booking_id).session.assessor)
    page = client.get(f"/bookings/{booking_id}/outcome")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "bara registreras för deltagare som var närvarande" in html
    assert "Spara resultat" not in html and "Godkänn alla områden" not in html
    stale = left_open.submit()
    assert stale.status_code == 302 and stale.location.endswith(f"{listing}#p-{booking_id}")
    assert "var närvarande" in client.get(stale.location).get_data(as_text=True)


def test_participant_list_shows_support_needs_only_to_testledare_and_staff(app, client, auth, make):
    with app.app_context():
        session = make.session()
        person = make.employee(name="Stina Stöd")
        book_seat(session.id, person, person, support_needs=["interpreter"], support_note="Finska")
        session_id, assessor, employee = session.id, session.assessor.email, person.email
    auth.login(assessor)
    html = client.get(f"/sessions/{session_id}/participants").get_data(as_text=True)
    assert "Stina Stöd" in html and "Tolk eller prov på annat språk" in html and "Finska" in html
    auth.logout()
    auth.login(employee)
    assert client.get(f"/sessions/{session_id}/participants").status_code == 404


def test_booking_form_sends_support_needs(app, client, auth, make):
    with app.app_context():
        session_id, email = make.session().id, make.employee().email
    auth.login(email)
    page = client.get(f"/sessions/{session_id}")
    assert "Förlängd provtid" in page.get_data(as_text=True)
    form = form_of(page, client, action=f"/sessions/{session_id}/book")
    form.fill(support_needs=["extra_time", "accessible_workstation"], support_note="Rullstol")
    assert form.submit().status_code == 302
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session_id))
        assert booking.support_need_codes == ["accessible_workstation", "extra_time"]
    bad = form.set("support_needs", ["nonsense"], tamper=True).set("request_key", "b" * 22)
    assert bad.submit().status_code == 400


def test_a_note_of_many_lines_counts_each_line_break_once(app, client, auth, make):
    """Browsers send a line break as CRLF and count it as one character against the
    note's maxlength: ten lines of 50 fit 500, and one character more comes back on
    the session page with what was written, not on an error page of its own."""
    with app.app_context():
        session_id, email = make.session().id, make.employee().email
        other_id = make.session(starts_in=timedelta(days=20)).id
    auth.login(email)
    lines = "\r\n".join(["x" * 48] * 10) + "\r\n" + "y" * 10  # 490 + 10 breaks: 500 as typed
    too_long = form_of(client.get(f"/sessions/{other_id}"), client, field="support_note")
    refused = too_long.fill(support_note=lines + "z").submit()
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Högst 500 tecken." in page and "Boka plats" in page and "y" * 10 + "z" in page
    fits = form_of(client.get(f"/sessions/{session_id}"), client, field="support_note")
    assert fits.fill(support_note=lines).submit().status_code == 302
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session_id))
        assert booking.support_note == lines.replace("\r\n", "\n")
        assert len(booking.support_note) == 500


def _row(html: str, name: str) -> str:
    """The table rows of one person on a page, joined."""
    rows = [
        row.split("</tr>")[0]
        for row in re.split(r"<tr[ >]", html)
        if re.search(rf"<td>(<input [^>]*> <label [^>]*>)?{re.escape(name)}", row)
    ]
    assert rows, f"{name} is not listed"
    return "".join(rows)


def test_repeated_no_shows_are_shown_to_their_coordinator_and_testledare_only(
    app, client, auth, make
):
    """Two no-shows mark the employee on the company's results and the next participant list."""
    with app.app_context():
        company = make.company()
        twice = make.employee(company=company, name="Nils Nollning")
        once = make.employee(company=company, name="Elsa Engång")
        earlier = [make.session(starts_in=timedelta(days=d)) for d in (10, 17)]
        for session in earlier:
            for person in (twice, once) if session is earlier[0] else (twice,):
                booking = book_seat(
                    session.id, person, person, now=session.starts_at - timedelta(days=5)
                )
                set_attendance(
                    booking.id,
                    "no_show",
                    session.assessor,
                    now=session.starts_at + timedelta(hours=1),
                )
        upcoming = make.session(starts_in=timedelta(days=30))
        book_seat(upcoming.id, twice, twice)
        book_seat(upcoming.id, once, once)
        coordinator = make.person(("coordinator",), company=company).email
        other_coordinator = make.person(("coordinator",), company=make.company()).email
        upcoming_id, assessor = upcoming.id, upcoming.assessor.email

    auth.login(coordinator)
    page = client.get("/company/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Uteblivit 2 gånger" in _row(html, "Nils Nollning")
    assert "Uteblev" in _row(html, "Nils Nollning")  # each no-show's status
    assert "Uteblivit" not in _row(html, "Elsa Engång")  # once is not repeated
    assert html.count("Uteblivit 2 gånger") == 3  # on each of his three bookings
    auth.logout()

    auth.login(other_coordinator)
    html = client.get("/company/results").get_data(as_text=True)
    assert "Nils Nollning" not in html and "Uteblivit" not in html
    auth.logout()

    # The testledare of his next session sees it too, beside his name.
    auth.login(assessor)
    html = client.get(f"/sessions/{upcoming_id}/participants").get_data(as_text=True)
    assert "Uteblivit 2 gånger" in _row(html, "Nils Nollning")
    assert "Uteblivit" not in _row(html, "Elsa Engång")


def _running_with_one_checked_in(make, name="Petra Prov"):
    """A session that started an hour ago, with one participant checked in."""
    session = make.session(starts_in=-timedelta(hours=1))
    person = make.employee(name=name)
    booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=3))
    check_in(booking.id, session.assessor, now=session.starts_at)
    areas = [a.id for a in model_areas(session.model_id)]
    return session, person, booking, areas


def _outcomes(booking_id):
    with db.session.begin_nested():
        rows = db.session.scalars(
            select(AreaOutcome).where(AreaOutcome.booking_id == booking_id)
        ).all()
        return {o.area_id: (o.result, o.training) for o in rows}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_stale_approve_all_never_overwrites_a_result_recorded_since(app, client, auth, make):
    """Pressed on a list (or a result page) opened before someone recorded an exception,
    "Godkänn alla områden" approved every area and deleted the proposed training."""
    with app.app_context():
        session, _person, booking, areas = _running_with_one_checked_in(make)
        booking_id, session_id, email = booking.id, session.id, session.assessor.email
    auth.login(email)
    listing = f"/sessions/{session_id}/participants"
    stale_row = page_form(client, listing, button="Godkänn alla områden Petra Prov")
    stale_page = page_form(client, f"/bookings/{booking_id}/outcome", button="Godkänn alla områden")
    # Meanwhile (another tab) the result is saved with one area not yet approved.
    form = page_form(client, f"/bookings/{booking_id}/outcome", button="Spara resultat")
    form.set(f"area-{areas[0]}", "not_yet").set(f"training-{areas[0]}", "Säkerhetskurs 2 dagar")
    assert form.submit("Godkänn övriga områden och spara").status_code == 302
    with app.app_context():
        recorded = _outcomes(booking_id)
    assert recorded[areas[0]] == ("not_yet", "Säkerhetskurs 2 dagar")

    # The page's script asks for the row; refused, it sends the form plainly.
    scripted = stale_row.submit("Godkänn alla områden Petra Prov", headers={"X-Row-Update": "1"})
    assert scripted.status_code == 409
    answer = stale_row.submit("Godkänn alla områden Petra Prov")
    assert answer.status_code == 302 and answer.location.endswith(f"{listing}#p-{booking_id}")
    page = client.get(answer.location).get_data(as_text=True)
    assert "Resultatet för Petra Prov är redan registrerat" in page
    assert "Öppna resultatet för att ändra det." in page and "är sparat" not in page

    # The result page's own approve-all, left open, shows the result as it now is,
    # worded for that page (not "open the result").
    answer = stale_page.submit("Godkänn alla områden")
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Resultatet har ändrats sedan du öppnade sidan" in page
    assert "Öppna resultatet" not in page
    assert "Säkerhetskurs 2 dagar" in page
    with app.app_context():
        assert _outcomes(booking_id) == recorded

    # The result form itself, a deliberate edit, still changes it.
    form = page_form(client, f"/bookings/{booking_id}/outcome", button="Spara resultat")
    # The stored training still filled in beside it needs no clearing: it goes.
    form.set(f"area-{areas[0]}", "approved")
    assert form.submit("Spara resultat").status_code == 302
    with app.app_context():
        assert _outcomes(booking_id)[areas[0]] == ("approved", "")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_check_in_with_nobody_ticked_returns_to_the_list_with_the_error(app, client, auth, make):
    """It was an error page with only a link to the start page."""
    with app.app_context():
        session = make.session(starts_in=timedelta(minutes=30))
        person = make.employee(name="Tina Tom")
        booking = book_seat(session.id, person, person, now=session.starts_at - timedelta(days=3))
        booking_id, session_id, email = booking.id, session.id, session.assessor.email
    auth.login(email)
    listing = f"/sessions/{session_id}/participants"
    answer = page_form(client, listing, button="Checka in alla närvarande").submit(
        "Checka in alla närvarande"
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "<title>Fel: Deltagare" in html and 'class="error-summary"' in html
    assert f'<a href="#tick-{booking_id}">Deltagare: Markera de deltagare som är här.</a>' in html
    assert f'id="tick-{booking_id}"' in html and "Tina Tom" in html
    # The list's own forms work from there.
    ticked = form_of(answer, client, button="Checka in alla närvarande")
    done = ticked.set("booking", [str(booking_id)]).submit("Checka in alla närvarande")
    assert done.status_code == 302
    assert "1 deltagare är incheckad." in client.get(done.location).get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_my_bookings_of_a_running_session_show_the_result_not_arrival_hints(
    app, client, auth, make
):
    """Checked in, with results recorded: the card still said when to arrive, that the
    last day to cancel had passed, and had no intyg."""
    with app.app_context():
        session, person, booking, areas = _running_with_one_checked_in(make)
        booking_id, employee, assessor = booking.id, person.email, session.assessor.email
    auth.login(employee)
    page = client.get("/bookings").get_data(as_text=True)
    assert "Incheckad" in page
    assert "Kom senast" not in page and "Sista dag att avboka" not in page
    assert f"/bookings/{booking_id}/intyg" not in page
    auth.logout()
    auth.login(assessor)
    form = page_form(client, f"/bookings/{booking_id}/outcome", button="Spara resultat")
    assert form.submit("Godkänn övriga områden och spara").status_code == 302
    auth.logout()
    auth.login(employee)
    page = client.get("/bookings").get_data(as_text=True)
    total = len(areas)
    assert f"Godkänd – {total} av {total} områden" in page
    assert f'href="/bookings/{booking_id}/intyg"' in page
    assert client.get(f"/bookings/{booking_id}/intyg").status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_proposed_training_too_long_is_refused_and_line_breaks_are_kept(app, client, auth, make):
    """Over 1,000 characters it was cut silently; its lines were shown as one."""
    with app.app_context():
        session, person, booking, areas = _running_with_one_checked_in(make)
        coordinator = make.person(("coordinator",), company=person.company).email
        booking_id, email = booking.id, session.assessor.email
    auth.login(email)
    form = page_form(client, f"/bookings/{booking_id}/outcome", button="Spara resultat")
    form.set(f"area-{areas[0]}", "not_yet").set(f"training-{areas[0]}", "x" * 1001)
    refused = form.submit("Godkänn övriga områden och spara")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f'<a href="#training-{areas[0]}">' in html
    assert f'<p class="error" id="training-{areas[0]}-error">Högst 1000 tecken.</p>' in html
    with app.app_context():
        assert _outcomes(booking_id) == {}
    form.set(f"training-{areas[0]}", "Säkerhetskurs\r\nMätteknik 1 dag")
    assert form.submit("Godkänn övriga områden och spara").status_code == 302
    intyg = client.get(f"/bookings/{booking_id}/intyg").get_data(as_text=True)
    assert '<td class="pre-line">Säkerhetskurs\nMätteknik 1 dag</td>' in intyg
    auth.logout()
    auth.login(coordinator)
    overview = client.get("/company/overview").get_data(as_text=True)
    assert '<span class="pre-line">Säkerhetskurs\nMätteknik 1 dag</span>' in overview
    assert '<span class="hint pre-line">Säkerhetskurs\nMätteknik 1 dag</span>' in overview


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_result_form_opened_before_a_change_does_not_overwrite_it(app, client, auth, make):
    """Tab D, opened before tab B saved an exception, approved every area over it with
    "Godkänn övriga områden och spara" and B's proposed training was gone."""
    with app.app_context():
        session, _person, booking, areas = _running_with_one_checked_in(make)
        booking_id, email, assessor = booking.id, session.assessor.email, session.assessor.name
    auth.login(email)
    page = f"/bookings/{booking_id}/outcome"
    tab_d = page_form(client, page, button="Spara resultat")
    tab_b = page_form(client, page, button="Spara resultat")
    tab_b.set(f"area-{areas[1]}", "not_yet").set(f"training-{areas[1]}", "Kurs X")
    assert tab_b.submit("Godkänn övriga områden och spara").status_code == 302
    with app.app_context():
        recorded = _outcomes(booking_id)
    assert recorded[areas[1]] == ("not_yet", "Kurs X")

    refused = tab_d.submit("Godkänn övriga områden och spara")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert re.search(
        rf"Resultatet har ändrats sedan du öppnade sidan, av {assessor} kl\. \d\d\.\d\d: "
        r"kontrollera och spara igen\.",
        html,
    )
    # The page shows what is stored now, and what tab D would have saved beside it.
    shown = form_of(refused, client, button="Spara resultat")
    assert shown.value(f"area-{areas[1]}") == "not_yet"
    assert shown.value(f"training-{areas[1]}") == "Kurs X"
    assert "Ditt osparade val: Godkänd" in html
    with app.app_context():
        assert _outcomes(booking_id) == recorded

    # Saved again from the page that showed the change, the deliberate edit stands.
    shown.set(f"area-{areas[1]}", "approved")
    assert shown.submit("Spara resultat").status_code == 302
    with app.app_context():
        assert _outcomes(booking_id)[areas[1]] == ("approved", "")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_training_for_an_area_not_marked_inte_annu_is_refused_not_dropped(app, client, auth, make):
    """The area was saved as approved and the typed training was gone."""
    with app.app_context():
        session, _person, booking, areas = _running_with_one_checked_in(make)
        booking_id, email = booking.id, session.assessor.email
    auth.login(email)
    form = page_form(client, f"/bookings/{booking_id}/outcome", button="Spara resultat")
    form.set(f"training-{areas[2]}", "Mätteknik 1 dag").fill(comment="Bra")
    refused = form.submit("Godkänn övriga områden och spara")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    message = "Markera området Inte ännu, eller töm texten om åtgärder."
    assert f'<a href="#training-{areas[2]}">' in html
    assert f'<p class="error" id="training-{areas[2]}-error">{message}</p>' in html
    again = form_of(refused, client, button="Spara resultat")
    assert again.value(f"training-{areas[2]}") == "Mätteknik 1 dag"
    assert again.value("comment") == "Bra"
    with app.app_context():
        assert _outcomes(booking_id) == {}
    again.set(f"area-{areas[2]}", "not_yet")
    assert again.submit("Godkänn övriga områden och spara").status_code == 302
    with app.app_context():
        assert _outcomes(booking_id)[areas[2]] == ("not_yet", "Mätteknik 1 dag")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_too_long_comment_keeps_every_area_as_filled_in(app, client, auth, make):
    """The comment's error showed, but every radio and training field came back empty."""
    with app.app_context():
        session, _person, booking, areas = _running_with_one_checked_in(make)
        booking_id, email = booking.id, session.assessor.email
    auth.login(email)
    form = page_form(client, f"/bookings/{booking_id}/outcome", button="Spara resultat")
    for a in areas:
        form.set(f"area-{a}", "approved")
    form.set(f"area-{areas[0]}", "not_yet").set(f"training-{areas[0]}", "Säkerhetskurs")
    form.set("comment", "x" * 2001, tamper=True)  # past the field's maxlength
    refused = form.submit("Spara resultat")
    assert refused.status_code == 400
    assert "Högst 2000 tecken." in refused.get_data(as_text=True)
    again = form_of(refused, client, button="Spara resultat")
    assert again.value(f"area-{areas[0]}") == "not_yet"
    assert again.value(f"training-{areas[0]}") == "Säkerhetskurs"
    assert all(again.value(f"area-{a}") == "approved" for a in areas[1:])
    again.set("comment", "Bra")
    assert again.submit("Spara resultat").status_code == 302
    with app.app_context():
        assert _outcomes(booking_id)[areas[0]] == ("not_yet", "Säkerhetskurs")

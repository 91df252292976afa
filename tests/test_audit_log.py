"""The audit log reads as sentences, links what the reader may open, and filters."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_date
from sqlalchemy import select

from app.accounts.models import Person
from app.accounts.privacy import erase
from app.audit import services as audit
from app.bookings.services import book_seat, cancel_booking, move_booking
from app.bookings.session_changes import cancel_session, move_session
from app.centers.services import closed_reason, set_travel_time
from app.extensions import db
from app.regions.models import Municipality
from app.results.services import set_attendance
from app.schedule.authorisations import grant
from app.schedule.models import ValidationSession
from app.timeutil import local_date
from tests.conftest import Auth
from tests.forms import page_form

NILS, ERIK, KARIN = "Nils Nilsson", "Erik Eriksson", "Karin Kollega"
ANNA, OLLE, PIA = "Anna Lindberg", "Olle Annancenter", "Pia Projektsson"
CECILIA, TOVE = "Cecilia Samordnare", "Tove Testledare"
CANCEL_REASON = "Sjuk testledare"


@dataclass
class Log:
    ids: dict = field(default_factory=dict)
    emails: dict = field(default_factory=dict)
    day: date | None = None
    later_day: date | None = None


def _today() -> date:
    """The log's days are Stockholm days (UTC's date is yesterday's after 23.00 in summer)."""
    return local_date(datetime.now(UTC))


def _open_weekday(center, after_days: int) -> date:
    day = _today() + timedelta(days=after_days)
    while closed_reason(center, day) is not None:
        day += timedelta(days=1)
    return day


def _named(person: Person, name: str) -> Person:
    person.name = name
    db.session.commit()
    return person


def _build(make) -> Log:
    """Two centers, a session with bookings, and one change of every kind by named people."""
    log = Log()
    lulea = make.center(name="Komvux Luleå")
    kiruna = make.center(name="Lernia Kiruna", municipality="Kiruna")
    model = make.model()
    tove = _named(make.assessor(model), TOVE)
    company = make.company(name="Stålverket AB")
    nils = make.employee(company=company, name=NILS)
    erik = make.employee(company=company, name=ERIK)
    karin = make.employee(company=company, name=KARIN)
    cecilia = make.person(("coordinator",), company=company, name=CECILIA)
    anna = make.person(("center_admin",), center=lulea, name=ANNA)
    olle = make.person(("center_admin",), center=kiruna, name=OLLE)
    pia = make.person(("project_admin",), name=PIA)
    log.day = _open_weekday(lulea, 14)
    log.later_day = _open_weekday(kiruna, 30)
    session = make.session(center=lulea, model=model, assessor=tove, local_day=log.day)
    doomed = make.session(center=lulea, model=model, assessor=tove, local_day=log.later_day)
    elsewhere = make.session(center=kiruna, model=model, assessor=tove, local_day=log.later_day)

    own = book_seat(session.id, nils, nils)
    book_seat(session.id, erik, erik)
    karins = book_seat(session.id, karin, cecilia)
    move_booking(
        db.session.scalar(
            select(db.metadata.tables["booking"].c.id).where(
                db.metadata.tables["booking"].c.employee_id == erik.id
            )
        ),
        elsewhere.id,
        erik,
    )
    cancel_booking(karins.id, cecilia)
    set_attendance(own.id, "no_show", anna, now=session.starts_at + timedelta(hours=1))
    cancel_session(doomed.id, anna, reason=CANCEL_REASON)
    audit.record(pia, "session", elsewhere.id, "created", center_id=kiruna.id)
    db.session.commit()
    grant(tove.id, make.model("automation-bas").id, date(2026, 1, 1), date(2026, 12, 31), pia)
    luleå, kiruna_town = (
        db.session.scalar(select(Municipality).where(Municipality.name == name))
        for name in ("Luleå", "Kiruna")
    )
    set_travel_time(luleå.id, kiruna_town.id, 240, pia)
    # Codes this page has never heard of still read as a sentence.
    audit.record(anna, "booking", own.id, "frobnicated", center_id=lulea.id, detail="x")
    audit.record(pia, "widget", 7, "polished")
    db.session.commit()
    people = dict(nils=nils, erik=erik, karin=karin, cecilia=cecilia, anna=anna, olle=olle)
    people |= dict(pia=pia, tove=tove)
    log.ids = {name: p.id for name, p in people.items()} | {
        "session": session.id,
        "doomed": doomed.id,
        "elsewhere": elsewhere.id,
        "lulea": lulea.id,
        "kiruna": kiruna.id,
        "own_booking": own.id,
    }
    log.emails = {name: p.email for name, p in people.items()}
    return log


def _client(app, log: Log, who: str, locale: str | None = None):
    if locale is not None:
        with app.app_context():
            db.session.get(Person, log.ids[who]).locale = locale
            db.session.commit()
    client = app.test_client()
    assert Auth(client).login(log.emails[who]).status_code == 302
    return client


def _sentences(html: str) -> list[str]:
    """The text of the log's sentence cells, tags stripped and spaces folded."""
    rows = re.findall(r"<tr>\s*<td><time[^>]*>.*?</time></td>\s*<td>(.*?)</td>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", row).split()) for row in rows]


def _sv(day: date) -> str:
    return format_date(day, "EEEE d MMMM y", locale="sv")


def _en(day: date) -> str:
    return format_date(day, "EEEE d MMMM y", locale="en")


def test_entries_read_as_swedish_sentences(app, make):
    with app.app_context():
        log = _build(make)
    page = _client(app, log, "pia").get("/audit")
    assert page.status_code == 200
    said = _sentences(page.get_data(as_text=True))
    at = f"Industriteknik BAS, Komvux Luleå, {_sv(log.day)}"
    later = _sv(log.later_day)
    expected = [
        f"{NILS} bokade en plats på {at}",
        f"{CECILIA} bokade {KARIN} på {at}",
        f"{ERIK} flyttade sin bokning från {at} till Industriteknik BAS, Lernia Kiruna, {later}",
        f"{CECILIA} avbokade {KARIN} från {at}",
        f"{ANNA} markerade {NILS} som frånvarande på {at}",
        f"{ANNA} ställde in passet Industriteknik BAS, Komvux Luleå, {later}",
        f"{PIA} skapade passet Industriteknik BAS, Lernia Kiruna, {later}",
        f"{PIA} gav {TOVE} behörighet som testledare i Automation BAS från "
        "torsdag 1 januari 2026 till och med torsdag 31 december 2026",
        f"{PIA} satte restiden mellan Kiruna och Luleå till 240 minuter",
        f"{ANNA} ändrade bokningen för {NILS} på {at} (frobnicated)",
        f"{PIA} ändrade widget 7 (polished)",
    ]
    for sentence in expected:
        assert sentence in said, f"{sentence!r} not among {said}"
    html = page.get_data(as_text=True)
    assert CANCEL_REASON in html
    for code in ("no_show", "booking ", "cancelled", "travel_buffer"):
        assert code not in " ".join(said), code


def test_entries_read_as_english_sentences(app, make):
    with app.app_context():
        log = _build(make)
    page = _client(app, log, "pia", locale="en").get("/audit")
    assert page.status_code == 200
    said = _sentences(page.get_data(as_text=True))
    at = f"Industriteknik BAS, Komvux Luleå, {_en(log.day)}"
    expected = [
        f"{NILS} booked a seat at {at}",
        f"{ANNA} marked {NILS} as no-show at {at}",
        f"{CECILIA} cancelled the booking of {KARIN} at {at}",
        f"{PIA} set the travel time between Kiruna and Luleå to 240 minutes",
        f"{PIA} changed widget 7 (polished)",
    ]
    for sentence in expected:
        assert sentence in said, f"{sentence!r} not among {said}"
    english = page.get_data(as_text=True)
    assert "From" in english and "Kind of change" in english


def _hrefs(html: str) -> set[str]:
    """The links in the log's table."""
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    return set(re.findall(r'<a href="([^"]+)"', table))


def test_links_only_to_what_the_reader_may_open(app, make):
    with app.app_context():
        log = _build(make)
    ids = log.ids
    admin = _client(app, log, "pia").get("/audit").get_data(as_text=True)
    links = _hrefs(admin)
    assert f"/sessions/{ids['session']}" in links
    assert f"/centers/{ids['lulea']}/admin" in links
    assert f"/centers/{ids['kiruna']}/admin" in links
    assert f"/people/{ids['tove']}/assessor" in links
    assert "/centers/travel-times" in links
    # Employees have no page of their own to open.
    assert not any(f"/people/{ids[p]}/" in href for href in links for p in ("nils", "karin"))
    for href in links:  # every link opens for the reader
        assert _client(app, log, "pia").get(href).status_code == 200, href

    center_admin = _client(app, log, "anna")
    page = center_admin.get("/audit").get_data(as_text=True)
    links = _hrefs(page)
    assert f"/sessions/{ids['session']}" in links
    assert f"/centers/{ids['lulea']}/admin" in links
    # Lernia Kiruna is named (Erik moved there) but is not Anna's to open.
    assert "Lernia Kiruna" in page and f"/centers/{ids['kiruna']}/admin" not in links
    assert not any(href.startswith("/people/") for href in links)
    assert "/centers/travel-times" not in links
    for href in links:
        assert center_admin.get(href).status_code == 200, href


def test_access_rules_stay(app, make):
    with app.app_context():
        log = _build(make)
    anna = _client(app, log, "anna").get("/audit").get_data(as_text=True)
    assert CANCEL_REASON in anna and "restiden" not in anna and "widget" not in anna
    olle = _client(app, log, "olle").get("/audit").get_data(as_text=True)
    assert CANCEL_REASON not in olle and NILS not in olle
    assert f"{PIA} skapade passet" in olle  # the session at Olle's own center
    for who in ("nils", "cecilia", "tove"):
        assert _client(app, log, who).get("/audit").status_code == 403
    # A center admin may filter by their own centers only.
    form = page_form(_client(app, log, "anna"), "/audit", method="get")
    assert form.options("center") == ["", str(log.ids["lulea"])]
    assert "attendance" in form.options("kind") and "travel_time" not in form.options("kind")


def _filtered(app, log, who="pia", **values):
    client = _client(app, log, who)
    form = page_form(client, "/audit", method="get")
    response = form.fill(**values).submit()
    return response, _sentences(response.get_data(as_text=True))


def test_filter_by_kind(app, make):
    with app.app_context():
        log = _build(make)
    form = page_form(_client(app, log, "pia"), "/audit", method="get")
    assert "attendance" in form.options("kind")
    assert "Närvaro och utebliven" in form.text
    response, said = _filtered(app, log, kind="attendance")
    assert response.status_code == 200
    assert len(said) == 1 and said[0].startswith(f"{ANNA} markerade {NILS} som frånvarande")
    _response, said = _filtered(app, log, kind="session_cancelled")
    assert len(said) == 1 and "ställde in passet" in said[0]


def test_filter_by_person_who_did_it_or_whom_it_concerned(app, make):
    with app.app_context():
        log = _build(make)
    _response, said = _filtered(app, log, person="nilS")
    assert said and all(NILS in s for s in said)
    assert any(s.startswith(f"{NILS} bokade") for s in said)
    assert any(s.startswith(f"{ANNA} markerade {NILS}") for s in said)
    _response, said = _filtered(app, log, person="anna")
    assert said and all(s.startswith(ANNA) for s in said)
    _response, said = _filtered(app, log, person="åsa-nobody")
    assert said == []


def test_filter_by_center(app, make):
    with app.app_context():
        log = _build(make)
    _response, said = _filtered(app, log, center=str(log.ids["kiruna"]))
    at = f"Industriteknik BAS, Lernia Kiruna, {_sv(log.later_day)}"
    assert said == [f"{PIA} skapade passet {at}", f"{ERIK} bokade en plats på {at}"]


def test_filter_by_dates(app, make):
    with app.app_context():
        log = _build(make)
    # The no-show was recorded on the session's day; everything else today.
    day = log.day.isoformat()
    _response, said = _filtered(app, log, from_date=day, to_date=day)
    assert len(said) == 1 and "som frånvarande" in said[0]
    _response, said = _filtered(app, log, to_date=_today().isoformat())
    assert said and not any("som frånvarande" in s for s in said)
    _response, said = _filtered(app, log, from_date=(log.day + timedelta(days=1)).isoformat())
    assert said == []


def test_bad_filter_values_are_400_with_a_message(app, make):
    with app.app_context():
        log = _build(make)
    cases = [
        (dict(from_date="2026-13-45"), "Skriv datumet som år-månad-dag"),
        (dict(to_date="igår"), "Skriv datumet som år-månad-dag"),
        (dict(from_date="1066-10-14"), "Välj ett datum mellan år 2000 och 2100."),
        (dict(from_date="2026-03-10", to_date="2026-03-01"), "Till-datumet ligger före"),
        (dict(person="x" * 500), "Skriv högst 120 tecken."),
    ]
    for values, message in cases:
        response, _said = _filtered(app, log, **values)
        assert response.status_code == 400, values
        assert message in response.get_data(as_text=True), values
    client = _client(app, log, "pia")
    for tampered in (dict(center="999999"), dict(center="x"), dict(kind="bogus")):
        form = page_form(client, "/audit", method="get")
        response = form.fill(tamper=True, **tampered).submit()
        assert response.status_code == 400, tampered
        assert "Välj ett av alternativen i listan." in response.get_data(as_text=True)
    # Another center's id is not an option for a center admin either.
    form = page_form(_client(app, log, "anna"), "/audit", method="get")
    response = form.fill(tamper=True, center=str(log.ids["kiruna"])).submit()
    assert response.status_code == 400
    for query in ("page=0", "page=x", "page=99999999999999999999"):
        response = client.get(f"/audit?{query}")
        assert response.status_code == 400, query
        assert 'class="error"' in response.get_data(as_text=True)


def test_paging_keeps_the_filters(app, make):
    with app.app_context():
        log = _build(make)
        anna = db.session.get(Person, log.ids["anna"])
        for _ in range(55):
            audit.record(anna, "booking", log.ids["own_booking"], "no_show", log.ids["lulea"])
        db.session.commit()
    response, said = _filtered(app, log, kind="attendance", person="Nils")
    assert response.status_code == 200 and len(said) == 50
    html = response.get_data(as_text=True)
    next_link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert "kind=attendance" in next_link and "person=Nils" in next_link
    assert "page=2" in next_link
    second = _client(app, log, "pia").get(next_link)
    assert second.status_code == 200
    assert len(_sentences(second.get_data(as_text=True))) == 6
    assert 'rel="prev"' in second.get_data(as_text=True)


def test_an_erased_persons_entries_still_render(app, make):
    with app.app_context():
        log = _build(make)
        pia = db.session.get(Person, log.ids["pia"])
        erase(log.ids["karin"], pia)
        erase(log.ids["cecilia"], pia)
    page = _client(app, log, "pia").get("/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert KARIN not in html and CECILIA not in html
    said = _sentences(html)
    at = f"Industriteknik BAS, Komvux Luleå, {_sv(log.day)}"
    assert f"En borttagen person bokade en borttagen person på {at}" in said
    assert f"{PIA} tog bort personuppgifterna för en borttagen person" in said
    english = _client(app, log, "pia", locale="en").get("/audit").get_data(as_text=True)
    assert f"{PIA} erased the personal data of a deleted person" in _sentences(english)


def test_every_other_kind_of_change_reads_as_a_sentence(app, make):
    """The writers' codes and details (grep `audit.record`), each as its sentence."""
    with app.app_context():
        log = _build(make)
        ids = log.ids
        anna, pia, tove = (db.session.get(Person, ids[p]) for p in ("anna", "pia", "tove"))
        lulea, booking, session = ids["lulea"], ids["own_booking"], ids["session"]
        kiruna = db.session.get(ValidationSession, ids["elsewhere"]).starts_at
        records = [
            (None, "booking", booking, "promoted", lulea, ""),
            (anna, "booking", booking, "waitlisted", lulea, ""),
            (anna, "booking", booking, "checked_in", lulea, ""),
            (anna, "booking", booking, "attended", lulea, ""),
            (None, "booking", booking, "no_show", lulea, "automatiskt"),
            (anna, "booking", booking, "cancelled (staff override)", lulea, ""),
            (tove, "outcome", booking, "outcome", lulea, ""),
            (anna, "session", session, "moved", lulea, f"{kiruna.isoformat()} {TOVE}"),
            (pia, "person", ids["tove"], "home center", None, str(lulea)),
            (pia, "person", ids["tove"], "home center", None, ""),
            (
                pia,
                "person",
                ids["tove"],
                "authorisation revoked",
                None,
                "CNC 2026-01-01–2026-06-30",
            ),
            (pia, "travel_buffer", 1, "set", None, "Kiruna–Luleå: 240 → 90 min"),
            (pia, "travel_buffer", 1, "deleted", None, "Kiruna–Luleå: 90 min"),
            # Rows that are gone, and details nobody wrote, are still sentences.
            (anna, "booking", 10**8, "booked", lulea, ""),
            (anna, "session", 10**8, "cancelled", lulea, ""),
            (pia, "person", 10**8, "home center", None, "not a number"),
            (pia, "person", ids["tove"], "authorised", None, "no dates here"),
            (anna, "session", session, "moved", lulea, "not-a-date"),
        ]
        for actor, entity, entity_id, action, center_id, detail in records:
            audit.record(actor, entity, entity_id, action, center_id=center_id, detail=detail)
        db.session.commit()
    response = _client(app, log, "pia").get("/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    said = _sentences(html)
    at = f"Industriteknik BAS, Komvux Luleå, {_sv(log.day)}"
    when = f"{_sv(log.later_day)} kl. 08.00"
    expected = [
        f"{NILS} fick en plats från kön på {at}",
        f"{ANNA} ställde {NILS} i kön till {at}",
        f"{ANNA} checkade in {NILS} på {at}",
        f"{ANNA} markerade {NILS} som närvarande på {at}",
        f"Systemet markerade {NILS} som frånvarande på {at}",
        f"{ANNA} avbokade {NILS} från {at}",
        f"{TOVE} registrerade resultatet för {NILS} på {at}",
        f"{ANNA} flyttade passet Industriteknik BAS, Komvux Luleå till {when} "
        f"med {TOVE} som testledare",
        f"{PIA} gjorde Komvux Luleå till hemmacenter för {TOVE}",
        f"{PIA} tog bort hemmacentret för {TOVE}",
        f"{PIA} tog bort behörigheten för {TOVE} som testledare i CNC "
        "(torsdag 1 januari 2026 till och med tisdag 30 juni 2026)",
        f"{PIA} ändrade restiden mellan Kiruna och Luleå från 240 till 90 minuter",
        f"{PIA} tog bort restiden mellan Kiruna och Luleå (90 minuter)",
        f"{ANNA} ändrade en bokning som inte längre finns (booked)",
        f"{ANNA} ändrade ett pass som inte längre finns (cancelled)",
        f"{PIA} ändrade en borttagen person (home center)",
        f"{PIA} ändrade {TOVE} (authorised)",
        f"{ANNA} flyttade passet {at}",
    ]
    for sentence in expected:
        assert sentence in said, f"{sentence!r} not among {said}"
    assert "Markerat automatiskt efter passet." in html
    assert "Gjort av personal efter sista dag för ändringar." in html
    assert f"/bookings/{ids['own_booking']}/outcome" in _hrefs(html)
    assert (
        _client(app, log, "pia").get(f"/bookings/{ids['own_booking']}/outcome").status_code == 200
    )


def test_a_new_testledare_at_the_same_time_is_no_move_and_a_move_says_from_when(app, make):
    """Another testledare for a session at the same time reads as that, from whom to
    whom (it read "flyttade passet … till <the same time>"); a real move keeps its
    sentence and names the time it had before."""
    with app.app_context():
        log = _build(make)
        anna = db.session.get(Person, log.ids["anna"])
        mona = _named(make.assessor(make.model()), "Mona Lindahl")
        move_session(log.ids["session"], log.day, time(8), anna, assessor_id=mona.id)
        move_session(log.ids["session"], log.day, time(12, 30), anna)
        move_session(log.ids["session"], log.day, time(12, 30), anna)  # saved as it was
    _response, said = _filtered(app, log, kind="session_assessor")
    at = f"Industriteknik BAS, Komvux Luleå, {_sv(log.day)}"
    assert said == [f"{ANNA} bytte testledare för passet {at} från {TOVE} till Mona Lindahl"]
    _response, said = _filtered(app, log, kind="session_moved")
    assert said == [
        f"{ANNA} flyttade passet Industriteknik BAS, Komvux Luleå från {_sv(log.day)} kl. 08.00 "
        f"till {_sv(log.day)} kl. 12.30 med Mona Lindahl som testledare"
    ]

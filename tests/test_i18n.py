"""Swedish by default, English on request: catalogue, choice, formatting, mails."""

import os
import shutil
import stat
import threading
from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from babel.messages.checkers import checkers
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from app import formatting
from app.accounts.models import Person
from app.bookings.services import book_seat
from app.calendar.reminders import queue_reminders
from app.db import utcnow
from app.extensions import db
from app.i18n import compile_catalogues
from app.timeutil import local_to_utc
from tests.calendars import invite_of, outbox, parse_mail
from tests.conftest import Auth
from tests.forms import form_of, page_form

ROOT = os.path.join(os.path.dirname(__file__), os.pardir)
TRANSLATIONS = os.path.join(ROOT, "app", "translations")
ENGLISH_PO = os.path.join(TRANSLATIONS, "en", "LC_MESSAGES", "messages.po")


def _english_catalogue():
    with open(ENGLISH_PO, "rb") as handle:
        return read_po(handle, locale="en")


# The catalogue ------------------------------------------------------------------


def test_every_swedish_text_has_an_english_translation_with_the_same_placeholders():
    catalogue = _english_catalogue()
    untranslated, broken = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            untranslated.append(message.id)
        for checker in checkers:
            try:
                checker(catalogue, message)
            except Exception as error:  # TranslationError: placeholders differ
                broken.append((message.id, str(error)))
    assert len(catalogue) > 400
    assert untranslated == []
    assert broken == []


def test_the_catalogue_holds_every_text_the_source_marks_for_translation():
    """A text added to a template or a module without updating the catalogue fails here."""
    method_map = [
        ("app/**.py", "python"),
        ("app/**/templates/**.html", "jinja2"),
        ("app/**/templates/**.txt", "jinja2"),  # the mails' text parts
    ]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
        "_l": None,
        "lazy_gettext": None,
    }
    # (context, text): pgettext("plural", "Företag") is "Companies", _("Företag") "Company".
    found = {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT, method_map, keywords=keywords
        )
    }
    known = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0])
        for m in _english_catalogue()
        if m.id
    }
    assert found, "the extractor found no texts at all"
    assert sorted(found - known) == []


def test_catalogues_are_compiled_when_missing_or_older_and_atomically(tmp_path):
    folder = tmp_path / "translations" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(ENGLISH_PO, folder / "messages.po")
    mo = folder / "messages.mo"

    # Several gunicorn workers starting at once.
    errors = []

    def compile_once():
        try:
            compile_catalogues(str(tmp_path / "translations"))
        except Exception as error:  # pragma: no cover - shown by the assert below
            errors.append(error)

    threads = [threading.Thread(target=compile_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(p.name for p in folder.iterdir()) == ["messages.mo", "messages.po"]
    with open(mo, "rb") as handle:
        compiled = read_mo(handle)
    assert compiled.get("Logga in").string == "Sign in"
    # Readable by workers that run as another user than the set-up did.
    assert stat.S_IMODE(os.stat(mo).st_mode) == 0o644

    # Up to date: left alone. Older than the .po: compiled again.
    os.utime(mo, (2_000_000_000, 2_000_000_000))
    compile_catalogues(str(tmp_path / "translations"))
    assert os.path.getmtime(mo) == 2_000_000_000
    os.utime(mo, (1_000_000_000, 1_000_000_000))
    compile_catalogues(str(tmp_path / "translations"))
    assert os.path.getmtime(mo) > 1_000_000_000


# Choosing the language ----------------------------------------------------------


def test_swedish_by_default_and_english_from_the_browser(client):
    swedish = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in swedish and "Hitta en validering" in swedish
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    html = english.get_data(as_text=True)
    assert '<html lang="en">' in html and "Find a validation" in html
    assert "Sign in" in html and "Logga in" not in html
    preferred = client.get("/", headers={"Accept-Language": "sv-SE,en;q=0.5"})
    assert "Hitta en validering" in preferred.get_data(as_text=True)
    german = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Hitta en validering" in german


@pytest.mark.parametrize(
    ("browser", "told"),
    [("sv-SE", "Logga in för att se sidan."), ("en-GB", "Sign in to see this page.")],
)
def test_a_page_that_needs_a_sign_in_says_so_in_the_visitors_language(client, browser, told):
    """Flask-Login's own message was English on Swedish pages (a link in a mail, say)."""
    answer = client.get("/bookings", headers={"Accept-Language": browser})
    assert answer.status_code == 302 and "/login" in answer.location
    page = client.get(answer.location, headers={"Accept-Language": browser})
    assert told in page.get_data(as_text=True)
    assert "Please log in" not in page.get_data(as_text=True)


def test_the_form_libraries_own_messages_follow_the_language_request_by_request(
    app, client, auth, make
):
    """WTForms' messages ("Not a valid date value") are kept per language, not per app,
    in the app's words, on the pages' forms and on the GET filters alike."""
    for language, shown, not_shown in [
        ("sv", "Ange ett datum som ÅÅÅÅ-MM-DD.", "Not a valid date value"),
        ("en", "Enter a date as YYYY-MM-DD.", "Ange ett datum"),
        ("sv-SE", "Ange ett datum som ÅÅÅÅ-MM-DD.", "Not a valid date value"),
    ]:
        answer = client.get(
            "/", query_string={"date_from": "nope"}, headers={"Accept-Language": language}
        )
        html = answer.get_data(as_text=True)
        assert answer.status_code == 400
        assert shown in html and not_shown not in html, language
    with app.app_context():
        auth.login(make.person(("project_admin",)).email)
    for language, shown in (
        ("sv", "Välj ett av alternativen."),
        ("en", "Choose one of the options."),
    ):
        # The dashboard's and the audit log's filters are plain WTForms forms (no token).
        headers = {"Accept-Language": language}
        answer = client.get("/reports/?project=abc", headers=headers)
        assert answer.status_code == 400
        assert shown in answer.get_data(as_text=True), language


def test_a_visitor_switches_with_a_link_that_is_remembered(client):
    page = client.get("/?free_only=y")
    html = page.get_data(as_text=True)
    # Links: no form token, so a visitor's page view starts no signed session.
    assert 'href="/language/en?next=/?free_only%3Dy"' in html and "English" in html
    assert "session=" not in page.headers.get("Set-Cookie", "")
    response = client.get("/language/en?next=/?free_only%3Dy")
    assert response.status_code == 303 and response.location.endswith("/?free_only=y")
    english = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    # The choice beats the browser's language, and the switch now offers Swedish.
    assert "Find a validation" in english and 'href="/language/sv?next=/"' in english
    assert "Svenska" in english


def test_bad_language_switches_are_refused(app, client, auth, make):
    unknown = client.get("/language/de")
    assert unknown.status_code == 400
    assert "Välj svenska eller engelska." in unknown.get_data(as_text=True)
    elsewhere = client.get("/language/en?next=//evil.example")
    assert elsewhere.status_code == 303 and elsewhere.location.endswith("/")
    assert "evil" not in elsewhere.location

    with app.app_context():
        email = make.employee().email
    auth.login(email)
    switch = page_form(client, "/", action="/language")
    no_token = switch.copy().remove("csrf_token").submit()
    assert no_token.status_code == 400
    # A language no button offers, sent by hand.
    unknown = switch.copy()
    unknown.buttons = []
    assert unknown.add("language", "de").submit().status_code == 400


def test_a_signed_in_persons_choice_follows_them_to_another_browser(app, client, auth, make):
    with app.app_context():
        person = make.employee()
        email, person_id = person.email, person.id
    auth.login(email)
    page = client.get("/").get_data(as_text=True)
    assert 'name="language" value="en"' in page  # signed in: a form with a token
    answer = page_form(client, "/bookings", action="/language").submit("language=en")
    assert answer.status_code == 303 and answer.location.endswith("/bookings")
    with app.app_context():
        assert db.session.get(Person, person_id).locale == "en"

    other = app.test_client()
    login = other.get("/login").get_data(as_text=True)
    assert "Logga in" in login  # a new browser: Swedish until they sign in
    Auth(other).login(email)
    mine = other.get("/bookings").get_data(as_text=True)
    assert "My bookings" in mine and "Mina bokningar" not in mine


def test_switching_language_on_a_refused_form_leads_back_to_the_forms_page(app, client, auth, make):
    """A refusal is the answer to a POST: its switch led back to the POST's address (a
    405) instead of the page the form was on."""
    with app.app_context():
        email = make.employee().email
    auth.login(email)
    refused = page_form(client, "/account", action="/account/place")
    refused.set("municipality", "99999", tamper=True)  # gone since the page was read
    answer = refused.submit()
    assert answer.status_code == 400
    switch = form_of(answer, client, action="/language")
    back = switch.submit("language=en")
    assert back.status_code == 303 and back.location.endswith("/account")
    assert client.get(back.location).status_code == 200


def test_a_choice_made_before_signing_in_becomes_the_persons(app, client, auth, make):
    with app.app_context():
        person = make.employee()
        email, person_id = person.email, person.id
        chosen = make.employee()
        chosen.locale = "sv"
        db.session.commit()
        chosen_email, chosen_id = chosen.email, chosen.id
    client.get("/language/en")
    auth.login(email)
    with app.app_context():
        assert db.session.get(Person, person_id).locale == "en"
    auth.logout()
    # Someone who already chose keeps their choice.
    auth.login(chosen_email)
    with app.app_context():
        assert db.session.get(Person, chosen_id).locale == "sv"
    assert "Hitta en validering" in client.get("/").get_data(as_text=True)


# Formatting ---------------------------------------------------------------------


def test_dates_times_weeks_and_numbers_the_swedish_and_the_english_way(app):
    start = local_to_utc(date(2026, 3, 3), time(8, 0))
    end = local_to_utc(date(2026, 3, 3), time(12, 0))
    with app.test_request_context():
        with force_locale("sv"):
            assert formatting.time_span(start, end) == "tisdag 3 mars 2026, kl. 08.00–12.00"
            assert formatting.week_label(start) == "vecka 10"
            assert formatting.week_label(date(2027, 1, 1)) == "vecka 53"  # ISO: 2026's last
            assert formatting.number(1234.5, 1) == "1\xa0234,5"
            assert formatting.day_label(date(2026, 3, 2)) == "måndag 2 mars"
        with force_locale("en"):
            assert formatting.time_span(start, end) == "Tuesday 3 March 2026, 08:00–12:00"
            assert formatting.week_label(start) == "week 10"
            assert formatting.number(1234.5, 1) == "1,234.5"


def test_the_session_page_in_english(app, client, make):
    with app.app_context():
        session = make.session(starts_in=timedelta(days=14))
        session_id = session.id
        with force_locale("en"):
            when = formatting.time_span(session.starts_at, session.ends_at)
    html = client.get(f"/sessions/{session_id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert when in html and ", kl. " not in when and "." not in when.split(", ")[-1]
    assert "5 seats left" in html and "Sign in and book" in html


# Mails, invites and reminders -------------------------------------------------------


def _english(person):
    person.locale = "en"
    db.session.commit()
    return person


def test_mails_and_invites_are_in_the_recipients_language(app, make):
    with app.app_context():
        session = make.session(local_day=date(2027, 6, 15), local_time=time(8, 0))
        english = _english(make.employee())
        swedish = make.employee()
        # Whoever's request it is (here an English one), each gets their own language.
        with app.test_request_context(headers={"Accept-Language": "en"}):
            now = session.starts_at - timedelta(days=20)
            book_seat(session.id, english, english, now=now)
            book_seat(session.id, swedish, swedish, now=now)
        to_english, to_swedish = [r for r in outbox() if r.kind == "booked"]
        assert to_english.recipient == english.email
        assert to_english.subject.startswith("Booking confirmation: Industriteknik BAS")
        assert "Tuesday 15 June 2027, 08:00–11:00" in to_english.subject
        event = icalendar.Calendar.from_ical(invite_of(to_english)).walk("VEVENT")[0]
        assert str(event["SUMMARY"]) == "Validation: Industriteknik BAS"
        assert "Bring: photo ID, safety shoes" in str(event["DESCRIPTION"])
        text = next(
            part.get_content()
            for part in parse_mail(to_english.raw).walk()
            if part.get_content_type() == "text/plain"
        )
        assert text.startswith(f"Hello {english.name},")

        assert to_swedish.subject.startswith("Bokningsbekräftelse: Industriteknik BAS")
        assert "tisdag 15 juni 2027, kl. 08.00–11.00" in to_swedish.subject
        event = icalendar.Calendar.from_ical(invite_of(to_swedish)).walk("VEVENT")[0]
        assert str(event["SUMMARY"]) == "Validering: Industriteknik BAS"
        assert f"Ta med: {app.config['WHAT_TO_BRING']}" in str(event["DESCRIPTION"])


def test_a_custom_what_to_bring_is_shown_as_written_in_both_languages(app, make):
    app.config["WHAT_TO_BRING"] = "hörselskydd"
    with app.app_context():
        session = make.session()
        english = _english(make.employee())
        book_seat(session.id, english, english)
        (row,) = [r for r in outbox() if r.kind == "booked"]
        event = icalendar.Calendar.from_ical(invite_of(row)).walk("VEVENT")[0]
        assert "Bring: hörselskydd" in str(event["DESCRIPTION"])


def test_reminders_are_in_the_recipients_language(app, make):
    with app.app_context():
        session = make.session(starts_in=timedelta(days=10))
        english = _english(make.employee())
        swedish = make.employee()
        for person in (english, swedish):
            book_seat(session.id, person, person, now=session.starts_at - timedelta(days=5))
        queue_reminders(now=session.starts_at - timedelta(hours=2))
        reminders = {r.recipient: r.subject for r in outbox() if r.kind == "reminder"}
        assert reminders[english.email].startswith("Reminder: Industriteknik BAS")
        assert reminders[swedish.email].startswith("Påminnelse: Industriteknik BAS")


def test_a_personal_feed_is_in_its_owners_language(app, client, make):
    with app.app_context():
        from app.calendar.feeds import ensure_feed_token

        session = make.session()
        person = make.employee()
        book_seat(session.id, person, person)
        token = ensure_feed_token(person)
        db.session.commit()
        person_id = person.id
    swedish = client.get(f"/calendar/feed/{token}.ics", headers={"Accept-Language": "en"})
    assert b"SUMMARY:Validering: Industriteknik BAS" in swedish.data
    with app.app_context():
        _english(db.session.get(Person, person_id))
    english = client.get(f"/calendar/feed/{token}.ics")
    assert b"SUMMARY:Validation: Industriteknik BAS" in english.data
    assert english.headers["ETag"] != swedish.headers["ETag"]


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_every_page_a_visitor_sees_renders_in_both_languages(app, client, make, locale):
    with app.app_context():
        session_id = make.session().id
    headers = {"Accept-Language": locale}
    for url in ("/", f"/sessions/{session_id}", "/login", "/api/v1/docs"):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert f'<html lang="{locale}">' in response.get_data(as_text=True), url


def test_time_helpers_use_stockholm_time(app):
    # 1 am UTC on a summer night is 3 am in Stockholm: the clock shows local time.
    with app.test_request_context(), force_locale("sv"):
        assert formatting.clock(datetime(2027, 6, 15, 1, 0, tzinfo=utcnow().tzinfo)) == "03.00"

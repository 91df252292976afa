"""Security headers, cookies, rate limits, password links and signing out everywhere."""

import email
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from email.policy import default
from pathlib import Path

import pytest
import redis
from itsdangerous import TimestampSigner
from limits.storage import storage_from_string
from sqlalchemy import func, select

from app import create_app
from app.accounts.models import Person
from app.accounts.services import invite_new_person, link_token
from app.bookings.services import book_seat
from app.centers.models import CenterClosure
from app.config import Defaults, from_environment
from app.extensions import db
from app.mail.models import OutboxMessage
from app.schedule.models import AssessorAbsence, AssessorAuthorisation, ValidationSession
from tests.conftest import TEST_CONFIG, Auth
from tests.forms import form_of, page_form

ROOT = Path(__file__).parent.parent
TEMPLATES = ROOT / "app"


def _mails_to(address: str) -> list:
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
    ).all()
    return [email.message_from_bytes(r.raw, policy=default) for r in rows]


def _link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/password/\S+)", text).group(1)


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/docs", "/nowhere", "/static/site.css"])
def test_security_headers_on_every_kind_of_response(client, path):
    response = client.get(path)
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http: no HSTS


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://boka.example.se")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_has_inline_script_or_event_handlers():
    """The CSP forbids inline script, so a page that used it would silently break."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(path))
    assert not offenders


def test_session_cookie_is_secure_httponly_and_samesite_on_an_https_site(database_url, make):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PUBLIC_BASE_URL": "https://boka.example.se",
        }
    )
    with app.app_context():
        person = make.employee()
        address = person.email
    client = app.test_client()
    page = client.get("/login", base_url="https://boka.example.se")
    form = form_of(page, client, action="/login", field="email")
    response = form.fill(email=address, password="secret-pass").submit(
        base_url="https://boka.example.se",
        # Flask-WTF checks over https that the form came from this site.
        headers={"Referer": "https://boka.example.se/login"},
    )
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _without_token(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


def test_sign_in_says_the_same_for_unknown_address_and_wrong_password(app, client, auth, make):
    with app.app_context():
        address = make.employee().email
    wrong_password = auth.login(address, "not-it")
    unknown = auth.login("nobody@example.se", "not-it")
    assert wrong_password.status_code == unknown.status_code == 400
    assert "Fel e-postadress eller lösenord." in unknown.get_data(as_text=True)
    assert _without_token(wrong_password.get_data(as_text=True)).replace(
        address, "nobody@example.se"
    ) == _without_token(unknown.get_data(as_text=True))


@pytest.fixture
def strict_app(database_url):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "LOGIN_CLIENT_RATE_LIMIT": "5 per minute",
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sign_in_is_rate_limited_per_client(strict_app, make):
    with strict_app.app_context():
        addresses = [make.employee().email for _ in range(3)]
    auth = Auth(strict_app.test_client())
    # Five guesses spread over three accounts from one machine, then it must wait.
    answers = [auth.login(addresses[n % 3], f"guess-{n}").status_code for n in range(5)]
    assert answers == [400] * 5
    blocked = auth.login(addresses[2], "secret-pass")  # even the right password waits
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)


def test_sign_in_is_rate_limited_per_address_across_clients(strict_app, make):
    with strict_app.app_context():
        address = make.employee().email
    for n in range(3):
        client = strict_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        assert Auth(client).login(address, "guess").status_code == 400
    client = strict_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.99"
    assert Auth(client).login(address, "guess").status_code == 429
    # Someone else, from yet another address, is not held up.
    other = strict_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.100"
    assert Auth(other).login("someone@example.se", "guess").status_code == 400


def test_the_limiter_counts_sign_ins_at_the_same_moment_without_starting_threads(monkeypatch):
    """A class signing in together: every hit counted, none a 500, and no thread started
    per hit (limits' own memory storage restarted a 10 ms timer thread on most hits)."""
    storage = storage_from_string(Defaults.RATELIMIT_STORAGE_URI)
    started = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    all_ready = threading.Barrier(8)
    refused = []

    def sign_in(n):
        all_ready.wait()
        try:
            for _ in range(50):
                storage.incr(f"login/10.0.0.{n % 2}", 60)
        except RuntimeError as error:
            refused.append(error)

    hits = [threading.Thread(target=sign_in, args=(n,)) for n in range(8)]
    for hit in hits:
        hit.start()
    for hit in hits:
        hit.join()
    assert refused == []
    assert [storage.get(f"login/10.0.0.{n}") for n in range(2)] == [200, 200]
    assert started == []


def test_the_limiter_forgets_expired_counters(monkeypatch):
    storage = storage_from_string(Defaults.RATELIMIT_STORAGE_URI)
    storage.incr("login/10.0.0.1", 1)
    now = time.monotonic()
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 5)
    monkeypatch.setattr(time, "monotonic", lambda: now + 5)
    storage.incr("login/10.0.0.2", 60)  # a later hit sweeps what has expired
    assert "login/10.0.0.1" not in storage.storage
    assert storage.get("login/10.0.0.2") == 1


def _forgot_form(client):
    return page_form(client, "/password/forgot", action="/password/forgot", field="email")


def _forgot(client, address):
    return _forgot_form(client).fill(email=address).submit(follow_redirects=True)


def _forgot_once(client, address):
    """The answer to the form itself, before following its redirect.

    Closed, as a server closes every answer it has sent: the mail is queued then.
    """
    response = _forgot_form(client).fill(email=address).submit()
    response.get_data()
    response.close()
    return response


def test_reset_answers_the_same_and_mails_only_an_existing_account(app, make):
    with app.app_context():
        address = make.employee().email
    answers = {}
    for typed in (address, "nobody@example.se"):
        client = app.test_client()
        response = _forgot_once(client, typed)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers[typed] = (
            response.status_code,
            response.headers["Location"],
            response.get_data(),
            _without_token(page).replace(typed, "ADDRESS"),
        )
    # Status, redirect, body and the page it leads to: nothing tells the two apart.
    assert answers[address] == answers["nobody@example.se"]
    status, location, _body, page = answers[address]
    assert (status, location) == (302, "/login")
    assert "Om det finns ett konto med adressen ADDRESS" in page
    with app.app_context():
        assert len(_mails_to(address)) == 1
        assert _mails_to("nobody@example.se") == []
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


@pytest.mark.parametrize(
    ("chosen", "browser", "subject"),
    [
        ("en", "sv-SE", "New password for Test center booking"),
        ("sv", "en-GB", "Nytt lösenord till Testcenterbokning"),
        (None, "en-GB", "New password for Test center booking"),
        (None, "sv-SE", "Nytt lösenord till Testcenterbokning"),
    ],
)
def test_a_reset_mail_is_in_the_language_its_reader_chose(app, make, chosen, browser, subject):
    """Anyone may ask for anyone's reset: the mail follows the account holder's own
    choice, and only without one the language of the page it was asked from."""
    with app.app_context():
        person = make.employee()
        person.locale = chosen
        db.session.commit()
        address = person.email
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = browser
    _forgot_once(client, address)
    with app.app_context():
        (mail,) = _mails_to(address)
    assert mail["Subject"] == subject


def test_reset_form_refuses_a_bad_address(client):
    response = _forgot_form(client).fill(email="inte en adress").submit()
    assert response.status_code == 400
    assert "Skriv en giltig e-postadress" in response.get_data(as_text=True)


def test_changing_the_password_from_my_account_mails_my_own_address(app, make):
    with app.app_context():
        address = make.employee().email
    client = app.test_client()
    Auth(client).login(address)
    account = client.get("/account").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Byt lösenord via mejl</a>', account).group(1)
    form = page_form(client, link, field="email")
    assert form.value("email") == address  # filled in: nothing to type
    sent = form.submit()
    sent.close()  # as a server closes every answer: the mail is queued then
    assert (sent.status_code, sent.headers["Location"]) == (302, "/account")
    with app.app_context():
        assert len(_mails_to(address)) == 1
    # Their own account: said plainly, not the wording that hides whether it exists.
    told = client.get("/account").get_data(as_text=True)
    assert f"Vi har skickat ett mejl till {address} med en länk" in told
    assert "Om det finns ett konto" not in told


def _set_password(client, link, password, confirm=None):
    page = client.get(link)
    if page.status_code != 200:
        return page
    form = form_of(page, client, field="password")
    return form.fill(password=password, confirm=confirm or password).submit()


def test_reset_link_sets_the_password_once_and_signs_out_other_devices(app, make):
    with app.app_context():
        address = make.employee().email
    laptop = app.test_client()
    assert Auth(laptop).login(address).status_code == 302
    phone = app.test_client()
    _forgot(phone, address)
    with app.app_context():
        (message,) = _mails_to(address)
    link = _link(message)
    assert message.get_body(("html",)) is not None
    assert not any(p.get_content_type() == "text/calendar" for p in message.walk())

    short = _set_password(phone, link, "short")
    assert short.status_code == 400 and "Minst 10 tecken" in short.get_data(as_text=True)
    mismatch = _set_password(phone, link, "a-long-password", "another-password")
    assert "Lösenorden är inte lika" in mismatch.get_data(as_text=True)
    assert _set_password(phone, link, "a-new-long-password").status_code == 302

    assert Auth(phone).login(address, "secret-pass").status_code == 400
    assert Auth(phone).login(address, "a-new-long-password").status_code == 302
    # The laptop's sign-in from before the reset no longer works.
    assert laptop.get("/bookings").status_code == 302
    # The link worked once.
    again = app.test_client().get(link)
    assert again.status_code == 404
    assert "ogiltig" in again.get_data(as_text=True)


def test_reset_link_expires(app, client, make, monkeypatch):
    with app.app_context():
        address = make.employee().email
    _forgot(client, address)
    with app.app_context():
        link = _link(_mails_to(address)[0])
    hours = app.config["RESET_LINK_HOURS"]
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: real(self) + hours * 3600 + 5
    )
    assert client.get(link).status_code == 404


def test_a_forged_or_tampered_link_is_refused(app, client, make):
    with app.app_context():
        address = make.employee().email
    _forgot(client, address)
    with app.app_context():
        link = _link(_mails_to(address)[0])
    assert client.get(link[:-3] + "abc").status_code == 404
    # A reset link is not an invitation link.
    assert client.get(link.replace("/reset/", "/invite/")).status_code == 404
    assert client.get(link.replace("/reset/", "/admin/")).status_code == 404


def test_sign_out_everywhere(app, make):
    with app.app_context():
        address = make.employee().email
    first, second = app.test_client(), app.test_client()
    Auth(first).login(address)
    Auth(second).login(address)
    response = page_form(first, "/account", action="/account/sign-out-everywhere").submit()
    assert response.status_code == 302
    assert second.get("/bookings").status_code == 302
    assert first.get("/bookings").status_code == 302
    assert Auth(second).login(address).status_code == 302  # signing in again works
    assert second.get("/bookings").status_code == 200


# --- rate limits on "forgot password" and on choosing a password from a link -----------


def _client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _choose_password(client, link, password):
    form = page_form(client, link, field="password")
    return form.fill(password=password, confirm=password).submit()


def test_forgot_password_is_rate_limited_per_client(strict_app, make):
    with strict_app.app_context():
        address = make.employee().email
    client = strict_app.test_client()
    # Five requests (the client's budget) for five addresses, then it must wait.
    answers = [_forgot_once(client, f"nobody{n}@example.se").status_code for n in range(5)]
    assert answers == [302] * 5
    blocked = _forgot_once(client, address)
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)
    with strict_app.app_context():
        assert _mails_to(address) == []  # the refused request sent nothing


def test_forgot_password_is_rate_limited_per_address_across_clients(strict_app, make):
    with strict_app.app_context():
        address = make.employee().email
    for n in range(3):
        assert _forgot_once(_client_from(strict_app, f"10.0.1.{n + 1}"), address).status_code == 302
    assert _forgot_once(_client_from(strict_app, "10.0.1.99"), address).status_code == 429
    # An unknown address is held up the same way, so a 429 tells nothing either.
    for n in range(3):
        unknown = _forgot_once(_client_from(strict_app, f"10.0.2.{n + 1}"), "nobody@example.se")
        assert unknown.status_code == 302
    assert (
        _forgot_once(_client_from(strict_app, "10.0.2.99"), "nobody@example.se").status_code == 429
    )
    with strict_app.app_context():
        assert len(_mails_to(address)) == 3


def test_choosing_a_password_from_a_link_is_rate_limited(strict_app, make):
    with strict_app.app_context():
        person = make.employee()
        person_id, link = person.id, f"/password/reset/{link_token(person, 'reset')}"
    client = strict_app.test_client()
    answers = [_choose_password(client, link, "short").status_code for _ in range(5)]
    assert answers == [400] * 5
    blocked = _choose_password(client, link, "a-good-long-password")
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)
    with strict_app.app_context():
        assert db.session.get(Person, person_id).check_password("secret-pass")  # unchanged
    # Forged links count as well: guessing tokens costs the same budget. The subject is a
    # forged link, which renders no form: the guesses are sent by hand, with the CSRF
    # token of the sign-in form so that only the link is wrong.
    other = _client_from(strict_app, "10.0.5.1")
    token = page_form(other, "/login", field="email").value("csrf_token")
    forged = [
        other.post(f"/password/reset/forged{n}", data={"csrf_token": token}).status_code
        for n in range(6)
    ]
    assert forged == [404] * 5 + [429]


def test_sign_in_reset_and_link_forms_share_one_budget(strict_app, make):
    """Spreading guesses over the three forms buys no more of them."""
    with strict_app.app_context():
        person = make.employee()
        address, link = person.email, f"/password/reset/{link_token(person, 'reset')}"
        second = make.employee().email
    client = strict_app.test_client()
    auth = Auth(client)
    assert auth.login("one@example.se", "guess").status_code == 400
    assert auth.login("two@example.se", "guess").status_code == 400
    assert _forgot_once(client, "three@example.se").status_code == 302
    assert _forgot_once(client, "four@example.se").status_code == 302
    assert _choose_password(client, link, "short").status_code == 400
    # The client's five are spent, on whichever form.
    assert auth.login(address, "secret-pass").status_code == 429
    assert _forgot_once(client, address).status_code == 429
    assert _choose_password(client, link, "a-good-long-password").status_code == 429
    # And an address's budget is one too: three sign-in guesses, then no reset mail.
    for n in range(3):
        assert (
            Auth(_client_from(strict_app, f"10.0.3.{n + 1}")).login(second, "g").status_code == 400
        )
    assert _forgot_once(_client_from(strict_app, "10.0.3.99"), second).status_code == 429


# --- the budget is shared between workers when Redis is configured ---------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Keys of this run only, so that nothing else in the server is touched.
KEY_PREFIX = f"tcb-test-{uuid.uuid4().hex}"

# A second worker: its own process, its own app, configured as production is
# (REDIS_URL in the environment); one "forgot password" for the address given.
SECOND_WORKER = """
import json, sys
from app import create_app
from tests.conftest import TEST_CONFIG
from tests.forms import page_form
app = create_app({**TEST_CONFIG, **json.loads(sys.argv[1])})
client = app.test_client()
form = page_form(client, "/password/forgot", field="email")
print(form.fill(email=sys.argv[2]).submit().status_code)
"""


def _second_worker(config: dict, address: str, redis_url: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    done = subprocess.run(
        [sys.executable, "-c", SECOND_WORKER, json.dumps(config), address],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_redis_url_is_the_rate_limit_storage(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/2")
    assert from_environment()["RATELIMIT_STORAGE_URI"] == "redis://cache.example:6379/2"
    monkeypatch.delenv("REDIS_URL")
    assert "RATELIMIT_STORAGE_URI" not in from_environment()


# The budget is kept in Redis, not in the database: one engine will do.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_workers_share_one_budget_through_redis(database_url, make, monkeypatch):
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LOGIN_RATE_LIMIT": "3 per minute",
        "RATELIMIT_KEY_PREFIX": KEY_PREFIX,
    }
    monkeypatch.setenv("REDIS_URL", REDIS_URL)  # as a deployment sets it
    first = create_app({**TEST_CONFIG, **config})
    try:
        assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
        with first.app_context():
            address = make.employee().email
        # The first worker spends the address's budget...
        for n in range(3):
            assert _forgot_once(_client_from(first, f"10.0.4.{n + 1}"), address).status_code == 302
        assert server.keys(f"*{KEY_PREFIX}/*"), "the limiter kept nothing in Redis"
        # ...and the second one knows it.
        assert _second_worker(config, address, REDIS_URL) == 429
        # Without Redis, each worker would count on its own (which is why it is needed).
        assert _second_worker(config, address, None) == 302
    finally:
        for key in server.scan_iter(f"*{KEY_PREFIX}/*"):
            server.delete(key)
        with first.app_context():
            db.session.remove()
            db.engine.dispose()


# --- invitation links -------------------------------------------------------------------


def _travel(monkeypatch, seconds: float) -> None:
    """Make every signed link this many seconds older than it is."""
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + seconds)


def test_invitation_link_expires_after_the_invitation_days(app, make, monkeypatch):
    with app.app_context():
        person = invite_new_person(
            "Ina Inbjuden", "ina.inbjuden@example.se", ("employee",), company=make.company()
        )
        person_id = person.id
        (message,) = _mails_to("ina.inbjuden@example.se")
    link = _link(message)
    assert link.startswith("/password/invite/")
    days = app.config["INVITATION_DAYS"]
    client = app.test_client()
    # An invitation is not a reset link: it outlives the reset link's hours...
    _travel(monkeypatch, app.config["RESET_LINK_HOURS"] * 3600 + 60)
    page = client.get(link)
    assert page.status_code == 200
    # The person leaves the page open and sends it after the link has run out.
    form = form_of(page, client, field="password")
    monkeypatch.undo()
    # ...up to the last minute of its days...
    _travel(monkeypatch, days * 86400 - 60)
    assert client.get(link).status_code == 200
    monkeypatch.undo()
    # ...and no longer.
    _travel(monkeypatch, days * 86400 + 5)
    expired = client.get(link)
    assert expired.status_code == 404
    assert "Länken är ogiltig, redan använd eller för gammal. Be om en ny." in expired.get_data(
        as_text=True
    )
    # The page leads on to asking for a new link.
    assert 'href="/password/forgot"' in expired.get_data(as_text=True)
    tried = form.fill(password="ett-langt-losenord", confirm="ett-langt-losenord").submit()
    assert tried.status_code == 404
    assert "för gammal" in tried.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, person_id).password_hash is None  # still no password
    assert Auth(client).login("ina.inbjuden@example.se", "ett-langt-losenord").status_code == 400


# --- one person, two roles ----------------------------------------------------------------


def test_a_testledare_who_is_also_a_center_admin_does_both_jobs_and_no_more(app, make):
    with app.app_context():
        model = make.model()
        home, elsewhere = make.center(), make.center()
        both = make.person(("assessor", "center_admin"), center=home, name="Tove Tvåroll")
        make._save(
            AssessorAuthorisation(
                person=both, model=model, valid_from=date(2020, 1, 1), valid_to=date(2035, 12, 31)
            )
        )
        # Runs a session at another center (a testledare's job, not an admin's there)...
        runs = make.session(center=elsewhere, model=model, assessor=both)
        participant = make.employee(name="Pia Deltagare")
        book_seat(runs.id, participant, participant)
        # ...keeps the home center, where someone else runs a session...
        at_home = make.session(center=home, model=model, starts_in=timedelta(days=20))
        # ...and has no business with another testledare's session at the other center.
        foreign = make.session(center=elsewhere, model=model, starts_in=timedelta(days=25))
        ids = {
            "home": home.id,
            "elsewhere": elsewhere.id,
            "runs": runs.id,
            "at_home": at_home.id,
            "foreign": foreign.id,
            "person": both.id,
        }
        address = both.email
    client = app.test_client()
    assert Auth(client).login(address).status_code == 302
    menu = client.get("/account").get_data(as_text=True)
    assert 'href="/schedule/"' in menu and "Mitt schema" in menu  # the testledare's
    assert 'href="/centers"' in menu and "Testcenter" in menu  # the center admin's
    for other_role in ('href="/company/employees"', 'href="/people"', 'href="/companies"'):
        assert other_role not in menu

    # The testledare's job: the own session's participants, and availability.
    participants = client.get(f"/sessions/{ids['runs']}/participants")
    assert participants.status_code == 200 and "Pia Deltagare" in participants.get_data(
        as_text=True
    )
    absence = page_form(client, "/schedule/availability", button="Lägg till frånvaro")
    absence_day = date.today() + timedelta(days=40)
    saved = absence.fill(first_day=absence_day.isoformat(), reason="Kurs").submit()
    assert saved.status_code == 302
    # The center admin's job at the home center: its pages, a closure, its sessions.
    assert client.get(f"/centers/{ids['home']}/admin").status_code == 200
    assert client.get(f"/sessions/{ids['at_home']}/manage").status_code == 200
    assert client.get(f"/sessions/{ids['at_home']}/participants").status_code == 200
    closure = page_form(client, f"/centers/{ids['home']}/closures", field="first_day")
    closed_day = date.today() + timedelta(days=50)
    closure.fill(first_day=closed_day.isoformat(), reason="Städning")
    assert closure.copy().submit().status_code == 302

    # Nothing beyond: not the other center's admin, even where they run a session there,
    # not another testledare's session, not the project's or a company's pages.
    refused = [
        ("GET", f"/centers/{ids['elsewhere']}/admin"),
        ("GET", f"/centers/{ids['elsewhere']}/closures"),
        ("POST", f"/centers/{ids['elsewhere']}/closures"),
        ("GET", f"/sessions/{ids['runs']}/manage"),
        ("POST", f"/sessions/{ids['runs']}/manage"),
        ("GET", f"/sessions/{ids['foreign']}/participants"),
        ("GET", "/people"),
        ("GET", f"/people/{ids['person']}/assessor"),
        ("GET", "/companies"),
        ("GET", "/company/employees"),
        ("GET", "/reports/projects/new"),
    ]
    # The subject is that a forbidden request is refused: no page shows these forms to
    # this person, so the POSTs are the home center's closure form (token and all) sent
    # by hand to the other addresses.
    data = dict(closure.data())
    for method, url in refused:
        body = {**data, "action": "cancel", "reason": "Nej"} if method == "POST" else None
        answer = client.open(url, method=method, data=body)
        assert answer.status_code in (403, 404), (method, url, answer.status_code)
    with app.app_context():
        closures = db.session.scalars(select(CenterClosure.center_id)).all()
        assert closures == [ids["home"]]
        assert (
            db.session.scalar(
                select(func.count(AssessorAbsence.id)).where(
                    AssessorAbsence.person_id == ids["person"]
                )
            )
            == 1
        )
        foreign_session = db.session.get(ValidationSession, ids["runs"])
        assert foreign_session.status == "scheduled"  # the refused cancel changed nothing


# --- junk in the sign-in address ---------------------------------------------------------


def test_sign_in_with_a_nul_in_the_address_is_refused_without_a_server_error(app, client, auth):
    """PostgreSQL refuses NUL in a query: the request is refused before any lookup,
    with the same answer whether or not such an account could exist."""
    answer = auth.login("someone\x00@example.se", "guess")
    assert answer.status_code == 400
    assert "otillåtet tecken (NUL)" in answer.get_data(as_text=True)
    assert _forgot_once(client, "someone\x00@example.se").status_code == 400
    with app.app_context():
        # The service itself copes too, for callers other than the forms (CLI, API).
        from app.accounts.services import find_by_email

        assert find_by_email("someone\x00@example.se") is None

"""Security headers, cookies, rate limits, password links and signing out everywhere."""

import email
import re
from email.policy import default
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from app import create_app
from app.calendar.models import OutboxMessage
from app.extensions import db
from tests.conftest import TEST_CONFIG, Auth, csrf_token

TEMPLATES = Path(__file__).parent.parent / "app"


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
    page = client.get("/login", base_url="https://boka.example.se").get_data(as_text=True)
    response = client.post(
        "/login",
        base_url="https://boka.example.se",
        # Flask-WTF checks over https that the form came from this site.
        headers={"Referer": "https://boka.example.se/login"},
        data={"email": address, "password": "secret-pass", "csrf_token": csrf_token(page)},
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


def _forgot(client, address):
    page = client.get("/password/forgot").get_data(as_text=True)
    return client.post(
        "/password/forgot",
        data={"email": address, "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )


def test_reset_answers_the_same_and_mails_only_an_existing_account(app, client, make):
    with app.app_context():
        address = make.employee().email
    known = _forgot(client, address).get_data(as_text=True)
    unknown = _forgot(client, "nobody@example.se").get_data(as_text=True)
    assert "Om det finns ett konto" in known
    assert _without_token(known).replace(address, "nobody@example.se") == _without_token(unknown)
    with app.app_context():
        assert len(_mails_to(address)) == 1
        assert _mails_to("nobody@example.se") == []


def test_reset_form_refuses_a_bad_address(client):
    page = client.get("/password/forgot").get_data(as_text=True)
    response = client.post(
        "/password/forgot", data={"email": "inte en adress", "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 400
    assert "Skriv en giltig e-postadress" in response.get_data(as_text=True)


def _set_password(client, link, password, confirm=None):
    page = client.get(link)
    if page.status_code != 200:
        return page
    return client.post(
        link,
        data={
            "password": password,
            "confirm": confirm or password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )


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
    page = first.get("/account").get_data(as_text=True)
    response = first.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert second.get("/bookings").status_code == 302
    assert first.get("/bookings").status_code == 302
    assert Auth(second).login(address).status_code == 302  # signing in again works
    assert second.get("/bookings").status_code == 200

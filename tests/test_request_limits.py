"""Request bodies over their kind's limit are answered 413, clearly and before being read.

Ordinary forms take `MAX_CONTENT_LENGTH` (512 kB), JSON API bodies
`API_MAX_CONTENT_LENGTH` (64 kB), the coordinators' CSV import
`UPLOAD_MAX_CONTENT_LENGTH` (10 MB). The live-server tests send only the start of an
oversized body: a server that tried to read (and buffer) the rest would wait for it
and never answer, so an answer at all shows that the body was refused unread.
"""

import json
import socket
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.accounts.models import Person
from app.api.tokens import create_token
from app.bookings.models import Booking
from app.extensions import db
from tests.forms import page_form
from tests.live import serving

MB = 1024 * 1024
BOUNDARY = "testcenterboundary"
# Long enough for a loaded machine; a server that waits for the body never answers.
ANSWER_TIMEOUT = 20


def _multipart_head() -> bytes:
    """The start of a multipart body: a field, then a file (whose bytes follow)."""
    return (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="email"\r\n\r\nsomeone@example.se\r\n'
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def _answer(sock: socket.socket) -> tuple[int, dict, bytes]:
    """Status, headers and body of the answer on the socket."""
    sock.settimeout(ANSWER_TIMEOUT)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed without an answer: {data!r}"
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _s, v in (line.partition(":") for line in lines)}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def _post_start(base_url: str, path: str, headers: dict, first_bytes: bytes) -> socket.socket:
    """Open a connection and send a POST's headers and the first bytes of its body."""
    parts = urlsplit(base_url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=ANSWER_TIMEOUT)
    lines = [f"POST {path} HTTP/1.1", f"Host: {parts.netloc}", "Accept: text/html"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + first_bytes)
    return sock


def test_a_60_mb_post_to_login_is_refused_before_its_body_is_read(app):
    head = _multipart_head()
    with serving(app) as base_url:
        sock = _post_start(
            base_url,
            "/login",
            {
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Content-Length": str(60 * MB),
            },
            head + b"x" * 65536,  # and not a byte more
        )
        with sock:
            status, headers, body = _answer(sock)
    assert status == 413
    assert headers["content-type"].startswith("text/html")
    page = body.decode()
    assert "För stort att ta emot" in page
    assert "högst 512 kB" in page


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(app):
    piece = b"y" * 65536
    with serving(app) as base_url:
        sock = _post_start(
            base_url,
            "/login",
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Transfer-Encoding": "chunked",
            },
            b"",
        )
        with sock:
            # 1 MB in chunks, twice the limit, and no last chunk: a server reading to
            # the end would wait for ever.
            for chunk in [b"email=someone%40example.se&password="] + [piece] * 16:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            status, _headers, body = _answer(sock)
    assert status == 413
    assert "högst 512 kB" in body.decode()


def test_an_oversized_form_is_413_even_without_its_csrf_token(client):
    form = page_form(client, "/login", action="/login", field="email")
    answer = form.fill(email="a" * 600_000 + "@example.se", password="x").submit()
    assert answer.status_code == 413
    assert "högst 512 kB" in answer.get_data(as_text=True)
    # Refused for its size first: not a 400 about the missing token.
    tokenless = page_form(client, "/login", action="/login", field="email").remove("csrf_token")
    answer = tokenless.fill(email="a" * 600_000 + "@example.se", password="x").submit()
    assert answer.status_code == 413


def test_the_413_page_is_in_english_for_an_english_browser(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = page_form(client, "/login", action="/login", field="email")
    answer = form.fill(email="a" * 600_000 + "@example.se", password="x").submit()
    assert answer.status_code == 413
    page = answer.get_data(as_text=True)
    assert "Too large to accept" in page and "at most 512 kB" in page


def test_an_ordinary_full_form_still_fits(client, auth, make, app):
    with app.app_context():
        address = make.employee().email
    # A sign-in with a long (refused) password is well under the limit and answered.
    form = page_form(client, "/login", action="/login", field="email")
    assert form.fill(email=address, password="p" * 100_000).submit().status_code == 400
    assert auth.login(address).status_code == 302


def test_a_json_api_body_over_64_kb_is_a_413_problem(app, client, make):
    with app.app_context():
        employee = make.employee()
        session_id = make.session().id
        _row, token = create_token(employee, "hr")
    body = json.dumps({"support_note": "n" * (70 * 1024)})
    # A program's request with a bearer token, not a page's form.
    answer = client.post(
        f"/api/v1/sessions/{session_id}/bookings",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        data=body,
    )
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    problem = answer.get_json()
    assert problem["status"] == 413 and "64 kB" in problem["detail"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Booking.id))) == 0


def _csv_form(client):
    return page_form(client, "/company/employees", action="/company/employees/import")


def test_the_csv_import_takes_more_than_a_form_but_not_without_end(app, client, auth, make):
    with app.app_context():
        company = make.company()
        coordinator = make.person(("coordinator",), company=company)
        address = coordinator.email
        people_before = db.session.scalar(select(func.count(Person.id)))
    auth.login(address)
    # 2 MB: over what a form may send, under the upload limit, so the import itself
    # answers, with its own message about the file's size.
    rows = "namn;e-post\n" + "Åke Ström;ake@example.se\n" * (2 * MB // 25)
    # (follow_redirects and closing each answer make the test client close the body
    # it spooled to a temporary file; a bare submit leaves that file open.)
    big = _csv_form(client).fill(file=(rows.encode(), "anstallda.csv"))
    with big.submit(follow_redirects=True) as answer:
        assert answer.status_code != 413
        assert "Filen är för stor" in answer.get_data(as_text=True)
    # 11 MB: over the upload limit.
    huge = _csv_form(client).fill(file=(b"x" * (11 * MB), "stor.csv"))
    with huge.submit(follow_redirects=True) as answer:
        assert answer.status_code == 413
        assert "högst 10 MB" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == people_before

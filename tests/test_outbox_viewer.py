"""The outbox viewer never shows a usable secret link, not even in development.

Password reset and invitation links are masked in the list, the message page and the
.eml download; the mail itself (the outbox row the worker sends) keeps the link.
"""

import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from app.accounts.services import invite_new_person
from app.extensions import db
from app.mail.models import OutboxMessage
from app.mail.text import MASK, mask_links
from tests.conftest import Auth
from tests.forms import page_form

LINK = re.compile(r"https?://[^/\s]+/password/(reset|invite)/([A-Za-z0-9_.\-]+)")


@pytest.fixture
def viewer_on(app, make):
    app.config["OUTBOX_VIEWER"] = True
    with app.app_context():
        return {
            "admin": make.person(("project_admin",)).email,
            "employee": make.employee(name="Rita Reset").email,
        }


def _every_text(raw: bytes) -> str:
    """All a mail program could show of the message: headers and every decoded part."""
    message = message_from_bytes(raw, policy=policy.default)
    texts = [str(message)]
    for part in message.walk():
        if not part.is_multipart():
            content = part.get_content()
            texts.append(content if isinstance(content, str) else content.decode())
    return "\n".join(texts)


def _viewer_pages(client) -> list[str]:
    """The list, and every message's page and .eml as the viewer serves them."""
    listing = client.get("/calendar/outbox")
    assert listing.status_code == 200
    pages = [listing.get_data(as_text=True)]
    for url in re.findall(r'href="(/calendar/outbox/\d+)"', pages[0]):
        detail = client.get(url)
        download = client.get(url + ".eml")
        assert detail.status_code == download.status_code == 200
        pages += [detail.get_data(as_text=True), download.get_data(as_text=True)]
        pages.append(_every_text(download.data))
    return pages


def test_the_viewer_masks_reset_and_invitation_links_that_the_mail_keeps(app, viewer_on):
    requester = app.test_client()
    form = page_form(requester, "/password/forgot", field="email")
    answer = form.fill(email=viewer_on["employee"]).submit()
    assert answer.status_code == 302
    answer.close()  # the reset mail is queued once the answer has gone out
    with app.app_context():
        invite_new_person("Ivar Inbjuden", "ivar@foretag.se", ("coordinator",))
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [r.kind for r in rows] == ["password_reset", "invitation"]
        stored = {r.id: r.raw for r in rows}
    links = {
        m.group(1): m.group(2) for raw in stored.values() for m in LINK.finditer(_every_text(raw))
    }
    assert set(links) == {"reset", "invite"} and all(len(t) > 20 for t in links.values())

    admin = app.test_client()
    Auth(admin).login(viewer_on["admin"])
    pages = _viewer_pages(admin)
    seen = "\n".join(pages)
    for token in links.values():
        assert token not in seen
        assert token[:12] not in seen  # not even a part of it
    for purpose in ("reset", "invite"):
        assert f"/password/{purpose}/{MASK}" in seen
    # Each message's page says its state in words, as the list does.
    assert "Läge</dt><dd>väntar" in pages[1]
    assert "waiting" not in seen
    # The mail that goes out is untouched by reading it.
    with app.app_context():
        for row in db.session.scalars(select(OutboxMessage)):
            assert row.raw == stored[row.id]
    # The link still works for the person it was sent to.
    assert requester.get(f"/password/reset/{links['reset']}").status_code == 200


def test_only_a_project_admin_reads_the_outbox(app, make, viewer_on):
    with app.app_context():
        company = make.company()
        center = make.center()
        others = [
            make.employee(company=company).email,
            make.person(("coordinator",), company=company).email,
            make.person(("center_admin",), center=center).email,
            make.assessor().email,
        ]
        invite_new_person("Ivar Inbjuden", "ivar@foretag.se", ("coordinator",))
        message_id = db.session.scalar(select(OutboxMessage.id))
    urls = [
        "/calendar/outbox",
        f"/calendar/outbox/{message_id}",
        f"/calendar/outbox/{message_id}.eml",
    ]
    for address in others:
        client = app.test_client()
        Auth(client).login(address)
        assert [client.get(url).status_code for url in urls] == [403, 403, 403], address
    anonymous = app.test_client()
    assert all(anonymous.get(url).status_code == 302 for url in urls)
    assert all("/login" in anonymous.get(url).location for url in urls)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "http://h.se/password/reset/WzEsMF0.ZmKk4A.dh3kz_Qx9-ab12.",
            f"http://h.se/password/reset/{MASK}",
        ),
        (
            "webcal://h.se/calendar/feed/Ab3dEf5hIj7kLm9nOp1qRs3tUv5wXy7zA1b.ics",
            f"webcal://h.se/calendar/feed/{MASK}.ics",
        ),
        ("https://h.se/x?token=abc&week=2024-W10", f"https://h.se/x?token={MASK}&week=2024-W10"),
        ("https://h.se/sessions/12/book", "https://h.se/sessions/12/book"),
        (
            "https://h.se/centers/3/capacity?week=2025-W07",
            "https://h.se/centers/3/capacity?week=2025-W07",
        ),
    ],
)
def test_links_keep_what_they_point_to_and_lose_their_secret(app, text, shown):
    with app.test_request_context():
        assert mask_links(f"Öppna {text}") == f"Öppna {shown}"

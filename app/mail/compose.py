"""A mail in text and HTML, built with the email package; with a calendar invite, as
RFC 6047 (iMIP) asks:

multipart/mixed
├── multipart/alternative
│   ├── text/plain
│   ├── text/html
│   └── text/calendar; method=REQUEST|CANCEL; charset=utf-8
└── application/ics attachment (the same calendar, for clients that ignore the part)
"""

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from flask import current_app

from app.db import utcnow

# Every part 7-bit on the wire: text with å, ä, ö goes quoted-printable (RFC 6047 §2.5),
# since a relay that did not offer 8BITMIME may not take raw 8-bit (RFC 6152 §3).
SEVEN_BIT = SMTP.clone(cte_type="7bit")


def compose(
    recipient: tuple[str, str],
    subject: str,
    text: str,
    html: str,
    calendar: bytes | None = None,
    method: str | None = None,
    reply_to: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """A message to (name, address); with a calendar it carries the iTIP method twice over."""
    config = current_app.config
    message = EmailMessage(policy=SEVEN_BIT)
    message["From"] = config["MAIL_FROM"]
    name, address = recipient
    message["To"] = formataddr((name, address))
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = format_datetime(now or utcnow())
    message["Message-ID"] = make_msgid(domain=config["CALENDAR_UID_DOMAIN"])
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if calendar is not None:
        message.add_alternative(
            calendar.decode("utf-8"), subtype="calendar", params={"method": method}
        )
        message.add_attachment(
            calendar, maintype="application", subtype="ics", filename="inbjudan.ics"
        )
    return message


def envelope_sender() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1]

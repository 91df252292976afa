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
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from flask import current_app
from flask_babel import gettext as _

from app.db import utcnow


class _MailPolicy(EmailPolicy):
    """SMTP's policy, but the subject folded by the older, plain encoder.

    The email package's own folder (CPython 3.11–3.13) mangles about one subject in
    twenty that mixes plain words with å, ä, ö across a fold: "Lule å" for "Luleå",
    two spaces, or none ("ÖppetGRÖN"), as a reader's mail program shows it.
    `email.header.Header` encodes the whole subject as encoded words (RFC 2047) that
    every reader puts together as it was (tests/test_mail_subjects.py).
    """

    def _fold(self, name, value, refold_binary=False):
        if name.lower() != "subject":
            return super()._fold(name, value, refold_binary)
        text = str(value)
        encoded = Header(text, "us-ascii" if text.isascii() else "utf-8", header_name=name)
        folded = encoded.encode(maxlinelen=self.max_line_length, linesep=self.linesep)
        # A first word too long for the first line is put on the next one, leaving an
        # empty first line that readers turn into a leading space: keep it on the first.
        folded = folded.removeprefix(f"{self.linesep} ")
        return f"{name}: {folded}{self.linesep}"


# Lines end in CRLF, as SMTP's policy has them.
MAIL_POLICY = _MailPolicy(linesep="\r\n")
# Every part 7-bit on the wire: text with å, ä, ö goes quoted-printable (RFC 6047 §2.5),
# since a relay that did not offer 8BITMIME may not take raw 8-bit (RFC 6152 §3).
SEVEN_BIT = MAIL_POLICY.clone(cte_type="7bit")


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
            calendar, maintype="application", subtype="ics", filename=_("inbjudan.ics")
        )
    return message


def envelope_sender() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1]

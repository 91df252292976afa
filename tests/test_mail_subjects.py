"""A mail's subject reaches the reader as it was written, whatever its length and letters.

The email package's own folding mangled about one subject in twenty that mixed plain
words with å, ä, ö across a fold ("indust riskola", two spaces, "ÖppetGRÖN"); the
subject is now folded by `email.header.Header` (app/mail/compose.py). Read back with the
email package's parser, which unfolds and decodes as a reader's mail program does.
"""

import random
from email import message_from_bytes
from email import policy as email_policy

import pytest

from app import create_app
from app.mail.compose import MAIL_POLICY, compose
from tests.conftest import TEST_CONFIG

WORDS = [
    "Bokning",
    "bekräftad:",
    "Industriteknik",
    "BAS,",
    "Skellefteå",
    "industriskola,",
    "tisdag",
    "14",
    "september",
    "2027,",
    "08.00–11.00",
    "Påminnelse:",
    "Ändrad",
    "tid",
    "(Svets",
    "GRÖN)",
    "Luleå",
    "Gällivare",
    "Öppet",
    "Åsele",
    "Booking",
    "confirmed:",
    "Tuesday",
    "reminder",
    "cancelled",
    "🙂",
    "«citat»",
    "O'Brien",
]


def _subjects() -> list[str]:
    rng = random.Random(20261207)
    made = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40))) for _ in range(400)]
    return [
        *made,
        "Bokning bekräftad: Industriteknik BAS, Skellefteå industriskola, tisdag 14 september "
        "2027, 08.00–11.00",
        "September confirmed: Industriteknik Industriteknik Booking GRÖN) Booking September 14 "
        "September BAS, industriskola, Luleå",
        "x" * 120,
        "Å" * 120,
    ]


@pytest.fixture
def ctx(tmp_path):
    """The mail's settings only: no database is read, so one run is enough."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        yield


def test_every_subject_reads_back_as_written(ctx):
    wrong = []
    for subject in _subjects():
        raw = compose(("Åsa Öberg", "asa@example.se"), subject, "text", "<p>html</p>").as_bytes(
            policy=MAIL_POLICY
        )
        read = message_from_bytes(raw, policy=email_policy.default)
        if str(read["Subject"]) != subject:
            wrong.append((subject, str(read["Subject"])))
        head = raw.split(b"\r\n\r\n", 1)[0]
        # Folded for the wire: no line over SMTP's 998, only long unbroken words past 78.
        assert all(len(line) <= 998 for line in head.split(b"\r\n"))
        assert head.isascii()
    assert wrong == []

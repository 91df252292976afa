"""*Glömt lösenord* does the same work before its answer whether the address has an
account or not: looking it up and queueing the mail happen once the answer is sent.

Timings do not belong in the suite; this checks the property behind them: the same
statements (none) reach the database before the answer, for both kinds of address,
and the answers are the same. `python -m bench.reset_timing` measures the times.
"""

from email import message_from_bytes
from email.policy import default

from sqlalchemy import event, select

from app.extensions import db
from app.mail.models import OutboxMessage
from tests.forms import page_form


def _statements_until_answered(app, client, address: str):
    """The answer and the SQL run before it was complete; then the answer is closed."""
    form = page_form(client, "/password/forgot", action="/password/forgot", field="email")
    form.fill(email=address)
    statements = []

    def _seen(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _seen)
        try:
            answer = form.submit()
            answer.get_data()
            before_close = list(statements)
            answer.close()  # as a server does once the last byte is sent
        finally:
            event.remove(db.engine, "before_cursor_execute", _seen)
    return answer, before_close


def _mails_to(app, address: str) -> list:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == address)
        ).all()
        return [message_from_bytes(row.raw, policy=default) for row in rows]


def test_both_kinds_of_address_do_the_same_work_before_the_answer(app, make):
    with app.app_context():
        address = make.employee().email
    unknown = "nobody@example.se"
    known_answer, known_statements = _statements_until_answered(app, app.test_client(), address)
    unknown_answer, unknown_statements = _statements_until_answered(app, app.test_client(), unknown)
    assert known_statements == unknown_statements == []
    assert (known_answer.status_code, known_answer.location) == (302, "/login")
    assert (unknown_answer.status_code, unknown_answer.location) == (302, "/login")
    assert known_answer.get_data() == unknown_answer.get_data()
    # Once the answer is out, the account gets its mail and the unknown address none.
    assert len(_mails_to(app, address)) == 1
    assert _mails_to(app, unknown) == []


def test_the_mail_is_queued_after_the_answer_in_the_language_asked_in(app, make):
    with app.app_context():
        address = make.employee().email
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = page_form(client, "/password/forgot", action="/password/forgot", field="email")
    answer = form.fill(email=address.upper()).submit()
    assert _mails_to(app, address) == []  # not yet: the answer is still open
    answer.close()
    (mail,) = _mails_to(app, address)
    assert "/password/reset/" in mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "New password for Test center booking"


def test_a_failure_after_the_answer_is_logged_not_shown(app, make, monkeypatch, caplog):
    import app.accounts.services as services

    with app.app_context():
        address = make.employee().email

    def broken(_person, _purpose):
        raise RuntimeError("mail could not be queued")

    monkeypatch.setattr(services, "_link_mail", broken)
    client = app.test_client()
    form = page_form(client, "/password/forgot", action="/password/forgot", field="email")
    answer = form.fill(email=address).submit()
    assert answer.status_code == 302
    answer.close()
    assert "work after the response failed" in caplog.text
    assert _mails_to(app, address) == []

"""Reading the mail outbox, for the outbox viewer."""

from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutboxMessage


def find_outbox_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)


def latest_outbox_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )

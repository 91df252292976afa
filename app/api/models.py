from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person
from app.db import UTCDateTime, status_type, utcnow, values_in
from app.extensions import db


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_token"
    # A form sent again (a reload) finds the token its first sending made.
    __table_args__ = (
        UniqueConstraint("person_id", "request_key", name="uq_api_token_request_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so the owner can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request_key: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyState(StrEnum):
    IN_FLIGHT = "in_flight"
    DONE = "done"


class IdempotencyRecord(db.Model):
    """An Idempotency-Key a person sent, the request it named and, once done, the answer.

    The fingerprint (SHA-256 of method, path and canonical JSON body) tells a retry of
    the same request from another request that reuses the key. While the first is
    being answered the record is `in_flight` and held by its `claim`; the answer is
    stored in the same transaction as the change it reports, so a stored answer always
    describes a change that happened.
    """

    __tablename__ = "api_idempotency_record"
    __table_args__ = (
        UniqueConstraint("person_id", "key", name="uq_api_idempotency_record_person_id"),
        CheckConstraint(values_in("state", IdempotencyState), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[IdempotencyState] = mapped_column(status_type(IdempotencyState, 10))
    # A random value of the request that holds the key: only it may store the answer.
    claim: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    # The headers that belong to the answer (Location, Content-Location), as JSON.
    response_headers: Mapped[str | None] = mapped_column(Text)

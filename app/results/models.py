from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person
from app.bookings.models import Booking
from app.db import UTCDateTime, status_type, utcnow, values_in
from app.extensions import db


class OutcomeResult(StrEnum):
    APPROVED = "approved"
    # Not yet approved: further training is proposed.
    NOT_YET = "not_yet"


class CompetenceArea(db.Model):
    """A competence area; the BAS models share ten of them."""

    __tablename__ = "competence_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    def __str__(self) -> str:
        return self.name


class ModelArea(db.Model):
    """That a validation model assesses a competence area, and in which order."""

    __tablename__ = "model_area"
    __table_args__ = (UniqueConstraint("model_id", "area_id", name="uq_model_area_model_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("validation_model.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("competence_area.id"), index=True)
    position: Mapped[int]

    area: Mapped[CompetenceArea] = relationship(lazy="joined")


class AreaOutcome(db.Model):
    """The testledare's verdict on one competence area for one participant."""

    __tablename__ = "area_outcome"
    __table_args__ = (
        UniqueConstraint("booking_id", "area_id", name="uq_area_outcome_booking_area"),
        CheckConstraint(values_in("result", OutcomeResult), name="result"),
        # Whether a booking has an approved area: the dashboard asks for each attendance.
        Index("ix_area_outcome_booking_result", "booking_id", "result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("competence_area.id"))
    result: Mapped[OutcomeResult] = mapped_column(status_type(OutcomeResult, 10))
    # Kompetensutvecklande åtgärder: the further training proposed when not yet approved.
    training: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()
    area: Mapped[CompetenceArea] = relationship(lazy="joined")
    recorded_by: Mapped[Person] = relationship()

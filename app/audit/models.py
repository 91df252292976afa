from datetime import datetime
from typing import Protocol

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

ENTITIES = (
    "booking",
    "session",
    "outcome",
    "person",
    "travel_buffer",
    "project",
    "center",  # a center's opening hours and workstations
    "closure",  # a center's closed days and the holidays it opens anyway
)


class Actor(Protocol):
    """Who made a change: a person, whom app.accounts (a layer above) defines."""

    id: int


class AuditEntry(db.Model):
    """One change by one person; kept when the person is erased (the actor goes, the row stays)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(30))
    # The test center the change belongs to, so a center's admins read only their own.
    center_id: Mapped[int | None] = mapped_column(ForeignKey("test_center.id"), index=True)
    detail: Mapped[str] = mapped_column(String(500), default="", server_default="")

    actor: Mapped[Actor | None] = relationship("Person")

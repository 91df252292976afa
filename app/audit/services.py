"""Writing and reading the audit log.

Entries are added in the caller's transaction, so a change and its entry are saved
or lost together.
"""

from datetime import datetime

from sqlalchemy import or_, select

from app.audit.models import Actor, AuditEntry
from app.db import utcnow
from app.extensions import db

# An entry is never changed once written: a plain INSERT, without the ORM's flush.
_INSERT = AuditEntry.__table__.insert()


def record(
    actor: Actor | None,
    entity: str,
    entity_id: int,
    action: str,
    center_id: int | None = None,
    detail: str = "",
    at: datetime | None = None,
) -> None:
    db.session.execute(
        _INSERT,
        dict(
            actor_id=actor.id if actor is not None else None,
            entity=entity,
            entity_id=entity_id,
            action=action,
            center_id=center_id,
            detail=detail[:500],
            at=at or utcnow(),
        ),
    )


def entries_by_actor(person_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(or_(AuditEntry.actor_id == person_id)).order_by(AuditEntry.id)
        )
    )

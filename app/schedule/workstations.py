"""Workstations held by planned sessions: how many are free, and how many a center may keep."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.centers.models import CenterWorkstation
from app.centers.services import center_for_admin, workstation_count
from app.db import unit_of_work, utcnow
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.schedule.models import SessionStatus, ValidationModel, ValidationSession


def free_workstations(
    center_id: int, kind_id: int, starts: datetime, ends: datetime, exclude_session_id=None
) -> int:
    """Workstations of a kind left for the whole span.

    Counts every session that overlaps the span at any moment, which is cautious
    (two sessions one after the other inside the span are both counted) but never
    hands out a workstation twice.
    """
    used = db.session.scalar(
        select(func.coalesce(func.sum(ValidationSession.seats), 0))
        .join(ValidationSession.model)
        .where(
            ValidationSession.center_id == center_id,
            ValidationSession.status == SessionStatus.SCHEDULED,
            ValidationModel.workstation_kind_id == kind_id,
            ValidationSession.starts_at < ends,
            ValidationSession.ends_at > starts,
            ValidationSession.id != (exclude_session_id or 0),
        )
    )
    return workstation_count(center_id, kind_id) - used


MAX_WORKSTATIONS = 500  # of one kind at one center


def set_workstations(center_id: int, counts: dict[int, int], actor) -> None:
    """Set the number of each workstation kind, never below what planned sessions use."""
    with unit_of_work():
        center = center_for_admin(center_id, actor)
        if any(not 0 <= count <= MAX_WORKSTATIONS for count in counts.values()):
            raise InvalidInput(_("Antalet ska vara mellan 0 och 500."))
        upcoming = db.session.scalars(
            select(ValidationSession).where(
                ValidationSession.center_id == center.id,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.ends_at > utcnow(),
            )
        ).all()
        for kind_id, count in counts.items():
            same_kind = [s for s in upcoming if s.model.workstation_kind_id == kind_id]
            for session in same_kind:
                in_use = sum(
                    o.seats
                    for o in same_kind
                    if o.starts_at < session.ends_at and session.starts_at < o.ends_at
                )
                if in_use > count:
                    raise DomainError(
                        _(
                            "%(kind)s: planerade pass använder %(used)s platser samtidigt.",
                            kind=session.model.workstation_kind.name,
                            used=in_use,
                        )
                    )
            row = next((w for w in center.workstations if w.kind_id == kind_id), None)
            if row is None:
                center.workstations.append(CenterWorkstation(kind_id=kind_id, count=count))
            else:
                row.count = count

"""Workstations held by planned sessions: how many are free, and how many a center may keep."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.audit import services as audit
from app.centers.models import CenterWorkstation
from app.centers.services import center_for_admin, workstation_count
from app.db import unit_of_work, utcnow
from app.errors import InvalidInput, SessionsInTheWay
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


class WorkstationsInUse(SessionsInTheWay):
    """A kind's count below what planned sessions hold at one time: those sessions (the
    busiest time's) are named, for the admin to move or cancel, or to keep enough."""

    def __init__(self, kind_id: int, kind: str, used: int, sessions: list[ValidationSession]):
        self.kind_id = kind_id
        self.used = used
        super().__init__(
            sessions,
            _(
                "%(kind)s: planerade pass använder %(used)s platser samtidigt. Ange minst "
                "%(used)s, eller flytta eller ställ in något av passen först; "
                "arbetsplatserna är inte ändrade.",
                kind=kind,
                used=used,
            ),
            "workstations_in_use",
        )


def _busiest(sessions: list[ValidationSession]) -> tuple[int, list[ValidationSession]]:
    """The most seats held by one session and those overlapping it, and those sessions."""
    best: tuple[int, list[ValidationSession]] = (0, [])
    for session in sessions:
        overlapping = [
            o for o in sessions if o.starts_at < session.ends_at and session.starts_at < o.ends_at
        ]
        used = sum(o.seats for o in overlapping)
        if used > best[0]:
            best = (used, overlapping)
    return best


def set_workstations(center_id: int, counts: dict[int, int], actor) -> None:
    """Set the number of each workstation kind, never below what planned sessions use.

    A refusal (WorkstationsInUse) names the kind and the sessions that hold its
    workstations at the busiest time."""
    with unit_of_work():
        center = center_for_admin(center_id, actor)
        if any(not 0 <= count <= MAX_WORKSTATIONS for count in counts.values()):
            raise InvalidInput(_("Antalet ska vara mellan 0 och 500."))
        upcoming = db.session.scalars(
            select(ValidationSession)
            .where(
                ValidationSession.center_id == center.id,
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.ends_at > utcnow(),
            )
            .options(
                joinedload(ValidationSession.model).joinedload(ValidationModel.workstation_kind)
            )
            .order_by(ValidationSession.starts_at, ValidationSession.id)
        ).all()
        for kind_id, count in counts.items():
            same_kind = [s for s in upcoming if s.model.workstation_kind_id == kind_id]
            used, busiest = _busiest(same_kind)
            if used > count:
                raise WorkstationsInUse(
                    kind_id, busiest[0].model.workstation_kind.name, used, busiest
                )
        before = {w.kind_id: w.count for w in center.workstations}
        for kind_id, count in counts.items():
            row = next((w for w in center.workstations if w.kind_id == kind_id), None)
            if row is None:
                center.workstations.append(CenterWorkstation(kind_id=kind_id, count=count))
            else:
                row.count = count
        # "kind id: before → after" for each kind whose count changed; none changed, no entry.
        changes = [
            f"{kind_id}: {before.get(kind_id, 0)} → {count}"
            for kind_id, count in sorted(counts.items())
            if count != before.get(kind_id, 0)
        ]
        if changes:
            audit.record(
                actor,
                "center",
                center.id,
                "workstations",
                center_id=center.id,
                detail="; ".join(changes),
            )

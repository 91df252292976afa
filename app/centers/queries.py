"""Reading test centers, their workstation kinds and closures for pages and the API."""

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.centers.models import CenterClosure, TestCenter, WorkstationKind
from app.extensions import db
from app.regions.models import Municipality


def find_center(center_id: int) -> TestCenter | None:
    return db.session.get(TestCenter, center_id)


def centers_by_name() -> list[TestCenter]:
    return list(db.session.scalars(select(TestCenter).order_by(TestCenter.name)))


def workstation_kinds() -> list[WorkstationKind]:
    return list(db.session.scalars(select(WorkstationKind).order_by(WorkstationKind.id)))


def workstation_kind_ids() -> list[int]:
    return list(db.session.scalars(select(WorkstationKind.id).order_by(WorkstationKind.id)))


def closures_not_over(center_id: int, today: date) -> list[CenterClosure]:
    """The center's closures that last until today or later, the earliest first."""
    return list(
        db.session.scalars(
            select(CenterClosure)
            .where(CenterClosure.center_id == center_id, CenterClosure.last_day >= today)
            .order_by(CenterClosure.first_day)
        )
    )


def find_closure(closure_id: int) -> CenterClosure | None:
    return db.session.get(CenterClosure, closure_id)


def center_listing() -> Select:
    """All test centers with their municipality and county; the caller orders and pages."""
    return select(TestCenter).options(
        joinedload(TestCenter.municipality).joinedload(Municipality.county)
    )

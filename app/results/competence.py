"""Where a company's employees stand per competence area: the employer's overview.

A competence area is the same area in every model that assesses it (the BAS models
share ten), so an area approved in Industriteknik BAS is approved in the Automation
BAS matrix too. The levels of one family (Svets VIT, GRÖN, BLÅ, SVART) are the
exception: they name the same areas, but each level assesses them at its own level,
so a level's verdicts and bookings count for that level only (a VIT pass is no SVART
approval). Each cell comes from the person's latest verdict on the area, or
from a live booking of a coming session whose model assesses it. The whole overview
is read in a fixed handful of queries, whatever the size of the company.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select

from app.accounts.models import Person, Role, RoleGrant
from app.bookings.models import Booking, BookingStatus
from app.db import utcnow
from app.extensions import db
from app.results.models import AreaOutcome, CompetenceArea, ModelArea, OutcomeResult
from app.schedule.models import SessionStatus, ValidationModel, ValidationSession
from app.timeutil import local_date


class CellStatus(StrEnum):
    APPROVED = "approved"
    NOT_YET = "not_yet"
    BOOKED = "booked"
    NONE = "none"


@dataclass
class Cell:
    status: CellStatus = CellStatus.NONE
    # The day of the verdict, or of the booked session.
    day: date | None = None
    # The training proposed the last time the area was not yet approved (also when a new
    # session is booked for it).
    training: str = ""


@dataclass
class PersonRow:
    person: Person
    cells: list[Cell]

    @property
    def approved(self) -> int:
        return sum(c.status == CellStatus.APPROVED for c in self.cells)


@dataclass
class ModelMatrix:
    model: ValidationModel
    areas: list[CompetenceArea]
    rows: list[PersonRow]

    @property
    def approved_per_area(self) -> list[int]:
        return [
            sum(row.cells[i].status == CellStatus.APPROVED for row in self.rows)
            for i in range(len(self.areas))
        ]


@dataclass
class Overview:
    matrices: list[ModelMatrix]
    # Per proposed training, the people who need it with their areas.
    training_needs: list[tuple[str, list[tuple[Person, list[CompetenceArea]]]]] = field(
        default_factory=list
    )


def company_staff(company_id: int, current_only: bool = False) -> list[Person]:
    """The company's employees (not erased), by name, in one query; `current_only`: not
    those who have left (the overview is about competence the company has now)."""
    query = (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(
            Person.company_id == company_id,
            Person.erased_at.is_(None),
            RoleGrant.role == Role.EMPLOYEE,
        )
    )
    if current_only:
        query = query.where(Person.active.is_(True))
    return list(db.session.scalars(query.order_by(Person.name, Person.id).distinct()))


def company_teams(company_id: int) -> list[str]:
    """The teams or sites the company's current employees are in, by name."""
    return list(
        db.session.scalars(
            select(Person.team)
            .where(
                Person.company_id == company_id,
                Person.erased_at.is_(None),
                Person.active.is_(True),
                Person.team.is_not(None),
                Person.team != "",
            )
            .distinct()
            .order_by(Person.team)
        )
    )


def all_models() -> list[ValidationModel]:
    return list(db.session.scalars(select(ValidationModel).order_by(ValidationModel.name)))


def _areas_by_model(model_ids) -> dict[int, list[CompetenceArea]]:
    areas: dict[int, list[CompetenceArea]] = defaultdict(list)
    for link in db.session.scalars(
        select(ModelArea).where(ModelArea.model_id.in_(model_ids)).order_by(ModelArea.position)
    ):
        areas[link.model_id].append(link.area)
    return areas


def _scope(levels: set[int], model_id: int, area_id: int) -> tuple[int, int]:
    """Where a verdict on an area counts: the area in every model, or a level's own."""
    return (model_id if model_id in levels else 0, area_id)


def _verdicts(person_ids, levels: set[int]) -> dict[tuple[int, tuple[int, int]], Cell]:
    """Each person's latest verdict per area (per level's area), as a cell."""
    rows = db.session.execute(
        select(
            Booking.employee_id,
            ValidationSession.model_id,
            AreaOutcome.area_id,
            AreaOutcome.result,
            AreaOutcome.training,
            ValidationSession.starts_at,
        )
        .join(Booking, AreaOutcome.booking_id == Booking.id)
        .join(ValidationSession, Booking.session_id == ValidationSession.id)
        .where(Booking.employee_id.in_(person_ids))
        .order_by(ValidationSession.starts_at, AreaOutcome.id)
    )
    cells = {}
    for person_id, model_id, area_id, result, training, starts_at in rows:
        status = CellStatus.APPROVED if result == OutcomeResult.APPROVED else CellStatus.NOT_YET
        cells[person_id, _scope(levels, model_id, area_id)] = Cell(
            status, local_date(starts_at), training
        )
    return cells


def _coming_bookings(person_ids, now: datetime) -> list[tuple[int, int, datetime]]:
    """(person, model, start) of every live booking of a coming session."""
    return list(
        db.session.execute(
            select(Booking.employee_id, ValidationSession.model_id, ValidationSession.starts_at)
            .join(ValidationSession, Booking.session_id == ValidationSession.id)
            .where(
                Booking.employee_id.in_(person_ids),
                Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)),
                ValidationSession.status == SessionStatus.SCHEDULED,
                ValidationSession.ends_at > now,
            )
            .order_by(ValidationSession.starts_at)
        ).all()
    )


def _models_in_use(person_ids) -> list[int]:
    """The models the people have booked (cancelled bookings do not count)."""
    return list(
        db.session.scalars(
            select(ValidationSession.model_id)
            .join(Booking, Booking.session_id == ValidationSession.id)
            .where(
                Booking.employee_id.in_(person_ids),
                Booking.status != BookingStatus.CANCELLED,
            )
            .distinct()
        )
    )


def competence_overview(
    company_id: int,
    model_id: int | None = None,
    team: str | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> Overview:
    """The matrices of the company's current employees, per model, filtered.

    Without a model, the models the employees have booked. `team` keeps the people of
    one team; `status` keeps the people with at least one area in that state.
    """
    now = now or utcnow()
    staff = company_staff(company_id, current_only=True)
    people = [p for p in staff if not team or p.team == team]
    ids = [p.id for p in people]
    model_ids = [model_id] if model_id else (_models_in_use(ids) if ids else [])
    every = all_models()
    models = {m.id: m for m in every if m.id in model_ids}
    # The levels of a family (the Svets levels): their areas are theirs alone.
    levels = {m.id for m in every if m.family_id is not None}
    verdicts = _verdicts(ids, levels) if ids else {}
    coming = _coming_bookings(ids, now) if ids else []
    # A booked model outside the matrices shown books its areas too.
    wanted = set(models) | {booked_model for _p, booked_model, _s in coming}
    areas_of = _areas_by_model(wanted) if wanted else {}
    booked: dict[tuple[int, tuple[int, int]], date] = {}
    for person_id, booked_model, starts_at in coming:
        for area in areas_of.get(booked_model, []):
            scope = _scope(levels, booked_model, area.id)
            booked.setdefault((person_id, scope), local_date(starts_at))

    def cell(person_id: int, model_id: int, area_id: int) -> Cell:
        key = (person_id, _scope(levels, model_id, area_id))
        verdict = verdicts.get(key)
        if verdict and verdict.status == CellStatus.APPROVED:
            return verdict
        if key in booked:
            training = verdict.training if verdict else ""
            return Cell(CellStatus.BOOKED, booked[key], training)
        return verdict or Cell()

    matrices = []
    for model in sorted(models.values(), key=lambda m: m.name):
        areas = areas_of.get(model.id, [])
        rows = [PersonRow(p, [cell(p.id, model.id, a.id) for a in areas]) for p in people]
        if status:
            rows = [r for r in rows if any(c.status == status for c in r.cells)]
        matrices.append(ModelMatrix(model, areas, rows))
    return Overview(matrices, _training_needs(matrices, levels))


@dataclass(frozen=True)
class LevelArea:
    """A level's own area in the training needs: "Praktiskt svetsprov (Svets SVART)"."""

    area: CompetenceArea
    model: ValidationModel

    @property
    def name(self) -> str:
        return f"{self.area.name} ({self.model.name})"


def _training_needs(matrices: list[ModelMatrix], levels: set[int]):
    """Areas not yet approved, grouped by proposed training, then by person."""
    needs: dict[str, dict[int, dict]] = defaultdict(lambda: defaultdict(dict))
    people: dict[int, Person] = {}
    for matrix in matrices:
        for row in matrix.rows:
            for area, c in zip(matrix.areas, row.cells, strict=True):
                if c.status == CellStatus.NOT_YET or (c.status == CellStatus.BOOKED and c.training):
                    # An area the models share is one need, whichever matrix shows it; a
                    # level's area is its own need, named with the level.
                    scope = _scope(levels, matrix.model.id, area.id)
                    shown = LevelArea(area, matrix.model) if scope[0] else area
                    needs[c.training.strip()][row.person.id][scope] = shown
                    people[row.person.id] = row.person
    return [
        (
            training,
            [
                (people[pid], sorted(areas.values(), key=lambda a: a.name))
                for pid, areas in sorted(by_person.items(), key=lambda kv: people[kv[0]].name)
            ],
        )
        for training, by_person in sorted(needs.items(), key=lambda kv: kv[0].lower())
    ]

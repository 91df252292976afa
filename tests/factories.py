"""Test rows with sensible defaults: each method adds, commits and returns."""

import itertools
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.accounts.models import Company
from app.accounts.orgnr import with_check_digit
from app.accounts.services import new_person
from app.centers.models import CenterWorkstation, OpeningHours, TestCenter, WorkstationKind
from app.db import utcnow
from app.extensions import db
from app.projects.models import FundingProject, ProjectCompany
from app.regions.models import Municipality
from app.schedule.models import AssessorAuthorisation, ValidationModel, ValidationSession
from app.timeutil import local_to_utc

PASSWORD = "secret-pass"
_numbers = itertools.count(1)


class Factory:
    def _save(self, row):
        db.session.add(row)
        db.session.commit()
        return row

    def municipality(self, name: str = "Luleå") -> Municipality:
        return db.session.scalar(select(Municipality).where(Municipality.name == name))

    def model(self, code: str = "industriteknik-bas") -> ValidationModel:
        return db.session.scalar(select(ValidationModel).where(ValidationModel.code == code))

    def company(self, name=None, municipality="Luleå", industry="steel") -> Company:
        n = next(_numbers)
        return self._save(
            Company(
                name=name or f"Företag {n} AB",
                org_number=with_check_digit(f"556{n:06d}"),
                municipality=self.municipality(municipality),
                industry=industry,
            )
        )

    def person(
        self, roles=("employee",), company=None, center=None, name=None, email=None, projects=()
    ):
        """`projects`: a project_admin limited to these funding projects."""
        n = next(_numbers)
        return self._save(
            new_person(
                name=name or f"Person {n}",
                email=email or f"person{n}@example.se",
                password=PASSWORD,
                roles=roles,
                company=company,
                center=center,
                project_ids=tuple(p.id for p in projects),
            )
        )

    def project(self, *companies, name=None) -> FundingProject:
        """A funding project in which `companies` take part (no targets)."""
        n = next(_numbers)
        project = self._save(
            FundingProject(
                name=name or f"Projekt {n}", starts_on=date(2024, 1, 1), ends_on=date(2027, 12, 31)
            )
        )
        for company in companies:
            db.session.add(ProjectCompany(project_id=project.id, company_id=company.id))
        db.session.commit()
        return project

    def employee(self, company=None, **kwargs):
        return self.person(("employee",), company=company or self.company(), **kwargs)

    def center(
        self,
        name=None,
        municipality="Luleå",
        computers=12,
        accredited_from=date(2020, 1, 1),
        accredited_to=date(2035, 12, 31),
    ) -> TestCenter:
        n = next(_numbers)
        center = TestCenter(
            name=name or f"Testcenter {n}",
            municipality=self.municipality(municipality),
            street_address=f"Industrigatan {n}",
            postal_code="972 31",
            postal_town=municipality,
            contact_name="Kim Kontakt",
            contact_email=f"center{n}@example.se",
            accredited_from=accredited_from,
            accredited_to=accredited_to,
        )
        computer = db.session.scalar(
            select(WorkstationKind).where(WorkstationKind.code == "computer")
        )
        center.workstations = [CenterWorkstation(kind=computer, count=computers)]
        center.opening_hours = [
            OpeningHours(weekday=day, opens=time(7, 0), closes=time(17, 0)) for day in range(5)
        ]
        return self._save(center)

    def assessor(self, model=None, valid_from=date(2020, 1, 1), valid_to=date(2035, 12, 31)):
        person = self.person(("assessor",))
        self._save(
            AssessorAuthorisation(
                person=person, model=model or self.model(), valid_from=valid_from, valid_to=valid_to
            )
        )
        return person

    def session(
        self,
        seats=5,
        starts_at: datetime | None = None,
        starts_in=timedelta(days=14),
        local_day: date | None = None,
        local_time: time = time(8, 0),
        center=None,
        model=None,
        assessor=None,
        status="scheduled",
    ) -> ValidationSession:
        """A session at starts_at, or at local_time on local_day (or starts_in days from now).

        A starts_in that is not whole days (hours=20) means exactly that far from now: snapped
        to local_time on that day it would be 13 to 37 hours away depending on when the suite
        runs, and a test of a 24-hour rule would pass or fail with the clock.
        """
        model = model or self.model()
        if starts_at is None and local_day is None and starts_in % timedelta(days=1):
            starts_at = utcnow().replace(second=0, microsecond=0) + starts_in
        if starts_at is None:
            day = local_day or (utcnow() + starts_in).date()
            starts_at = local_to_utc(day, local_time)
        return self._save(
            ValidationSession(
                center=center or self.center(),
                model=model,
                assessor=assessor or self.assessor(model),
                starts_at=starts_at,
                ends_at=starts_at + model.duration,
                seats=seats,
                status=status,
            )
        )

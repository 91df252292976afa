from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import INDUSTRIES, Company
from app.extensions import db
from app.regions.models import County


class FundingProject(db.Model):
    """A project that funds validations and must report its progress, e.g. the regional one.

    Its counties and industries are those of its targets; the companies taking part are
    named (ProjectCompany). A booking counts for the project when the employee's company
    takes part and the session is inside the project's period and counties.
    """

    __tablename__ = "funding_project"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    targets: Mapped[list["ProjectTarget"]] = relationship(
        back_populates="project", order_by="ProjectTarget.id", cascade="all, delete-orphan"
    )
    companies: Mapped[list[Company]] = relationship(
        secondary="project_company", order_by=Company.name, viewonly=True
    )

    def __str__(self) -> str:
        return self.name


class ProjectTarget(db.Model):
    """How many companies and employees of one industry in one county the project must reach."""

    __tablename__ = "project_target"
    __table_args__ = (
        UniqueConstraint("project_id", "county_id", "industry", name="uq_project_target_scope"),
        CheckConstraint(f"industry IN {INDUSTRIES!r}", name="industry"),
        CheckConstraint("companies >= 0 AND employees >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("funding_project.id", ondelete="CASCADE"), index=True
    )
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    industry: Mapped[str] = mapped_column(String(10))
    companies: Mapped[int]
    employees: Mapped[int]

    project: Mapped[FundingProject] = relationship(back_populates="targets")
    county: Mapped[County] = relationship()


class ProjectCompany(db.Model):
    """A company taking part in a funding project; a company may take part in several."""

    __tablename__ = "project_company"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("funding_project.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), primary_key=True, index=True
    )

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash

from app.accounts.orgnr import normalise_orgnr
from app.db import UTCDateTime, status_type, utcnow, values_in
from app.extensions import db
from app.regions.models import Municipality

INDUSTRIES = ("steel", "metal", "other")


class Role(StrEnum):
    EMPLOYEE = "employee"
    COORDINATOR = "coordinator"
    ASSESSOR = "assessor"
    CENTER_ADMIN = "center_admin"
    PROJECT_ADMIN = "project_admin"


class Company(db.Model):
    __tablename__ = "company"
    __table_args__ = (CheckConstraint(f"industry IN {INDUSTRIES!r}", name="industry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    org_number: Mapped[str] = mapped_column(String(11), unique=True)  # NNNNNN-NNNN
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    industry: Mapped[str] = mapped_column(String(10))

    municipality: Mapped[Municipality] = relationship()

    def __str__(self) -> str:
        return self.name

    @validates("org_number")
    def _valid_org_number(self, _key, value: str) -> str:
        normalised = normalise_orgnr(value)
        if normalised is None:
            raise ValueError(f"not a valid organisationsnummer: {value!r}")
        return normalised


class Person(UserMixin, db.Model):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # "sv" or "en" once the person has chosen; None lets the browser's language decide.
    locale: Mapped[str | None] = mapped_column(String(5))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    # A testledare's home test center.
    home_center_id: Mapped[int | None] = mapped_column(ForeignKey("test_center.id"))
    # Where the person starts from when they travel to a session, if not from their
    # company's municipality (see `place`).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    # The employee's team or site within the company (avdelning), as the coordinator
    # names it; the competence overview filters by it when a company uses it.
    team: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the sign-in cookie: raising it signs the person out on every device and
    # makes any reset or invitation link made before it useless.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when a project admin erased the person's personal data (GDPR).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    company: Mapped[Company | None] = relationship()
    home_center: Mapped["TestCenter | None"] = relationship()  # noqa: F821
    municipality: Mapped[Municipality | None] = relationship()
    role_grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name to show: an erased person's stored placeholder name (the same in every
        language, see app.accounts.privacy) is said in the reader's language instead."""
        if self.erased_at is not None:
            return gettext("Borttagen person")
        return self.name

    @property
    def place(self) -> Municipality | None:
        """The municipality the person travels from: their own choice, else their company's."""
        if self.municipality is not None:
            return self.municipality
        return self.company.municipality if self.company is not None else None

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's id for the cookie: the person and their current session version."""
        return f"{self.id}:{self.session_version}"

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def administers_center(self, center_id: int) -> bool:
        return any(
            grant.role == Role.CENTER_ADMIN and grant.center_id == center_id
            for grant in self.role_grants
        )

    def is_staff_for_center(self, center_id: int) -> bool:
        """Staff may act on a center's sessions after the employees' deadlines: the center's
        admins, and project admins of every project (a limited one keeps no center)."""
        return self.sees_every_project or self.administers_center(center_id)

    @property
    def sees_every_project(self) -> bool:
        """A project admin whose grants name no project: they see, and keep, everything
        installation-wide (centers, testledare, travel times, webhooks, the audit log)."""
        return self.has_role(Role.PROJECT_ADMIN) and self.admin_project_ids is None

    @property
    def admin_project_ids(self) -> frozenset[int] | None:
        """The projects a project admin is limited to; None when not limited (every project).

        A grant without a project is the unlimited one and wins over limited grants.
        Someone who is no project admin at all gets the empty set: limited to nothing.
        """
        grants = [g for g in self.role_grants if g.role == Role.PROJECT_ADMIN]
        if any(g.project_id is None for g in grants):
            return None
        return frozenset(g.project_id for g in grants)


# Unique whatever the case the address was typed in.
Index("uq_person_email_lower", func.lower(Person.email), unique=True)


class RoleGrant(db.Model):
    """One role held by a person; a center admin's grant names the center.

    A project admin's grant may name a funding project: they then see only the companies
    taking part in it (and their people and figures). One grant per project; a grant
    without a project sees all. Deleting the project deletes its grants, so that a
    limited admin never becomes an unlimited one.
    """

    __tablename__ = "role_grant"
    __table_args__ = (
        CheckConstraint(values_in("role", Role), name="role"),
        CheckConstraint(
            f"(role = '{Role.CENTER_ADMIN}') = (center_id IS NOT NULL)",
            name="center_for_center_admin",
        ),
        CheckConstraint(
            f"project_id IS NULL OR role = '{Role.PROJECT_ADMIN}'",
            name="project_for_project_admin",
        ),
        UniqueConstraint(
            "person_id", "role", "center_id", "project_id", name="uq_role_grant_person_role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(status_type(Role, 20))
    center_id: Mapped[int | None] = mapped_column(ForeignKey("test_center.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_project.id", ondelete="CASCADE"), index=True
    )

    person: Mapped[Person] = relationship(back_populates="role_grants")
    center: Mapped["TestCenter | None"] = relationship()  # noqa: F821


class LoginSession(db.Model):
    """One sign-in on one browser: it lasts until signed out, not as long as the cookie.

    The cookie carries a random id; the row is keyed by its SHA-256 (hex), so whoever
    reads the table cannot sign in as anyone, and deleting the row ends every copy of
    the cookie at once.
    """

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Shortened, so a person can tell their sign-ins apart; no address is kept.
    user_agent: Mapped[str] = mapped_column(String(120), default="", server_default="")


class EmployeeImport(db.Model):
    """What one CSV import of a company's employees did, kept 24 hours for its report.

    The rejected rows are kept as the coordinator typed them, so that they can be
    downloaded, fixed and uploaded again; after EMPLOYEE_IMPORT_KEEP_HOURS the row
    is deleted (app.accounts.import_reports.purge_old_imports).
    """

    __tablename__ = "employee_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Rows answered "invited" (new accounts, and addresses with an account elsewhere:
    # app.accounts.enrolment says why they look the same), and the company's own people.
    invited: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    # JSON: the file's header, the rejected rows (line, cells, reason codes), the
    # duplicate lines and the company's own people found (ids), see import_reports.
    details: Mapped[str] = mapped_column(Text)

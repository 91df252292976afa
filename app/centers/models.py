from datetime import date, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.regions.models import LATITUDE_CHECK, LONGITUDE_CHECK, Municipality


class WorkstationKind(db.Model):
    """A kind of place a participant works at: a computer, a welding booth, a rig."""

    __tablename__ = "workstation_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))

    def __str__(self) -> str:
        return self.name


class TestCenter(db.Model):
    __tablename__ = "test_center"
    __test__ = False  # not a pytest test class, whatever its name says
    __table_args__ = (
        CheckConstraint(LATITUDE_CHECK, name="latitude"),
        CheckConstraint(LONGITUDE_CHECK, name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    street_address: Mapped[str] = mapped_column(String(120))
    postal_code: Mapped[str] = mapped_column(String(10))
    postal_town: Mapped[str] = mapped_column(String(60))
    contact_name: Mapped[str] = mapped_column(String(120))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    accredited_from: Mapped[date]
    accredited_to: Mapped[date]
    # Where the center is (its entrance, ideally), for the map link; None: not known yet,
    # and the municipality's seat stands in. The migration set the postal town's.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # Free text the center keeps: step-free entrance, parking, hearing loop, lifts.
    accessibility: Mapped[str | None] = mapped_column(Text)

    municipality: Mapped[Municipality] = relationship()
    workstations: Mapped[list["CenterWorkstation"]] = relationship(
        back_populates="center", cascade="all, delete-orphan"
    )
    opening_hours: Mapped[list["OpeningHours"]] = relationship(
        cascade="all, delete-orphan", order_by="OpeningHours.weekday"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return f"{self.street_address}, {self.postal_code} {self.postal_town}"

    @property
    def coordinates(self) -> tuple[float, float]:
        """(latitude, longitude): the center's own, else its municipality's seat."""
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        return self.municipality.latitude, self.municipality.longitude

    def accredited_on(self, day: date) -> bool:
        return self.accredited_from <= day <= self.accredited_to


class CenterWorkstation(db.Model):
    """How many workstations of one kind a center has."""

    __tablename__ = "center_workstation"
    __table_args__ = (
        UniqueConstraint("center_id", "kind_id", name="uq_center_workstation_center_kind"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("test_center.id", ondelete="CASCADE"))
    kind_id: Mapped[int] = mapped_column(ForeignKey("workstation_kind.id"), index=True)
    count: Mapped[int]

    center: Mapped[TestCenter] = relationship(back_populates="workstations")
    kind: Mapped[WorkstationKind] = relationship()


class OpeningHours(db.Model):
    """When a center is open on one weekday (0 = Monday); a missing day is closed."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        UniqueConstraint("center_id", "weekday", name="uq_opening_hours_center_weekday"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("test_center.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    opens: Mapped[time]
    closes: Mapped[time]


class CenterClosure(db.Model):
    """A center's own closed days, or (open_anyway) a holiday it opens on purpose."""

    __tablename__ = "center_closure"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(
        ForeignKey("test_center.id", ondelete="CASCADE"), index=True
    )
    first_day: Mapped[date]
    last_day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))
    open_anyway: Mapped[bool] = mapped_column(default=False)

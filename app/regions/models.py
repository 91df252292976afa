from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

# Å, Ä and Ö come after Z, in that order; a database's collation may put them elsewhere.
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}"})


class County(db.Model):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)  # länskod, e.g. "25"
    name: Mapped[str] = mapped_column(String(80), unique=True)

    municipalities: Mapped[list["Municipality"]] = relationship(
        back_populates="county", order_by="Municipality.name"
    )

    @property
    def sort_key(self) -> str:
        """The name as Swedish sorts it (Västra Götalands län, Örebro län, Östergötlands län)."""
        return self.name.casefold().translate(_SWEDISH_ORDER)

    def __str__(self) -> str:
        return self.name


# A place's coordinates, in degrees (WGS 84, as GeoNames and OpenStreetMap give them).
LATITUDE_CHECK = "latitude BETWEEN -90 AND 90"
LONGITUDE_CHECK = "longitude BETWEEN -180 AND 180"


class Municipality(db.Model):
    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint(LATITUDE_CHECK, name="latitude"),
        CheckConstraint(LONGITUDE_CHECK, name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)  # kommunkod, e.g. "2580"
    name: Mapped[str] = mapped_column(String(80), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    # The seat's (centralort's) coordinates, from GeoNames (migration 0114_place).
    latitude: Mapped[float]
    longitude: Mapped[float]

    county: Mapped[County] = relationship(back_populates="municipalities")

    @property
    def sort_key(self) -> str:
        """The name as Swedish sorts it (Umeå, Vilhelmina, Vindeln, Vännäs, Åsele)."""
        return self.name.casefold().translate(_SWEDISH_ORDER)

    def __str__(self) -> str:
        return self.name


# The longest travel time a pair of municipalities may have: a day.
MAX_TRAVEL_MINUTES = 24 * 60


class TravelBuffer(db.Model):
    """A travel time between two municipalities, kept by project admins (stored in id order).

    Where a pair has none, app.regions.travel estimates one from the distance.
    """

    __tablename__ = "travel_buffer"
    __table_args__ = (
        UniqueConstraint(
            "from_municipality_id", "to_municipality_id", name="uq_travel_buffer_pair"
        ),
        CheckConstraint("minutes >= 0", name="minutes"),
        CheckConstraint("from_municipality_id < to_municipality_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    to_municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    minutes: Mapped[int]

    from_municipality: Mapped[Municipality] = relationship(foreign_keys=[from_municipality_id])
    to_municipality: Mapped[Municipality] = relationship(foreign_keys=[to_municipality_id])

    @property
    def pair(self) -> tuple[Municipality, Municipality]:
        """The two municipalities in alphabetical order, as people read the pair."""
        return tuple(
            sorted((self.from_municipality, self.to_municipality), key=lambda m: m.sort_key)
        )

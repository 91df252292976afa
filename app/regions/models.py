from sqlalchemy import ForeignKey, String
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

    def __str__(self) -> str:
        return self.name


class Municipality(db.Model):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)  # kommunkod, e.g. "2580"
    name: Mapped[str] = mapped_column(String(80), unique=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)

    county: Mapped[County] = relationship(back_populates="municipalities")

    @property
    def sort_key(self) -> str:
        """The name as Swedish sorts it (Umeå, Vilhelmina, Vindeln, Vännäs, Åsele)."""
        return self.name.casefold().translate(_SWEDISH_ORDER)

    def __str__(self) -> str:
        return self.name

"""Reading counties and municipalities: the pages' choices and the API's lists."""

from collections.abc import Sequence

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.regions.models import County, Municipality


def counties_by_name() -> list[County]:
    return list(db.session.scalars(select(County).order_by(County.name)))


def municipalities_by_name() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


def counties_with_municipalities() -> list[County]:
    """Counties by name, each with its municipalities loaded (for grouped choices)."""
    return list(
        db.session.scalars(
            select(County).options(selectinload(County.municipalities)).order_by(County.name)
        )
    )


def municipalities_with_county() -> Sequence[Row]:
    """(id, municipality, county) by county, then municipality."""
    return db.session.execute(
        select(Municipality.id, Municipality.name, County.name)
        .join(Municipality.county)
        .order_by(County.name, Municipality.name)
    ).all()


def county_listing() -> Select:
    """All counties; the caller orders and pages."""
    return select(County)


def municipality_listing() -> Select:
    """All municipalities; the caller orders and pages."""
    return select(Municipality)

"""Reading counties and municipalities: the pages' choices and the API's lists.

Sweden's 21 counties and 290 municipalities are all stored (migration 0126_all_regions);
a deployment serves those of SERVED_COUNTIES (county codes; None, the default, serves
all). Every choice a page or the API offers comes from here, so a county it does not
serve is never offered, and a form posting one fails its choice check.
"""

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import ColumnElement, Row, Select, select, true
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.regions.models import County, Municipality


def served_county_codes() -> frozenset[str] | None:
    """The county codes this deployment serves, None for every county.

    Set in instance/config.py (SERVED_COUNTIES = ["22", "23", "24", "25"]) or the
    environment (TCB_SERVED_COUNTIES='["24", "25"]' or TCB_SERVED_COUNTIES=24,25).
    """
    codes = current_app.config.get("SERVED_COUNTIES")
    if not codes:
        return None
    if isinstance(codes, str | int):
        codes = str(codes).split(",")
    return frozenset(str(code).strip().zfill(2) for code in codes)


def served() -> ColumnElement[bool]:
    """A WHERE clause on County: the counties this deployment serves."""
    codes = served_county_codes()
    return true() if codes is None else County.code.in_(codes)


def _served_municipalities(query: Select) -> Select:
    if served_county_codes() is None:
        return query
    return query.where(Municipality.county_id.in_(select(County.id).where(served())))


def counties_by_name() -> list[County]:
    return list(db.session.scalars(select(County).where(served()).order_by(County.name)))


def counties_with_municipalities() -> list[County]:
    """Counties by name, each with its municipalities loaded (for grouped choices)."""
    return list(
        db.session.scalars(
            select(County)
            .where(served())
            .options(selectinload(County.municipalities))
            .order_by(County.name)
        )
    )


def municipalities_with_county() -> Sequence[Row]:
    """(id, municipality, county) by county, then municipality."""
    return db.session.execute(
        select(Municipality.id, Municipality.name, County.name)
        .join(Municipality.county)
        .where(served())
        .order_by(County.name, Municipality.name)
    ).all()


def county_listing() -> Select:
    """The counties served; the caller orders and pages."""
    return select(County).where(served())


def municipality_listing() -> Select:
    """The municipalities of the counties served; the caller orders and pages."""
    return _served_municipalities(select(Municipality))

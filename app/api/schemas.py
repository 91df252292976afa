"""Request and response bodies of the API; the OpenAPI document is built from them."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from app.bookings.models import SUPPORT_NEEDS, BookingStatus
from app.problem_types import PROBLEM_TYPES
from app.schedule.models import SessionStatus

SupportNeed = Literal[SUPPORT_NEEDS]  # type: ignore[valid-type]
ProblemCode = Literal[tuple(PROBLEM_TYPES)]  # type: ignore[valid-type]
# The plain values, so that the document lists them as before and a status is written as
# its value.
SessionStatusValue = Literal[tuple(s.value for s in SessionStatus)]  # type: ignore[valid-type]
BookingStatusValue = Literal[tuple(s.value for s in BookingStatus)]  # type: ignore[valid-type]

# Query parameters arrive as text. Every list operation reads them through these
# types, so that one spelling means the same everywhere and every refusal is a 422
# naming the parameter: an integer is digits ("396.0" and "3e2" are not), a boolean
# is true or false, a date YYYY-MM-DD, a time RFC 3339 with its offset.
_INTEGER = re.compile(r"-?[0-9]{1,12}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _iso_date(value):
    """Accept only YYYY-MM-DD: pydantic would also read "0" as 1 January 1970."""
    if isinstance(value, str) and not (len(value) == 10 and value[4] == value[7] == "-"):
        raise ValueError(_("ett datum skrivs ÅÅÅÅ-MM-DD"))
    return value


def _integer(value):
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise ValueError(_("ett heltal skrivs med siffror, t.ex. 396"))
    return value


def _boolean(value):
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise ValueError(_("skrivs true eller false"))
        return value == "true"
    return value


def _date_time(value):
    if isinstance(value, str):
        if not _DATE_TIME.fullmatch(value):
            raise ValueError(
                _(
                    "en tidpunkt skrivs enligt RFC 3339 med tidszon, t.ex. "
                    "2026-03-01T08:00:00Z (ett + i en adress URL-kodas)"
                )
            )
        return value.upper()
    return value


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # year 1 east of Greenwich, or 9999 west of it: the ends of time
        return (
            datetime.min.replace(tzinfo=UTC)
            if value.year == 1
            else datetime.max.replace(tzinfo=UTC)
        )


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
QueryInt = Annotated[int, BeforeValidator(_integer)]
QueryBool = Annotated[bool, BeforeValidator(_boolean)]
QueryDateTime = Annotated[datetime, BeforeValidator(_date_time), AfterValidator(_in_utc)]
ID_RANGE = {"ge": 1, "le": 2**31 - 1}


def _json_integer(value):
    """An id in a JSON body is a JSON number without a fraction: pydantic's lax mode would
    also read "638", " 643 ", "6_4_4" (644) and true (1), and book someone the client
    never named. 638.0 is 638, as JSON Schema's integer (the document's) says."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            _("ska vara ett heltal, skrivet som ett JSON-tal utan citattecken, t.ex. 396")
        )
    return value


BodyId = Annotated[int, Field(**ID_RANGE), BeforeValidator(_json_integer)]
LIMIT_DEFAULT = 20
LIMIT_MAX = 100


class Problem(BaseModel):
    """An error, as RFC 9457 application/problem+json, with a stable code for its type."""

    type: str = Field(
        description="A URL where this kind of problem is described (see the list at "
        "/api/v1/problems)"
    )
    title: str = Field(description="The kind of problem, in words (translated)")
    status: int
    detail: str = Field(description="What went wrong this time, in words (translated)")
    code: ProblemCode = Field(
        description="The kind of problem, for programs: never changes, never translated"
    )


class County(BaseModel):
    id: int
    code: str = Field(description="Länskod")
    name: str


class Municipality(BaseModel):
    id: int
    code: str = Field(description="Kommunkod")
    name: str
    county_id: int
    latitude: float = Field(description="The municipality seat's, WGS 84 (GeoNames)")
    longitude: float = Field(description="The municipality seat's, WGS 84 (GeoNames)")


# A model family's code, e.g. "svets": lower-case letters, digits and hyphens.
FAMILY_CODE = r"^[a-z0-9-]+$"


class ValidationModel(BaseModel):
    id: int
    code: str
    name: str
    family: str | None = Field(description="The family's code (svets), if a level of one")
    level: str | None = Field(description="The level within the family (VIT, GRÖN, BLÅ, SVART)")
    owner: str
    theory_minutes: int
    practical_minutes: int
    max_group_size: int
    workstation_kind: str


class Center(BaseModel):
    id: int
    name: str
    municipality_id: int
    municipality: str
    county: str
    address: str
    latitude: float = Field(description="WGS 84: the center's own, else its municipality seat's")
    longitude: float = Field(description="WGS 84: the center's own, else its municipality seat's")
    contact_email: str
    accredited_from: date
    accredited_to: date


class Session(BaseModel):
    id: int
    model_id: int
    model: str
    family: str | None = Field(description="The model's family's code (svets), if any")
    level: str | None = Field(description="The model's level within its family, if any")
    center_id: int
    center: str
    municipality: str
    county: str
    address: str
    assessor: str
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime = Field(description="UTC")
    starts_at_local: str = Field(description="Europe/Stockholm, ISO 8601 with offset")
    ends_at_local: str = Field(description="Europe/Stockholm, ISO 8601 with offset")
    seats: int
    seats_left: int
    waitlist_length: int
    status: SessionStatusValue
    bookable: bool
    booking_problem: str | None = Field(description="Why it cannot be booked now, if so")
    booking_problem_code: ProblemCode | None = Field(
        description="The same as a problem code, as a booking would answer it"
    )


class _ListPage(BaseModel):
    """One page of a list: follow `next` (or the Link header) until has_more is false."""

    has_more: bool = Field(description="Whether there are more items after these")
    next: str | None = Field(description="The URL of the next page; null on the last page")


class CountyList(_ListPage):
    items: list[County]


class MunicipalityList(_ListPage):
    items: list[Municipality]


class ValidationModelList(_ListPage):
    items: list[ValidationModel]


class CenterList(_ListPage):
    items: list[Center]


class SessionPage(_ListPage):
    items: list[Session]


class Booking(BaseModel):
    id: int
    session_id: int
    employee_id: int
    status: BookingStatusValue
    waitlist_position: int | None
    support_needs: list[SupportNeed]
    moved_from_id: int | None = Field(description="The booking this one replaced by a move")
    created_at: datetime
    updated_at: datetime = Field(
        description="UTC; changes with every change of the booking (updated_since reads it)"
    )


class BookingList(_ListPage):
    items: list[Booking]


class BookingRequest(BaseModel):
    """Book a seat for yourself, or with employee_id for an employee of your company."""

    model_config = ConfigDict(extra="forbid")

    employee_id: BodyId | None = None
    support_needs: list[SupportNeed] = Field(default_factory=list, max_length=4)
    # No NUL: no database column stores one, and every request carrying one is refused
    # (app/input_guard.py); the document says so, so that clients know it beforehand.
    support_note: str = Field(default="", max_length=500, pattern=r"^[^\x00]*$")


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: BodyId


class ListQuery(BaseModel):
    """What every list takes: how many items, and from where (a cursor from `next`)."""

    model_config = ConfigDict(extra="ignore")

    limit: QueryInt = Field(default=LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)
    cursor: str | None = Field(default=None, min_length=1, max_length=500)


class SessionQuery(ListQuery):
    model_id: QueryInt | None = Field(default=None, **ID_RANGE)
    family: str | None = Field(default=None, min_length=1, max_length=40, pattern=FAMILY_CODE)
    county_id: QueryInt | None = Field(default=None, **ID_RANGE)
    municipality_id: QueryInt | None = Field(default=None, **ID_RANGE)
    date_from: IsoDate | None = Field(default=None, alias="from")
    date_to: IsoDate | None = Field(default=None, alias="to")
    only_free: QueryBool = False
    # Before cursors: still read, so that old clients work (an empty page past the end).
    page: QueryInt | None = Field(default=None, ge=1, le=100_000)
    per_page: QueryInt | None = Field(default=None, ge=1, le=LIMIT_MAX)


class BookingQuery(ListQuery):
    employee_id: QueryInt | None = Field(default=None, **ID_RANGE)
    scope: Literal["mine", "company"] = "mine"
    updated_since: QueryDateTime | None = None

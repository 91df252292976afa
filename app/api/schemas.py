"""Request and response bodies of the API; the OpenAPI document is built from them."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.bookings.models import SUPPORT_NEEDS

SupportNeed = Literal[SUPPORT_NEEDS]  # type: ignore[valid-type]


def _iso_date(value):
    """Accept only YYYY-MM-DD: pydantic would also read "0" as 1 January 1970."""
    if isinstance(value, str) and not (len(value) == 10 and value[4] == value[7] == "-"):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class Problem(BaseModel):
    """An error, as RFC 9457 application/problem+json."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class County(BaseModel):
    id: int
    code: str = Field(description="Länskod")
    name: str


class Municipality(BaseModel):
    id: int
    code: str = Field(description="Kommunkod")
    name: str
    county_id: int


class ValidationModel(BaseModel):
    id: int
    code: str
    name: str
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
    contact_email: str
    accredited_from: date
    accredited_to: date


class Session(BaseModel):
    id: int
    model_id: int
    model: str
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
    status: Literal["scheduled", "cancelled"]
    bookable: bool
    booking_problem: str | None = Field(description="Why it cannot be booked now, if so")


class SessionPage(BaseModel):
    items: list[Session]
    page: int
    per_page: int
    total: int
    pages: int


class Booking(BaseModel):
    id: int
    session_id: int
    employee_id: int
    status: Literal["confirmed", "waitlisted", "cancelled", "attended", "no_show"]
    waitlist_position: int | None
    support_needs: list[SupportNeed]
    created_at: datetime


class BookingList(BaseModel):
    items: list[Booking]


class BookingRequest(BaseModel):
    """Book a seat for yourself, or with employee_id for an employee of your company."""

    model_config = ConfigDict(extra="forbid")

    employee_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    support_needs: list[SupportNeed] = Field(default_factory=list, max_length=4)
    # No NUL: no database column stores one, and every request carrying one is refused
    # (app/input_guard.py); the document says so, so that clients know it beforehand.
    support_note: str = Field(default="", max_length=500, pattern=r"^[^\x00]*$")


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: int = Field(ge=1, le=2**31 - 1)


class SessionQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    county_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    municipality_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    date_from: IsoDate | None = Field(default=None, alias="from")
    date_to: IsoDate | None = Field(default=None, alias="to")
    only_free: bool = False
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)

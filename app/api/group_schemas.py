"""Request and response bodies of POST /api/v1/bookings/bulk (app/api/group_views.py)."""

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import BodyId, Booking
from app.bookings.bulk import MAX_GROUP

# A plan names a few sessions; more would be many requests in one. Together the two
# limits keep a request within the service's MAX_GROUP.
MAX_PARTS = 10
MAX_PER_PART = MAX_GROUP // MAX_PARTS


class BookingGroupPart(BaseModel):
    """Employees to book into one session."""

    model_config = ConfigDict(extra="forbid")

    session_id: BodyId
    # One named twice is booked once, and the second time is reported skipped.
    employee_ids: list[BodyId] = Field(min_length=1, max_length=MAX_PER_PART)


class BookingGroupRequest(BaseModel):
    """Book employees of your company, each into the session of their part."""

    model_config = ConfigDict(extra="forbid")

    parts: list[BookingGroupPart] = Field(min_length=1, max_length=MAX_PARTS)


class SkippedEmployee(BaseModel):
    employee_id: int
    reason: str = Field(description="Why, for people (in the caller's language)")
    code: str | None = Field(description="Why, for programs: e.g. already_booked")


class BookingGroupResult(BaseModel):
    """What became of each employee: a seat, a waitlist place, or skipped and why."""

    seated: list[Booking]
    waitlisted: list[Booking]
    skipped: list[SkippedEmployee]

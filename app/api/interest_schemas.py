"""Request and response bodies of /api/v1/interests (app/api/interest_views.py)."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import ID_RANGE, BodyId, IsoDate, ListQuery, QueryInt, _ListPage
from app.bookings.models import InterestEnd


class Interest(BaseModel):
    """Interest in a validation model near a municipality during a period."""

    id: int
    employee_id: int
    model_id: int | None = Field(description="The model; null when the interest is in a family")
    model: str | None
    family_id: int | None = Field(description="A model family: any of its levels matches")
    family: str | None
    municipality_id: int
    municipality: str
    max_minutes: int = Field(
        description="Sessions within this travel time of the municipality match; 0: any"
    )
    from_date: date
    to_date: date
    created_at: datetime
    notified_at: datetime | None = Field(
        description="When the person was mailed about a matching session (once only)"
    )
    notified_session_id: int | None
    ended_at: datetime | None
    end_reason: InterestEnd | None = Field(
        description=(
            "booked, withdrawn, expired or left_company (the person left their company); "
            "null while the interest is live"
        )
    )


class InterestList(_ListPage):
    items: list[Interest]


class InterestRequest(BaseModel):
    """Register interest for yourself, or with employee_id for an employee of your company."""

    model_config = ConfigDict(extra="forbid")

    employee_id: BodyId | None = None
    model_id: BodyId | None = Field(default=None, description="A model, or family_id")
    family_id: BodyId | None = Field(
        default=None, description="A model family (any level), or model_id"
    )
    max_minutes: Literal[60, 120, 180, 240, 0] = Field(
        default=120, description="Travel time from the municipality at most, minutes; 0: any"
    )
    municipality_id: BodyId | None = Field(
        default=None, description="Default: the employee's company's municipality"
    )
    from_date: IsoDate = Field(description="Today or later")
    to_date: IsoDate = Field(description="Not before from_date, at most a year after it")


class InterestQuery(ListQuery):
    employee_id: QueryInt | None = Field(default=None, **ID_RANGE)
    scope: Literal["mine", "company"] = "mine"

"""Request and response bodies of /api/v1/webhooks (kept apart from the booking API's)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.api.schemas import BookingStatusValue
from app.webhooks.models import EVENT_TYPES
from app.webhooks.urls import URL_PATTERN, url_form_problem, url_pattern_problem

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


def _url_as_the_page_says(value):
    """The page's own reason for a URL it refuses (https only, no user:password@ …),
    before the pattern, which could only say that the URL has the wrong form."""
    if isinstance(value, str) and (
        problem := url_form_problem(value) or url_pattern_problem(value)
    ):
        raise ValueError(problem)
    return value


class WebhookRequest(BaseModel):
    """Register a URL for signed events (Standard Webhooks)."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, BeforeValidator(_url_as_the_page_says)] = Field(
        min_length=1,
        max_length=2000,
        pattern=URL_PATTERN,
        description="https://, to an address on the internet (in development also http:// "
        "to this machine)",
    )
    events: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))


class Webhook(BaseModel):
    id: int
    url: str
    events: list[EventType]
    company_id: int | None = Field(description="Whose employees' events; null: every company's")
    active: bool
    disabled_reason: Literal["gone", "owner"] | None = Field(
        description="Why it was turned off: the receiver answered 410 (gone), or its owner "
        "may no longer see the events (owner)"
    )
    created_at: datetime


class NewWebhook(Webhook):
    secret: str = Field(description="whsec_…: verifies the signatures; shown only now")


class WebhookList(BaseModel):
    """All of one's webhooks at once (a person has a handful): like every list of the
    API it says whether more follow, and here none ever do."""

    items: list[Webhook]
    has_more: Literal[False] = False
    next: None = None


# What a webhook sends (app/webhooks/payloads.py), for the document's `webhooks`. extra
# is forbidden, so that the test that reads real deliveries through these finds any
# field sent but not described.


class _Sent(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EventModel(_Sent):
    id: int
    code: str
    name: str


class EventCenter(_Sent):
    id: int
    name: str


class EventEmployee(_Sent):
    id: int
    name: str | None = Field(
        default=None,
        description="Sent so that the receiver can map the person to its own records; "
        "left out for an erased person, or one the webhook's owner may no longer see",
    )
    email: str | None = Field(default=None, description="As name")


class BookingEventData(_Sent):
    booking_id: int
    status: BookingStatusValue = Field(description="The booking's status now")
    session_id: int
    model: EventModel
    center: EventCenter
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime = Field(description="UTC")
    employee: EventEmployee
    company_id: int | None
    reason: Literal["cancelled", "session_cancelled"] | None = Field(
        default=None, description="booking.cancelled only: the booking, or its session"
    )
    previous_booking_id: int | None = Field(
        default=None, description="booking.moved only: the booking it replaced"
    )
    previous_session_id: int | None = Field(default=None, description="booking.moved only")
    previous_starts_at: datetime | None = Field(
        default=None,
        description="booking.rescheduled only: the session's start before the test center "
        "moved it, UTC (starts_at is the new one)",
    )
    previous_ends_at: datetime | None = Field(
        default=None, description="booking.rescheduled only: as previous_starts_at"
    )


class ResultArea(_Sent):
    code: str
    name: str
    result: Literal["approved", "not_yet"]


class ResultEventData(BookingEventData):
    overall: Literal["approved", "not_yet"] = Field(description="approved when every area is")
    areas: list[ResultArea] = Field(description="Every area of the model, in its order")


class TestEventData(_Sent):
    subscription_id: int


class BookingEvent(_Sent):
    """booking.created, booking.cancelled, booking.moved, booking.rescheduled or
    booking.promoted."""

    type: Literal[
        "booking.created",
        "booking.cancelled",
        "booking.moved",
        "booking.rescheduled",
        "booking.promoted",
    ]
    timestamp: datetime = Field(description="When the change happened, UTC")
    data: BookingEventData


class ResultEvent(_Sent):
    type: Literal["result.recorded"]
    timestamp: datetime = Field(description="When the outcome was recorded, UTC")
    data: ResultEventData


class TestEvent(_Sent):
    """Sent only when the owner asks for one on the webhook's page."""

    type: Literal["webhook.test"]
    timestamp: datetime
    data: TestEventData


EVENT_BODIES = {
    "booking.created": BookingEvent,
    "booking.cancelled": BookingEvent,
    "booking.moved": BookingEvent,
    "booking.rescheduled": BookingEvent,
    "booking.promoted": BookingEvent,
    "result.recorded": ResultEvent,
    "webhook.test": TestEvent,
}

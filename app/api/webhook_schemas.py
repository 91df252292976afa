"""Request and response bodies of /api/v1/webhooks (kept apart from the booking API's)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.webhooks.models import EVENT_TYPES
from app.webhooks.urls import url_form_problem

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]

# The URLs the service takes, written out so that a client (and schemathesis) knows
# beforehand: https, a host name or IPv4 address, maybe a port, a path and a query of
# visible ASCII, no #fragment and no user:password@; or plain http to this machine,
# which only a server in development takes. Whether the host is on the internet is
# the server's to check (400 when it is not).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LOOPBACK = rf"(?:localhost|127(?:\.{_OCTET}){{3}}|\[::1\])"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
URL_PATTERN = (
    rf"^(?:https://{_LABEL}(?:\.{_LABEL})*|http://{_LOOPBACK})"
    rf'(?::{_PORT})?(?:[/?][!-"$-~]*)?$'
)


def _url_as_the_page_says(value):
    """The page's own reason for a URL it refuses (https only, no user:password@ …),
    before the pattern, which could only say that the URL has the wrong form."""
    if isinstance(value, str) and (problem := url_form_problem(value)):
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

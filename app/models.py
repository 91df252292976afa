"""Every model, imported in one place for metadata and Alembic."""

from app.accounts.models import Company, Person, RoleGrant
from app.api.models import ApiToken
from app.audit.models import AuditEntry
from app.bookings.models import Booking, BookingEvent, Interest
from app.calendar.models import CalendarEntry, FeedToken
from app.centers.models import (
    CenterClosure,
    CenterWorkstation,
    OpeningHours,
    TestCenter,
    WorkstationKind,
)
from app.mail.models import OutboxMessage
from app.projects.models import FundingProject, ProjectCompany, ProjectTarget
from app.regions.models import County, Municipality, TravelBuffer
from app.results.models import AreaOutcome, CompetenceArea, ModelArea
from app.schedule.models import (
    AssessorAbsence,
    AssessorAuthorisation,
    AssessorAvailability,
    ValidationModel,
    ValidationSession,
)
from app.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiToken",
    "AreaOutcome",
    "AssessorAbsence",
    "AssessorAuthorisation",
    "AssessorAvailability",
    "AuditEntry",
    "Booking",
    "BookingEvent",
    "CalendarEntry",
    "CenterClosure",
    "CenterWorkstation",
    "Company",
    "CompetenceArea",
    "County",
    "FeedToken",
    "FundingProject",
    "Interest",
    "ModelArea",
    "Municipality",
    "OpeningHours",
    "OutboxMessage",
    "Person",
    "ProjectCompany",
    "ProjectTarget",
    "RoleGrant",
    "TestCenter",
    "TravelBuffer",
    "ValidationModel",
    "ValidationSession",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkstationKind",
]

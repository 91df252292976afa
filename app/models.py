"""Every model, imported in one place for metadata and Alembic."""

from app.accounts.models import Company, Person, RoleGrant
from app.api.models import ApiToken
from app.bookings.models import Booking, BookingEvent
from app.centers.models import CenterWorkstation, TestCenter, WorkstationKind
from app.regions.models import County, Municipality
from app.results.models import AreaOutcome, CompetenceArea, ModelArea
from app.schedule.models import AssessorAuthorisation, ValidationModel, ValidationSession

__all__ = [
    "ApiToken",
    "AreaOutcome",
    "AssessorAuthorisation",
    "Booking",
    "BookingEvent",
    "CenterWorkstation",
    "Company",
    "CompetenceArea",
    "County",
    "ModelArea",
    "Municipality",
    "Person",
    "RoleGrant",
    "TestCenter",
    "ValidationModel",
    "ValidationSession",
    "WorkstationKind",
]

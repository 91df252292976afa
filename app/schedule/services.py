"""Reading the validation models that sessions are planned for."""

from sqlalchemy import select

from app.extensions import db
from app.schedule.models import ValidationModel


def validation_models() -> list[ValidationModel]:
    return list(db.session.scalars(select(ValidationModel).order_by(ValidationModel.name)))

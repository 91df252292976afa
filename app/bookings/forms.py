from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.bookings.interest import today as interest_today
from app.bookings.models import INTEREST_DEFAULT_MINUTES, INTEREST_MAX_DAYS
from app.centers.forms import MunicipalityField
from app.fields import CheckboxListField, IntegerField, TextAreaField, database_id, within_years
from app.once_forms import OnceForm
from app.schedule.forms import FAMILY_PREFIX


def model_or_family(value):
    """A model's id, or a family as "family:<code>" (any of its levels)."""
    if isinstance(value, str) and value.startswith(FAMILY_PREFIX):
        return value
    return database_id(value)


SUPPORT_NEED_LABELS = {
    "extra_time": _l("Förlängd provtid"),
    "read_aloud": _l("Uppläsning av frågorna"),
    "interpreter": _l("Tolk eller prov på annat språk"),
    "accessible_workstation": _l("Tillgänglig arbetsplats"),
}


class BookingForm(OnceForm):
    """The book button. Its request key makes a resent form find the first booking."""

    support_needs = CheckboxListField(
        _l("Behöver du stöd under provet?"),
        choices=[SelectChoice(code, label) for code, label in SUPPORT_NEED_LABELS.items()],
    )
    support_note = TextAreaField(
        _l("Beskriv gärna ditt stödbehov (t.ex. vilket språk)"),
        validators=[Length(max=500, message=_l("Högst 500 tecken."))],
    )

    # A coordinator books for one of the company's employees; empty means oneself.
    employee_id = IntegerField(
        _l("Medarbetare"),
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1)],
    )


class MoveForm(FlaskForm):
    target = RadioField(
        _l("Nytt pass"),
        coerce=database_id,
        # The service says why a session cannot be chosen; a bare "not a valid choice" would not.
        validate_choice=False,
        validators=[DataRequired(_l("Välj vilket pass du vill flytta till."))],
    )


class InterestForm(FlaskForm):
    """Interest in a model near a municipality during a period (app/bookings/interest.py)."""

    model = SelectField(_l("Validering"), coerce=model_or_family, validate_choice=True)
    municipality = MunicipalityField(_l("Nära kommun"))
    reach = SelectField(
        _l("Restid högst"), coerce=int, default=INTEREST_DEFAULT_MINUTES, validate_choice=True
    )
    from_date = DateField(
        _l("Från och med"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )
    to_date = DateField(
        _l("Till och med"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )

    def validate_from_date(self, field):
        if field.data and field.data < interest_today():
            raise ValidationError(_l("Perioden kan inte börja före i dag."))
        if field.data and (field.data - interest_today()).days >= INTEREST_MAX_DAYS:
            raise ValidationError(_l("Perioden måste börja inom ett år."))

    def validate_to_date(self, field):
        first = self.from_date.data
        if not (field.data and first):
            return
        if field.data < first:
            raise ValidationError(_l("Sista dagen ligger före första dagen."))
        if (field.data - first).days >= INTEREST_MAX_DAYS:
            raise ValidationError(_l("Perioden kan vara högst ett år."))


class CompanyInterestForm(InterestForm):
    """The coordinator's version: the same, for several of the company's employees."""

    employees = CheckboxListField(
        _l("Medarbetare"),
        coerce=database_id,
        validators=[DataRequired(_l("Välj minst en medarbetare."))],
    )

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField
from wtforms.validators import Optional, ValidationError

from app.fields import SelectField, within_years


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


FAMILY_PREFIX = "family:"


def model_choice(value):
    """A model's id, a family as "family:<code>", or None for every model."""
    if isinstance(value, str) and value.startswith(FAMILY_PREFIX):
        return value
    return _optional_int(value)


# The periods a search may cover, in weeks from its first day; 0: no end.
PERIOD_WEEKS = (1, 2, 4, 8, 12, 26, 0)
DEFAULT_WEEKS = 8
# How far from its starting place a search (or an interest) reaches, in minutes of
# travel; 0: any distance.
REACH_MINUTES = (60, 120, 180, 240, 0)
DEFAULT_REACH = 120


class SessionSearchForm(FlaskForm):
    """The filters of the session list; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    model = SelectField(_l("Validering"), coerce=model_choice, validate_choice=True)
    county = SelectField(_l("Län"), coerce=_optional_int)
    municipality = SelectField(_l("Kommun"), coerce=_optional_int)
    weeks = SelectField(_l("Period"), coerce=int, default=DEFAULT_WEEKS)
    date_from = DateField(_l("Från datum"), validators=[Optional(), within_years])
    date_to = DateField(_l("Till datum"), validators=[Optional(), within_years])
    free_only = BooleanField(_l("Bara pass med lediga platser"))
    origin = SelectField(_l("Utgå från"), coerce=_optional_int)
    reach = SelectField(_l("Restid högst"), coerce=int, default=DEFAULT_REACH)

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Till-datumet ligger före från-datumet."))

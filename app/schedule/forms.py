from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional, ValidationError


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class SessionSearchForm(FlaskForm):
    """The filters of the session list; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    model = SelectField(_l("Validering"), coerce=_optional_int, validate_choice=True)
    county = SelectField(_l("Län"), coerce=_optional_int)
    municipality = SelectField(_l("Kommun"), coerce=_optional_int)
    date_from = DateField(_l("Från datum"), validators=[Optional()])
    date_to = DateField(_l("Till datum"), validators=[Optional()])
    free_only = BooleanField(_l("Bara pass med lediga platser"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Till-datumet ligger före från-datumet."))

"""The audit log's filter: GET parameters, no CSRF since it changes nothing."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import DateInput

from app.fields import FIRST_DAY, LAST_DAY, OUTSIDE_YEARS, IntegerField
from app.i18n import FormMessagesMeta
from app.reports.audit_log import MAX_PERSON_SEARCH


def _day(_form, field):
    """A day written as <input type=date> sends it (2026-03-03), between 2000 and 2100."""
    text = (field.data or "").strip()
    if not text:
        field.day = None
        return
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_l("Skriv datumet som år-månad-dag, t.ex. 2026-03-03.")) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(OUTSIDE_YEARS)
    field.day = day


def _offered(_form, field):
    if (field.data or "") not in {str(value) for value, _label in field.choices}:
        raise ValidationError(_l("Välj ett av alternativen i listan."))


class AuditFilterForm(Form):
    Meta = FormMessagesMeta  # its messages in the reader's language

    from_date = StringField(_l("Från och med"), widget=DateInput(), validators=[_day])
    to_date = StringField(_l("Till och med"), widget=DateInput(), validators=[_day])
    person = StringField(
        _l("Person"),
        description=_l("Namn på den som gjorde ändringen eller den den gällde."),
        validators=[
            Length(max=MAX_PERSON_SEARCH, message=_l("Skriv högst %(max)d tecken.")),
        ],
    )
    center = SelectField(_l("Testcenter"), validate_choice=False, validators=[_offered])
    kind = SelectField(_l("Typ av ändring"), validate_choice=False, validators=[_offered])
    # Not shown in the form: the paging links carry it; a new search starts at page 1.
    page = IntegerField(
        validators=[Optional(), NumberRange(1, 10**6, _l("Sidan finns inte."))],
    )

    def validate_to_date(self, field):
        first, last = getattr(self.from_date, "day", None), getattr(field, "day", None)
        if first is not None and last is not None and last < first:
            raise ValidationError(_l("Till-datumet ligger före från-datumet."))

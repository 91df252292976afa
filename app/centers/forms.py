from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.fields import IntegerField

WEEKDAYS = [
    _l("måndag"),
    _l("tisdag"),
    _l("onsdag"),
    _l("torsdag"),
    _l("fredag"),
    _l("lördag"),
    _l("söndag"),
]


class CenterDetailsForm(FlaskForm):
    street_address = StringField(_l("Gatuadress"), validators=[DataRequired(), Length(max=120)])
    postal_code = StringField(_l("Postnummer"), validators=[DataRequired(), Length(max=10)])
    postal_town = StringField(_l("Postort"), validators=[DataRequired(), Length(max=60)])
    contact_name = StringField(_l("Kontaktperson"), validators=[DataRequired(), Length(max=120)])
    contact_email = EmailField(
        _l("E-post"),
        validators=[DataRequired(), Email(_l("Ogiltig e-postadress.")), Length(max=254)],
    )
    contact_phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40)])


class ClosureForm(FlaskForm):
    first_day = DateField(_l("Första dagen"), validators=[DataRequired(_l("Ange ett datum."))])
    last_day = DateField(_l("Sista dagen (tomt = samma dag)"), validators=[Optional()])
    reason = StringField(_l("Anledning"), validators=[DataRequired(), Length(max=200)])
    open_anyway = BooleanField(_l("Öppet den här dagen trots helgdag (i stället för stängt)"))

    def validate_last_day(self, field):
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError(_l("Sista dagen ligger före första dagen."))


class PlanForm(FlaskForm):
    """One session or a weekly series; read from the query string for the preview."""

    model = SelectField(_l("Validering"), coerce=int, validate_choice=True)
    assessor = SelectField(_l("Testledare"), coerce=int, validate_choice=True)
    first_day = DateField(_l("Första datum"), validators=[DataRequired(_l("Ange ett datum."))])
    start = TimeField(_l("Starttid"), validators=[DataRequired(_l("Ange en tid."))])
    weeks = IntegerField(
        _l("Antal veckor (1 = bara en vecka)"),
        default=1,
        validators=[DataRequired(), NumberRange(1, 52, _l("1–52 veckor."))],
    )
    weekdays = SelectMultipleField(
        _l("Veckodagar (tomt = bara första datumet)"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    support_seats = IntegerField(
        _l("Högst antal deltagare med stödbehov (tomt = ingen gräns)"),
        validators=[Optional(), NumberRange(0, 100)],
    )


class MoveSessionForm(FlaskForm):
    day = DateField(_l("Nytt datum"), validators=[DataRequired(_l("Ange ett datum."))])
    start = TimeField(_l("Ny starttid"), validators=[DataRequired(_l("Ange en tid."))])
    assessor = SelectField(_l("Testledare"), coerce=int, validate_choice=True)


class CancelSessionForm(FlaskForm):
    reason = StringField(_l("Anledning (visas för deltagarna)"), validators=[Length(max=300)])

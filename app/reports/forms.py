from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from app.fields import IntegerField

# Dates the reports accept: far enough either way for any project, and clear of the
# ends of the calendar, where moving to UTC or to the next day would overflow.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def parse_week(text: str) -> date:
    """The Monday of an ISO week written as <input type=week> sends it: 2026-W09."""
    year, sep, week = text.strip().partition("-W")
    if not sep or not (year.isdigit() and week.isdigit()):
        raise ValueError(text)
    monday = date.fromisocalendar(int(year), int(week), 1)
    if not FIRST_DAY <= monday <= LAST_DAY:
        raise ValueError(text)
    return monday


def week_text(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _iso_week(_form, field):
    try:
        parse_week(field.data or "")
    except ValueError:
        raise ValidationError(_l("Skriv veckan som år och vecka, t.ex. 2026-W09.")) from None


class DashboardFilter(Form):
    """The dashboard's GET parameters; no CSRF since it changes nothing."""

    project = SelectField(_l("Projekt"), coerce=int, validate_choice=True)
    from_week = StringField(_l("Från vecka"), validators=[_iso_week])
    to_week = StringField(_l("Till och med vecka"), validators=[_iso_week])
    below = IntegerField(
        _l("Lågt belagda pass: under (%)"),
        validators=[
            DataRequired(_l("Ange en procentsats mellan 1 och 100.")),
            NumberRange(1, 100, _l("Ange en procentsats mellan 1 och 100.")),
        ],
    )


def _within_years(_form, field):
    if field.data and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_l("Välj ett datum mellan år 2000 och 2100."))


class ProjectForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(), Length(max=120)])
    starts_on = DateField(
        _l("Första dag"), validators=[DataRequired(_l("Ange ett datum.")), _within_years]
    )
    ends_on = DateField(
        _l("Sista dag"), validators=[DataRequired(_l("Ange ett datum.")), _within_years]
    )

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Projektet kan inte sluta innan det börjar."))


class TargetForm(FlaskForm):
    companies = IntegerField(
        _l("Företag"), validators=[InputRequired(_l("Ange ett antal.")), NumberRange(0, 100000)]
    )
    employees = IntegerField(
        _l("Anställda"), validators=[InputRequired(_l("Ange ett antal.")), NumberRange(0, 1000000)]
    )


class NewTargetForm(TargetForm):
    county = SelectField(_l("Län"), coerce=int)
    industry = SelectField(_l("Bransch"))


class RemoveTargetForm(FlaskForm):
    """Only the CSRF token: the target is in the URL."""

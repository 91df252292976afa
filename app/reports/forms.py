from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, HiddenField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    StopValidation,
    ValidationError,
)

from app.fields import FIRST_DAY, LAST_DAY, IntegerField, database_id, within_years
from app.i18n import FormMessagesMeta

# Dates the reports accept: far enough either way for any project, and clear of the
# ends of the calendar, where moving to UTC or to the next day would overflow.


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


# Links from before the dashboard took dates carried ISO weeks: ?from_week=2026-W09.
LEGACY_WEEK_ARGS = {"from_week": "from_date", "to_week": "to_date"}


def dates_from_weeks(args: MultiDict) -> tuple[MultiDict, dict[str, str]]:
    """An old link's week parameters as the dates they stand for: from a week's Monday
    to its Sunday. Dates given too win. Returns the arguments and, per date field, the
    message for a week that is not one."""
    args = MultiDict(args)
    errors = {}
    for week_name, date_name in LEGACY_WEEK_ARGS.items():
        if week_name not in args:
            continue
        text = args.pop(week_name)
        if date_name in args:
            continue
        try:
            monday = parse_week(text)
        except ValueError:
            errors[date_name] = str(_l("Skriv veckan som år och vecka, t.ex. 2026-W09."))
            continue
        day = monday if week_name == "from_week" else monday + timedelta(days=6)
        args[date_name] = day.isoformat()
    return args, errors


def _date_given(_form, field):
    """A date is needed; one that is not a date is told how to write it."""
    if field.data is None:
        typed = " ".join(field.raw_data or []).strip()
        field.errors[:] = []
        raise StopValidation(
            _l("Skriv datumet som år-månad-dag, t.ex. 2026-03-09.")
            if typed
            else _l("Ange ett datum.")
        )


class DashboardFilter(Form):
    """The dashboard's GET parameters; no CSRF since it changes nothing.

    From and to are dates (type=date, which every browser offers; type=week is not in
    Firefox or Safari); the figures cover the ISO weeks the two dates fall in."""

    Meta = FormMessagesMeta  # its messages in the reader's language

    project = SelectField(_l("Projekt"), coerce=int, validate_choice=True)
    from_date = DateField(
        _l("Från och med"),
        validators=[_date_given, within_years],
    )
    to_date = DateField(
        _l("Till och med"),
        validators=[_date_given, within_years],
    )
    below = IntegerField(
        _l("Lågt belagda pass: under (%)"),
        validators=[
            DataRequired(_l("Ange en procentsats mellan 1 och 100.")),
            NumberRange(1, 100, _l("Ange en procentsats mellan 1 och 100.")),
        ],
    )

    def validate_to_date(self, field):
        if self.from_date.data and field.data and field.data < self.from_date.data:
            raise ValidationError(_l("Till och med-datumet ligger före från och med-datumet."))


class ProjectForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(), Length(max=120)])
    starts_on = DateField(
        _l("Första dag"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )
    ends_on = DateField(
        _l("Sista dag"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Projektet kan inte sluta innan det börjar."))


class TargetForm(FlaskForm):
    companies = IntegerField(
        # A count of companies: "Companies" in English, not the "Company" of a choice.
        lazy_pgettext("plural", "Företag"),
        validators=[InputRequired(_l("Ange ett antal.")), NumberRange(0, 100000)],
    )
    employees = IntegerField(
        _l("Anställda"), validators=[InputRequired(_l("Ange ett antal.")), NumberRange(0, 1000000)]
    )


class NewTargetForm(TargetForm):
    county = SelectField(_l("Län"), coerce=int)
    industry = SelectField(_l("Bransch"))


class RemoveTargetForm(FlaskForm):
    """Only the CSRF token: the target is in the URL."""


class AddCompanyForm(FlaskForm):
    """A company to take part in the project: one of the page's choices, by county."""

    company = SelectField(_l("Företag"), coerce=database_id)


class RemoveCompanyForm(FlaskForm):
    """A company to stop taking part: its id in a hidden field; the service checks it."""

    company = HiddenField(validators=[DataRequired()])

    def validate_company(self, field):
        try:
            field.data = database_id(field.data)
        except ValueError:
            raise ValidationError(_l("Företaget finns inte. Välj ett företag i listan.")) from None

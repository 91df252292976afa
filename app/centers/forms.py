import math

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from app.fields import (
    CheckboxListField,
    IntegerField,
    TextAreaField,
    ascii_email,
    database_id,
    from_first_day,
    stripped,
    within_years,
)
from app.regions.models import MAX_TRAVEL_MINUTES

WEEKDAYS = [
    _l("måndag"),
    _l("tisdag"),
    _l("onsdag"),
    _l("torsdag"),
    _l("fredag"),
    _l("lördag"),
    _l("söndag"),
]


class CoordinateField(StringField):
    """Degrees as a decimal number, with a point or a Swedish decimal comma; blank is None."""

    def __init__(self, label, lowest: float, highest: float, **kwargs):
        super().__init__(label, **kwargs)
        self.lowest, self.highest = lowest, highest

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        try:
            value = float(self.raw.replace(",", ".").replace("−", "-"))
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or len(self.raw) > 20:
            raise ValueError(_("Ange ett tal i grader, till exempel 65,5841."))
        self.data = value

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        if self.data is not None and not self.lowest <= self.data <= self.highest:
            raise StopValidation(
                _(
                    "Ange ett tal mellan %(lowest)s och %(highest)s.",
                    lowest=self.lowest,
                    highest=self.highest,
                )
            )

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.5f}".rstrip("0").rstrip(".")


class CenterDetailsForm(FlaskForm):
    street_address = StringField(_l("Gatuadress"), validators=[DataRequired(), Length(max=120)])
    postal_code = StringField(_l("Postnummer"), validators=[DataRequired(), Length(max=10)])
    postal_town = StringField(_l("Postort"), validators=[DataRequired(), Length(max=60)])
    contact_name = StringField(_l("Kontaktperson"), validators=[DataRequired(), Length(max=120)])
    contact_email = EmailField(
        _l("E-post"),
        validators=[
            DataRequired(),
            ascii_email,
            Email(_l("Ogiltig e-postadress.")),
            Length(max=254),
        ],
    )
    contact_phone = StringField(_l("Telefon"), validators=[Optional(), Length(max=40)])
    latitude = CoordinateField(_l("Latitud (grader norr)"), -90, 90)
    longitude = CoordinateField(_l("Longitud (grader öst)"), -180, 180)
    accessibility = TextAreaField(
        _l("Tillgänglighet (frivilligt)"),
        validators=[Optional(), Length(max=2000, message=_l("Högst 2000 tecken."))],
    )

    def validate_longitude(self, field):
        if (field.data is None) != (self.latitude.data is None):
            raise ValidationError(_l("Ange både latitud och longitud, eller ingen av dem."))


class AgreedSessionsForm(FlaskForm):
    """A confirmation page's form: the sessions the admin agreed to cancel, as ids."""

    cancel_ids = HiddenField(
        filters=[stripped],
        validators=[
            Optional(),
            Length(max=2000),
            Regexp(r"^[0-9]{1,10}(,[0-9]{1,10})*$", message=_l("Listan över pass är felaktig.")),
        ],
    )

    @property
    def agreed_session_ids(self) -> list[int]:
        return [int(part) for part in (self.cancel_ids.data or "").split(",") if part]


class ClosureForm(AgreedSessionsForm):
    first_day = DateField(
        _l("Första dagen"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )
    last_day = DateField(
        _l("Sista dagen (tomt = samma dag)"),
        validators=[Optional(), within_years, from_first_day],
    )
    reason = StringField(_l("Anledning"), validators=[DataRequired(), Length(max=200)])
    open_anyway = BooleanField(_l("Öppet den här dagen trots helgdag (i stället för stängt)"))


class PlanForm(FlaskForm):
    """One session or a weekly series; read from the query string for the preview."""

    model = SelectField(_l("Validering"), coerce=int, validate_choice=True)
    assessor = SelectField(_l("Testledare"), coerce=int, validate_choice=True)
    first_day = DateField(
        _l("Första datum"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )
    start = TimeField(_l("Starttid"), validators=[DataRequired(_l("Ange en tid."))])
    weeks = IntegerField(
        _l("Antal veckor (1 = bara en vecka)"),
        default=1,
        # InputRequired, not DataRequired: 0 is an answer (a wrong one), not an empty field.
        validators=[
            InputRequired(_l("Ange antal veckor.")),
            NumberRange(1, 52, _l("1–52 veckor.")),
        ],
    )
    weekdays = CheckboxListField(
        _l("Veckodagar (tomt = bara första datumet)"),
        coerce=int,
    )
    support_seats = IntegerField(
        _l("Högst antal deltagare med stödbehov (tomt = ingen gräns)"),
        validators=[Optional(), NumberRange(0, 100)],
    )


class MoveSessionForm(FlaskForm):
    # Year 9999 was a 500 in the testledare's travel window (found by the form fuzz).
    day = DateField(
        _l("Nytt datum"), validators=[DataRequired(_l("Ange ett datum.")), within_years]
    )
    start = TimeField(_l("Ny starttid"), validators=[DataRequired(_l("Ange en tid."))])
    assessor = SelectField(_l("Testledare"), coerce=int, validate_choice=True)


class CancelSessionForm(FlaskForm):
    reason = StringField(_l("Anledning (visas för deltagarna)"), validators=[Length(max=300)])


def _id_or_none(value):
    """`coerce` for rendering: the blank "choose" option is None, like no choice."""
    return None if value in ("", None) else int(value)


class MunicipalityField(SelectField):
    """A municipality from the list; a missing, malformed or unknown id is one clear error."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=_id_or_none, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = database_id(valuelist[0].strip())
            except ValueError:
                self.data = 0  # not an id at all, so not one in the list

    def pre_validate(self, form):
        if self.data is None:
            raise StopValidation(_("Välj en kommun."))
        if self.data not in {c.value for c in self.choices if c.value != ""}:
            raise StopValidation(_("Kommunen finns inte. Välj en kommun i listan."))


class MinutesField(IntegerField):
    """Whole minutes: a blank is "missing", anything else not a whole number one message."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            self.data = None
            raise ValueError(_("Ange restiden som ett heltal, i minuter.")) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the message above says it all
        if self.data is None:
            raise StopValidation(_("Ange restiden i minuter."))


class TravelTimeForm(FlaskForm):
    """The travel time between two municipalities, picked in either order."""

    first = MunicipalityField(_l("Kommun"))
    second = MunicipalityField(_l("Andra kommunen"))
    minutes = MinutesField(
        _l("Restid i minuter"),
        validators=[
            InputRequired(_l("Ange restiden i minuter.")),  # and `required` in the HTML
            NumberRange(  # WTForms fills in min and max
                0,
                MAX_TRAVEL_MINUTES,
                _l("Restiden ska vara mellan %(min)s och %(max)s minuter."),
            ),
        ],
    )

    def validate_second(self, field):
        if field.data is not None and field.data == self.first.data:
            raise ValidationError(_l("Välj två olika kommuner."))

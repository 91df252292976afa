from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from app.accounts.orgnr import normalise_orgnr
from app.fields import ascii_email, stripped


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-postadress"),
        validators=[DataRequired(_l("Fyll i din e-postadress.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Lösenord"), validators=[DataRequired(_l("Fyll i ditt lösenord.")), Length(max=200)]
    )


def _email_field(label):
    return EmailField(
        label,
        validators=[
            DataRequired(_l("Fyll i e-postadressen.")),
            Length(max=254, message=_l("Högst 254 tecken.")),
            ascii_email,
            Email(
                message=_l("Skriv en giltig e-postadress, t.ex. namn@foretag.se."),
                check_deliverability=False,
            ),
        ],
    )


class ForgotPasswordForm(FlaskForm):
    email = _email_field(_l("E-postadress"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Nytt lösenord"),
        validators=[
            DataRequired(_l("Välj ett lösenord.")),
            Length(max=200, message=_l("Högst 200 tecken.")),
        ],
    )
    confirm = PasswordField(
        _l("Samma lösenord igen"),
        validators=[EqualTo("password", message=_l("Lösenorden är inte lika."))],
    )

    def validate_password(self, field):
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(field.data or "") < minimum:
            raise ValidationError(_l("Minst %(n)s tecken.", n=minimum))


NAME_PATTERN = r"^[^\x00-\x1f<>]+$"


class EmployeeDetailsForm(FlaskForm):
    """An employee's name and address: registered by a coordinator, or corrected while
    the employee has not yet signed in."""

    name = StringField(
        _l("Namn"),
        validators=[
            DataRequired(_l("Fyll i namnet.")),
            Length(max=120, message=_l("Högst 120 tecken.")),
            Regexp(NAME_PATTERN, message=_l("Namnet innehåller otillåtna tecken.")),
        ],
    )
    email = _email_field(_l("E-postadress"))


class EmployeeForm(EmployeeDetailsForm):
    phone = TelField(
        _l("Telefon (frivilligt)"),
        filters=[stripped],
        validators=[
            Optional(),
            Length(max=40, message=_l("Högst 40 tecken.")),
            Regexp(r"^[0-9 +()-]+$", message=_l("Bara siffror, mellanslag och + ( ) -.")),
        ],
    )


class EmployeeCsvForm(FlaskForm):
    file = FileField(_l("CSV-fil"), validators=[FileRequired(_l("Välj en CSV-fil."))])


class CompanyForm(FlaskForm):
    """A project admin registers a company and, with it, its coordinator."""

    name = StringField(
        _l("Företagets namn"),
        validators=[
            DataRequired(_l("Fyll i företagets namn.")),
            Length(max=120, message=_l("Högst 120 tecken.")),
            Regexp(NAME_PATTERN, message=_l("Namnet innehåller otillåtna tecken.")),
        ],
    )
    org_number = StringField(
        _l("Organisationsnummer"),
        validators=[
            DataRequired(_l("Fyll i organisationsnumret.")),
            Length(max=20, message=_l("Skriv numret som NNNNNN-NNNN.")),
        ],
    )
    municipality = SelectField(
        _l("Kommun"),
        coerce=int,
        # Checked below with a message people understand.
        validate_choice=False,
        validators=[DataRequired(_l("Välj kommun."))],
    )
    industry = SelectField(
        _l("Bransch"),
        choices=[
            SelectChoice("steel", _l("Stål")),
            SelectChoice("metal", _l("Metall")),
            SelectChoice("other", _l("Annan")),
        ],
    )
    coordinator_name = StringField(
        _l("Samordnarens namn"),
        validators=[
            DataRequired(_l("Fyll i samordnarens namn.")),
            Length(max=120, message=_l("Högst 120 tecken.")),
            Regexp(NAME_PATTERN, message=_l("Namnet innehåller otillåtna tecken.")),
        ],
    )
    coordinator_email = _email_field(_l("Samordnarens e-postadress"))

    def validate_municipality(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Välj en kommun i Norrbotten eller Västerbotten ur listan."))

    def validate_org_number(self, field):
        if normalise_orgnr(field.data or "") is None:
            raise ValidationError(
                _l(
                    "Inte ett giltigt organisationsnummer. Skriv det som NNNNNN-NNNN och "
                    "kontrollera siffrorna (den sista är en kontrollsiffra)."
                )
            )


class AuthorisationForm(FlaskForm):
    model = SelectField(_l("Validering"), coerce=int)
    valid_from = DateField(_l("Gäller från"), validators=[DataRequired(_l("Ange ett datum."))])
    valid_to = DateField(
        _l("Gäller till och med"), validators=[DataRequired(_l("Ange ett datum."))]
    )

    def validate_valid_to(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("Sista dagen ligger före första dagen."))


class HomeCenterForm(FlaskForm):
    center = SelectField(_l("Hemmacenter"), coerce=int)


class PlaceField(SelectField):
    """A municipality from the list, or the blank choice (None): "my company's"."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=lambda v: None if v in ("", None) else int(v), **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            value = valuelist[0].strip()
            # Not an id at all, or none a column could hold: 0, in no list.
            self.data = int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else 0

    def pre_validate(self, form):
        if self.data is not None and self.data not in {c.value for c in self.choices}:
            raise StopValidation(_l("Kommunen finns inte. Välj en kommun i listan."))


class PlaceForm(FlaskForm):
    """Where the person travels from to a session (Mitt konto)."""

    municipality = PlaceField(_l("Kommun du reser från"))

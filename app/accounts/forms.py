from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, StringField, TelField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)


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


class EmployeeForm(FlaskForm):
    name = StringField(
        _l("Namn"),
        validators=[
            DataRequired(_l("Fyll i namnet.")),
            Length(max=120, message=_l("Högst 120 tecken.")),
            Regexp(NAME_PATTERN, message=_l("Namnet innehåller otillåtna tecken.")),
        ],
    )
    email = _email_field(_l("E-postadress"))
    phone = TelField(
        _l("Telefon (frivilligt)"),
        validators=[
            Optional(),
            Length(max=40, message=_l("Högst 40 tecken.")),
            Regexp(r"^[0-9 +()-]+$", message=_l("Bara siffror, mellanslag och + ( ) -.")),
        ],
    )


class EmployeeCsvForm(FlaskForm):
    file = FileField(_l("CSV-fil"), validators=[FileRequired(_l("Välj en CSV-fil."))])

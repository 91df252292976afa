from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-postadress"),
        validators=[DataRequired(_l("Fyll i din e-postadress.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Lösenord"), validators=[DataRequired(_l("Fyll i ditt lösenord.")), Length(max=200)]
    )

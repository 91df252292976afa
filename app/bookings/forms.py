import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import DataRequired, Length, Regexp


class BookingForm(FlaskForm):
    """The book button. Its request key makes a resent form find the first booking."""

    request_key = HiddenField(
        validators=[
            DataRequired(_l("Formuläret saknar sin nyckel. Ladda om sidan.")),
            Length(min=16, max=64),
            Regexp(r"^[A-Za-z0-9_-]+$"),
        ]
    )

    @classmethod
    def fresh(cls) -> "BookingForm":
        form = cls(formdata=None)
        form.request_key.data = secrets.token_urlsafe(16)
        return form


class MoveForm(FlaskForm):
    target = RadioField(
        _l("Nytt pass"),
        coerce=int,
        # The service says why a session cannot be chosen; a bare "not a valid choice" would not.
        validate_choice=False,
        validators=[DataRequired(_l("Välj vilket pass du vill flytta till."))],
    )

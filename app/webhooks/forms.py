import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from app.fields import CheckboxListField

EVENT_LABELS = {
    "booking.created": _l("Bokning gjord (plats eller köplats)"),
    "booking.cancelled": _l("Bokning avbokad"),
    "booking.moved": _l("Bokning flyttad till ett annat pass"),
    "booking.promoted": _l("Fått plats från kön"),
    "result.recorded": _l("Resultat registrerat"),
}


class SubscriptionForm(FlaskForm):
    url = StringField(
        _l("Adress som tar emot händelserna (https://…)"),
        validators=[
            DataRequired(_l("Ange webhookens adress.")),
            Length(max=2000, message=_l("Högst 2000 tecken.")),
        ],
    )
    events = CheckboxListField(
        _l("Händelser"),
        choices=[SelectChoice(code, label) for code, label in EVENT_LABELS.items()],
        validators=[DataRequired(_l("Välj minst en händelse."))],
        default=list(EVENT_LABELS),
    )
    # One webhook per form: reloading the page that showed the secret sends it again.
    request_key = HiddenField(
        validators=[
            DataRequired(_l("Formuläret saknar sin nyckel. Ladda om sidan.")),
            Regexp(r"^[A-Za-z0-9_-]{16,64}$"),
        ]
    )

    @classmethod
    def fresh(cls) -> "SubscriptionForm":
        form = cls(formdata=None)
        form.request_key.data = secrets.token_urlsafe(16)
        return form


class ActionForm(FlaskForm):
    """The test and revoke buttons: only the CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.fields import CheckboxListField
from app.once_forms import OnceForm

EVENT_LABELS = {
    "booking.created": _l("Bokning gjord (plats eller köplats)"),
    "booking.cancelled": _l("Bokning avbokad"),
    "booking.moved": _l("Bokning flyttad till ett annat pass"),
    "booking.rescheduled": _l("Passet flyttat till en annan tid av testcentret"),
    "booking.promoted": _l("Fått plats från kön"),
    "result.recorded": _l("Resultat registrerat"),
}


class SubscriptionForm(OnceForm):
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
    # One webhook per form (OnceForm): reloading the page that showed the secret sends
    # it again.


class ActionForm(FlaskForm):
    """The test and revoke buttons: only the CSRF token."""

"""The forms of booking several employees at once (app/bookings/bulk.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import DataRequired

from app.bookings.bulk import MAX_GROUP
from app.fields import SelectField, database_id
from app.once_forms import OnceForm, request_key_field
from app.schedule.forms import model_choice

NO_TEAM = ""


class GroupPickForm(FlaskForm):
    """Whom to book and for what; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    model = SelectField(_l("Validering"), coerce=model_choice, validate_choice=True)
    team = SelectField(_l("Team eller arbetsplats"), default=NO_TEAM, validate_choice=True)
    lacking = BooleanField(_l("Bara de som inte har validerat eller bokat den"), default=True)
    # The page writes the checkboxes itself (one per listed person, with their team).
    employees = SelectMultipleField(_l("Medarbetare"), coerce=database_id)


def parse_plan(text: str) -> list[tuple[int, int]]:
    """ "12:5,15:3" as [(12, 5), (15, 3)]: how many of the group each session takes."""
    parts = []
    for part in text.split(","):
        session_id, _sep, count = part.partition(":")
        parts.append((database_id(session_id), int(count)))
    return parts


def format_plan(offers) -> str:
    """The plan's value for offers (app/bookings/bulk.py Offer): the reverse of parse_plan."""
    return ",".join(f"{offer.session.id}:{offer.count}" for offer in offers)


class GroupConfirmForm(OnceForm):
    """The one confirmation: the people picked (hidden) and the plan chosen."""

    employees = SelectMultipleField(coerce=database_id, validate_choice=False)
    # As the single booking's: a reload of the answer, or two clicks, books nobody twice
    # and reports the first sending's bookings (app.bookings.bulk.book_group).
    # At most 48: each person's booking gets the key and their id (64 in all).
    request_key = request_key_field(max_length=48)
    # Rendered as radio buttons by the page, one per offer; parsed by validate_plan.
    plan = StringField(
        _l("Tillfälle"), validators=[DataRequired(_l("Välj ett tillfälle eller en uppdelning."))]
    )

    def validate_employees(self, field):
        if not field.data:
            raise ValidationError(_l("Välj minst en medarbetare."))
        if len(field.data) > MAX_GROUP:
            raise ValidationError(_l("För många medarbetare åt gången."))

    def validate_plan(self, field):
        try:
            parts = parse_plan(field.data)
        except ValueError:
            raise ValidationError(_l("Välj ett tillfälle eller en uppdelning.")) from None
        if any(count < 1 for _s, count in parts) or len({s for s, _c in parts}) != len(parts):
            raise ValidationError(_l("Välj ett tillfälle eller en uppdelning."))
        if self.employees.data and sum(c for _s, c in parts) != len(self.employees.data):
            raise ValidationError(_l("Uppdelningen passar inte gruppen. Visa tillfällen igen."))
        field.parts = parts

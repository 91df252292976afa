from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField
from wtforms.validators import AnyOf, DataRequired, Length

from app.bookings.models import BookingStatus
from app.fields import TextAreaField, database_id

# The attendance a testledare sends to take a check-in back (until the session ends).
NOT_CHECKED_IN = "not_checked_in"


class AttendanceForm(FlaskForm):
    status = HiddenField(
        validators=[
            DataRequired(),
            AnyOf(
                [BookingStatus.ATTENDED, BookingStatus.NO_SHOW, NOT_CHECKED_IN],
                message=_l("Välj närvarande eller uteblev."),
            ),
        ]
    )


class OutcomeCommentForm(FlaskForm):
    """The free-text part of the outcome form; the per-area fields are read by name."""

    comment = TextAreaField(
        _l("Kommentar till deltagaren"),
        validators=[Length(max=2000, message=_l("Högst 2000 tecken."))],
    )


class CheckInManyForm(FlaskForm):
    """The participants ticked as present; the list renders the checkboxes in its rows."""

    booking = SelectMultipleField(
        coerce=database_id,
        validate_choice=False,  # the service checks that each booking is the session's
        validators=[DataRequired(_l("Markera de deltagare som är här."))],
    )

    def booking_ids(self) -> list[int]:
        return list(self.booking.data)

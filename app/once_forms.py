"""Forms that make something once: a booking, an API key, a webhook.

Each carries a one-time key, so that the same form sent again (a reload of the page
that answered it, a second click) finds what the first sending made instead of making
it twice; the service looks the key up (`request_key` columns, unique per owner).
"""

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length, Regexp


def request_key_field(max_length: int = 64) -> HiddenField:
    return HiddenField(
        validators=[
            DataRequired(_l("Formuläret saknar sin nyckel. Ladda om sidan.")),
            Length(min=16, max=max_length),
            Regexp(r"^[A-Za-z0-9_-]+$"),
        ]
    )


class OnceForm(FlaskForm):
    request_key = request_key_field()

    @classmethod
    def fresh(cls):
        """The form as a page first shows it, with a key of its own."""
        form = cls(formdata=None)
        form.renew_key()
        return form

    def renew_key(self) -> None:
        """A new key for the form shown again: what it is sent with next is a new
        request (the last one was refused, or made what it made)."""
        self.request_key.data = secrets.token_urlsafe(16)

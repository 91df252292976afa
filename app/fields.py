"""Form fields shared by the features' forms."""

import html
from datetime import date

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from wtforms import IntegerField as _IntegerField
from wtforms import SelectField as _SelectField
from wtforms import ValidationError
from wtforms.widgets import Select

# WTForms' own message, in WTForms' own catalogue (hence no literal in gettext here).
NOT_AN_INTEGER = "Not a valid integer value."
# What the databases' integer columns hold (PostgreSQL's integer; ids are no larger).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class IntegerField(_IntegerField):
    """An integer field that refuses numbers no column could store.

    WTForms reads any length of digits; NumberRange then overflows turning a
    309-digit number into a float, and the database drivers overflow on anything past
    their integer. Refused here, it is the usual "not a valid integer" form error.
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not INT_MIN <= self.data <= INT_MAX:
            self.data = None
            raise ValueError(self.gettext(NOT_AN_INTEGER))


def database_id(value) -> int:
    """`coerce` for a choice that names a row: a ValueError (a form error) past 32 bits."""
    number = int(value)
    if not 1 <= number <= INT_MAX:
        raise ValueError(value)
    return number


# The days a form may name: a year such as 9999 has no day after it to count up to.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
OUTSIDE_YEARS = _l("Välj ett datum mellan år 2000 och 2100.")


def within_years(_form, field) -> None:
    """A WTForms validator: the field's day lies between FIRST_DAY and LAST_DAY."""
    if field.data and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(OUTSIDE_YEARS)


class QuickSelect(Select):
    """WTForms' select, with its plain options written directly.

    WTForms builds every option's attributes through html_params; the search page's
    filters hold about 90 options, and that alone was a quarter of rendering the page
    when its cache missed (profiled with cProfile on the bench data). The HTML is the
    same; an option with attributes of its own goes the usual way. A plain string, not
    Markup: the widget joins the options into one Markup, and with the country's 290
    municipalities in two selects, markupsafe's escape and Markup per option were half
    of rendering a national search page (cProfile, bench national data set).
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = choice.label or choice.value
        label = escape(label) if hasattr(label, "__html__") else html.escape(str(label))
        return f'<option {selected}value="{html.escape(str(choice.value))}">{label}</option>'


class SelectField(_SelectField):
    widget = QuickSelect()

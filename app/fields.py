"""Form fields shared by the features' forms."""

import html
import re
import threading
from datetime import date, time
from itertools import groupby

import cachetools
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import IntegerField as _IntegerField
from wtforms import SelectField as _SelectField
from wtforms import SelectMultipleField, ValidationError
from wtforms import TextAreaField as _TextAreaField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, Select, html_params

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

    def pre_validate(self, form):
        # "Not a number" says it all: a range check of the missing number would add
        # "Enter a number from 0 to 1000000" to the same field. A blank field goes on
        # to its validators: Optional() lets it through, InputRequired() says so.
        written = self.raw_data[0] if self.raw_data else ""
        if self.process_errors and isinstance(written, str) and written.strip():
            raise StopValidation()


def database_id(value) -> int:
    """`coerce` for a choice that names a row: a ValueError (a form error) past 32 bits."""
    number = int(value)
    if not 1 <= number <= INT_MAX:
        raise ValueError(value)
    return number


def stripped(value):
    """A WTForms filter: text without the white space around it.

    Optional() lets a field of white space alone through as "empty" but leaves its data
    as it came: 60 no-break spaces in an employee's 40-character phone field reached
    PostgreSQL, which refused them (a 500, found by tests/test_form_fuzz.py), and
    "   " in a closure's list of agreed sessions failed int(). Stripped first, such a
    field is empty for every validator and for what is stored.
    """
    return value.strip() if isinstance(value, str) else value


def one_line_break(text: str) -> str:
    """Text from a textarea with each line break as one character. Browsers send a line
    break as CRLF but count it as one against maxlength: a 500-character note of ten
    lines passed the page and was refused as 510 characters."""
    return text.replace("\r\n", "\n")


class TextAreaField(_TextAreaField):
    """WTForms' text area, its line breaks counted as the browser counts them."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = one_line_break(self.data)


_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def wall_clock(text: str) -> time:
    """A local clock time written TT:MM, as a time input sends it; a ValueError for any
    other form. time.fromisoformat also reads "07:00+05:00", whose offset then failed
    every comparison with the stored hours (a 500), and seconds nobody sees."""
    if not _CLOCK.fullmatch(text):
        raise ValueError(text)
    return time(int(text[:2]), int(text[3:]))


# Mail leaves as 7-bit ASCII (app/mail/compose.py): an address with å, ä or ö could be
# stored, but no invite could be written to it (a 500 when the account was made).
NOT_ASCII_EMAIL = _l("Skriv e-postadressen utan å, ä, ö eller andra tecken utanför a–z.")


def ascii_email(_form, field) -> None:
    """A WTForms validator: an e-mail address mail can be sent to from here."""
    if field.data and not field.data.isascii():
        raise ValidationError(NOT_ASCII_EMAIL)


# The days a form may name: a year such as 9999 has no day after it to count up to.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
OUTSIDE_YEARS = _l("Välj ett datum mellan år 2000 och 2100.")


def within_years(_form, field) -> None:
    """A WTForms validator: the field's day lies between FIRST_DAY and LAST_DAY."""
    if field.data and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(OUTSIDE_YEARS)


def from_first_day(form, field) -> None:
    """A WTForms validator for a form's last_day: not before its first_day (said at
    the last day, on every form of a span of days alike)."""
    if field.data and form.first_day.data and field.data < form.first_day.data:
        raise ValidationError(_l("Sista dagen ligger före första dagen."))


class QuickSelect(Select):
    """WTForms' select, with its plain options written directly, and long lists of them
    written once.

    WTForms builds every option's attributes through html_params; the search page's
    filters hold about 90 options, and that alone was a quarter of rendering the page
    when its cache missed (profiled with cProfile on the bench data). The HTML is the
    same; an option with attributes of its own goes the usual way. A plain string, not
    Markup: the widget joins the options into one Markup, and with the country's 290
    municipalities in two selects, markupsafe's escape and Markup per option were half
    of rendering a national search page (cProfile, bench national data set).

    A list of plain choices (`SelectChoice`s without attributes of their own) is written
    once per worker and kept by its values, labels and groups; a render then only marks
    the chosen option. Nationally the search page's selects hold 627 options, and
    writing them was 3 of a cache miss's 16 ms (bench national data set, PostgreSQL).
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = choice.label or choice.value
        label = escape(label) if hasattr(label, "__html__") else html.escape(str(label))
        return f'<option {selected}value="{html.escape(str(choice.value))}">{label}</option>'

    def __call__(self, field, **kwargs):
        written = None if self.multiple else _written_options(self, field)
        if written is None:
            return super().__call__(field, **kwargs)
        parts, chosen, _size = written
        try:
            marked = chosen.get(field.data, ())
        except TypeError:  # data no choice could equal
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html_parts = [f"<select {html_params(name=field.name, **kwargs)}>", *parts, "</select>"]
        for position, text in marked:
            html_parts[position + 1] = text
        return Markup("".join(html_parts))


# Written option lists by (widget class, coerce, choices): a few per language and form,
# within a budget of characters (the country's municipalities, written both ways with
# their key: about 60,000), so that no mix of pages grows a worker by more than a few MB.
_WRITTEN: cachetools.LRUCache = cachetools.LRUCache(
    maxsize=1_000_000, getsizeof=lambda written: written[2]
)
_WRITTEN_LOCK = threading.Lock()
_WRITE_FROM = 50  # shorter lists are written each time: their key costs as much


def _written_options(widget: QuickSelect, field) -> tuple[list[str], dict, int] | None:
    """The option tags as WTForms would write them with none chosen, per coerced value
    the (position, tag) of each option that value chooses, and their size in characters;
    None for a list that is not long and plain."""
    choices = getattr(field, "choices", None)
    if type(choices) is not list or len(choices) < _WRITE_FROM:
        return None
    plain = (str, int)  # not bool, whose options WTForms writes its own way
    if any(
        type(c) is not SelectChoice
        or c.render_kw
        or type(c.value) not in plain
        or type(c.label) not in plain
        or not (c.optgroup is None or type(c.optgroup) is str)
        for c in choices
    ):
        return None
    key = (type(widget), field.coerce, tuple((c.value, c.label, c.optgroup) for c in choices))
    with _WRITTEN_LOCK:
        written = _WRITTEN.get(key)
    if written is not None:
        return written
    try:
        values = [field.coerce(c.value) for c in choices]
        hash(tuple(values))
    except (TypeError, ValueError):  # a value its coerce refuses: WTForms' own way
        return None
    parts: list[str] = []
    chosen: dict = {}
    numbered = zip(values, choices, strict=True)
    for optgroup, group in groupby(numbered, key=lambda pair: pair[1].optgroup):
        if optgroup is not None:
            parts.append(f"<optgroup {html_params(label=optgroup)}>")
        for value, c in group:
            parts.append(str(widget.render_option(Choice(c.value, c.label, False, None))))
            tag = str(widget.render_option(Choice(c.value, c.label, True, None)))
            chosen.setdefault(value, []).append((len(parts) - 1, tag))
        if optgroup is not None:
            parts.append("</optgroup>")
    size = 3 * sum(map(len, parts))  # the tags, their chosen twins and the key's labels
    written = (parts, chosen, size)
    with _WRITTEN_LOCK:
        _WRITTEN[key] = written
    return written


class SelectField(_SelectField):
    widget = QuickSelect()


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes, each box before its label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __iter__(self):
        for option in super().__iter__():
            # DataRequired means "at least one". WTForms hands the field's validators to
            # each box, and its `required` attribute made the browser demand every box:
            # a webhook could not be saved for fewer than all five events.
            option.flags.__dict__.pop("required", None)
            yield option

"""Long option lists are written once per worker (app/fields.py, QuickSelect): a render
that takes them from there writes what writing them anew would, whatever is chosen."""

from html.parser import HTMLParser

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from app import fields
from app.fields import SelectField


def _optional_int(value):
    return int(value) if value not in ("", None) else None


class _Places(Form):
    place = SelectField("Kommun", coerce=_optional_int)


def _choices(prefix: str = "") -> list[SelectChoice]:
    everything = [SelectChoice("", "Alla")]
    return everything + [
        SelectChoice(n, f'{prefix}Ort {n} & <Söder> "{n}"', optgroup=f"Län {n // 30}")
        for n in range(1, 120)
    ]


def _form(chosen: str | None, choices: list[SelectChoice]) -> _Places:
    form = _Places(MultiDict({"place": chosen}) if chosen is not None else None)
    form.place.choices = choices
    return form


def _written_anew(field) -> str:
    # WTForms' own Select.__call__ with QuickSelect's option writer: the way before.
    return Select.__call__(field.widget, field)


class _Options(HTMLParser):
    """(optgroup, value, label, selected) of each option, as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.found, self.group, self.current = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "optgroup":
            self.group = attrs["label"]
        elif tag == "option":
            self.current = [self.group, attrs["value"], "", "selected" in attrs]
            self.found.append(self.current)

    def handle_endtag(self, tag):
        if tag == "optgroup":
            self.group = None

    def handle_data(self, data):
        if self.current is not None:
            self.current[2] += data


def _read(html: str) -> list:
    parser = _Options()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("chosen", [None, "", "1", "45", "119"])
def test_a_written_list_renders_as_if_written_anew(chosen):
    choices = _choices()
    form = _form(chosen, choices)
    first = form.place()
    assert first == _written_anew(form.place)
    # Again, now from what the first render kept, with another option chosen.
    other = _form("77", _choices())
    assert other.place() == _written_anew(other.place)
    assert form.place() == first
    options = _read(first)
    assert len(options) == 120
    picked = [value for _group, value, _label, selected in options if selected]
    assert picked == [chosen or ""]
    assert options[45][:3] == ["Län 1", "45", 'Ort 45 & <Söder> "45"']
    # The same options, read by a parser, as WTForms' own widget writes them.
    assert options == _read(Select()(form.place))


def test_the_cache_keeps_lists_by_their_content():
    fields._WRITTEN.clear()
    _form("3", _choices()).place()
    _form("4", _choices()).place()  # a new list with the same content
    assert len(fields._WRITTEN) == 1
    renamed = _form("3", _choices(prefix="Nya "))
    assert "Nya Ort 3" in renamed.place()
    assert len(fields._WRITTEN) == 2


def test_lists_with_markup_attributes_or_few_options_are_written_anew():
    fields._WRITTEN.clear()
    marked = _choices()
    marked[5] = SelectChoice(5, Markup("<b>Fet</b>"), optgroup="Län 0")
    form = _form("5", marked)
    assert "<b>Fet</b>" in form.place()
    with_attributes = _choices()
    with_attributes[7] = SelectChoice(7, "Sju", render_kw={"disabled": True})
    form = _form("7", with_attributes)
    assert "disabled" in form.place()
    short = _form("2", _choices()[:10])
    assert short.place() == _written_anew(short.place)
    assert len(fields._WRITTEN) == 0

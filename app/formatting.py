"""Template filters that show UTC instants as Stockholm wall-clock text."""

from datetime import datetime

from babel.dates import format_date
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _

from app.timeutil import to_local


def _clock(moment: datetime) -> str:
    local = to_local(moment)
    # Swedish writes 08.00, English 08:00.
    separator = "." if str(get_locale()).startswith("sv") else ":"
    return f"{local:%H}{separator}{local:%M}"


def long_date(moment: datetime) -> str:
    """'tisdag 3 mars 2026' in Swedish, 'Tuesday 3 March 2026' in English."""
    return format_date(to_local(moment).date(), "EEEE d MMMM y", locale=get_locale())


def time_span(start: datetime, end: datetime) -> str:
    """'tisdag 3 mars 2026, kl. 08.00–12.00': the local day and clock times."""
    return _(
        "%(day)s, kl. %(start)s–%(end)s", day=long_date(start), start=_clock(start), end=_clock(end)
    )


def short_datetime(moment: datetime) -> str:
    local = to_local(moment)
    return f"{format_date(local.date(), 'd MMM y', locale=get_locale())} {_clock(moment)}"


def register_filters(app: Flask) -> None:
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.add_template_filter(long_date)
    app.add_template_filter(time_span)
    app.add_template_filter(short_datetime)
    app.add_template_filter(_clock, "clock")

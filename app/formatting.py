"""Template filters that show UTC instants as Stockholm wall-clock text, the Swedish way.

Day and month names, numbers and their separators come from Babel's CLDR data for
the current locale (the recipient's, inside `force_locale`), never from lists here.
"""

import functools
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date, get_day_names
from babel.numbers import NumberPattern, format_percent, parse_pattern
from flask import Flask
from flask_babel import get_locale
from flask_babel import gettext as _

from app.timeutil import to_local


def _day(moment: date | datetime) -> date:
    return to_local(moment).date() if isinstance(moment, datetime) else moment


def clock(moment: datetime | time) -> str:
    """'08.00' in Swedish (Språkrådet's kl. 08.00), '08:00' in English; a time of day
    (a wall clock typed in a form) as it is."""
    local = moment if isinstance(moment, time) else to_local(moment)
    separator = "." if str(get_locale()).startswith("sv") else ":"
    return f"{local:%H}{separator}{local:%M}"


_clock = clock  # the name other modules imported before it was public


def long_date(moment: date | datetime) -> str:
    """'tisdag 3 mars 2026' in Swedish, 'Tuesday 3 March 2026' in English."""
    return format_date(_day(moment), "EEEE d MMMM y", locale=get_locale())


def day_label(moment: date | datetime) -> str:
    """'måndag 2 mars' / 'Monday 2 March': a day in a week whose year is already shown."""
    return format_date(_day(moment), "EEEE d MMMM", locale=get_locale())


def day_span(first: date, last: date) -> str:
    """A run of days, each part said once: '14–16 december 2027', '28 november – 2 december
    2027', '30 december 2027 – 2 januari 2028'; one day is its long date."""
    if first == last:
        return long_date(first)
    locale = get_locale()
    end = format_date(last, "d MMMM y", locale=locale)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{end}"
    start = format_date(first, "d MMMM" if first.year == last.year else "d MMMM y", locale=locale)
    return f"{start} – {end}"


def time_span(start: datetime, end: datetime) -> str:
    """'tisdag 3 mars 2026, kl. 08.00–12.00': the local day and clock times."""
    return _(
        "%(day)s, kl. %(start)s–%(end)s", day=long_date(start), start=clock(start), end=clock(end)
    )


def short_datetime(moment: datetime) -> str:
    """'25 jan. 2027 kl. 08.00' in Swedish (kl. before a time of day), '25 Jan 2027 08:00'
    in English."""
    day = format_date(to_local(moment).date(), "d MMM y", locale=get_locale())
    before_time = "kl. " if str(get_locale()).startswith("sv") else ""
    return f"{day} {before_time}{clock(moment)}"


def short_date(moment: date | datetime) -> str:
    """'6 nov. 2026' / '6 Nov 2026': a day where space is short, such as a table cell."""
    return format_date(_day(moment), "d MMM y", locale=get_locale())


def weekday_names() -> list[tuple[str, str]]:
    """Monday first, (short, wide): a month table's column headers."""
    short = get_day_names("abbreviated", locale=get_locale())
    wide = get_day_names("wide", locale=get_locale())
    return [(short[i], wide[i]) for i in range(7)]


def week_label(moment: date | datetime | int) -> str:
    """'vecka 10' / 'week 10': the ISO 8601 week, which Swedish calendars number by."""
    week = moment if isinstance(moment, int) else _day(moment).isocalendar()[1]
    return _("vecka %(week)s", week=week)


def number(value: float | int, digits: int = 0) -> str:
    """'1 234,5' in Swedish (space for thousands, comma for decimals), '1,234.5' in English."""
    # What format_decimal does, less its parsing of the pattern each time: nine tenths of
    # its cost, and a dashboard's table of hours formats hundreds of numbers.
    return _number_pattern(digits).apply(value, get_locale())


@functools.cache
def _number_pattern(digits: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


def travel_duration(minutes: int) -> str:
    """A travel time as people say it: '45 min', '2 h', '2 h 15 min'."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(minutes)s min", minutes=rest)
    if not rest:
        return _("%(hours)s h", hours=hours)
    return _("%(hours)s h %(minutes)s min", hours=hours, minutes=rest)


def travel_from(minutes: int, place: str) -> str:
    """'≈ 45 min från Piteå', or 'i Piteå' for a center in the place itself: every page
    that says how far a session is says it alike."""
    if minutes == 0:
        return _("i %(place)s", place=place)
    return _("≈ %(duration)s från %(place)s", duration=travel_duration(minutes), place=place)


def percent(share: float) -> str:
    """'45 %' in Swedish, '45%' in English; a half rounds up, as people count (5 of 8
    is 63 %; Babel alone rounds a half to even, 62 %)."""
    # From the float's shortest text: 7/40 is stored as 0.17499…, read as 0.175.
    whole = Decimal(str(share)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_percent(whole, locale=get_locale())


def model_title(model) -> str:
    """'Svets — nivå BLÅ' for a level of a family, else the model's name."""
    family = getattr(model, "family", None)
    if family is None or not model.level:
        return model.name
    return _("%(family)s — nivå %(level)s", family=family.name, level=model.level)


def ended(session) -> bool:
    """`{% if booking.session is ended %}`: a session is done only once it has ended."""
    from app.db import utcnow

    return session.ends_at <= utcnow()


def first_upper(text: str) -> str:
    """The first letter a capital, the rest as written: Jinja's `capitalize` lowercases
    the rest, and "Monday 7 December" became "Monday 7 december"."""
    return text[:1].upper() + text[1:]


def register_filters(app: Flask) -> None:
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.add_template_filter(long_date)
    app.add_template_filter(first_upper)
    app.add_template_filter(day_label)
    app.add_template_filter(time_span)
    app.add_template_filter(short_datetime)
    app.add_template_filter(short_date)
    app.add_template_filter(week_label)
    app.add_template_filter(number)
    app.add_template_filter(percent)
    app.add_template_filter(clock)
    app.add_template_filter(model_title)
    app.add_template_filter(travel_duration)
    app.add_template_global(travel_from)
    app.add_template_test(ended)

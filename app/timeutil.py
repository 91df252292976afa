"""Europe/Stockholm at the edges, UTC inside."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def local_date(moment: datetime) -> date:
    return to_local(moment).date()


def local_to_utc(day: date, clock: time) -> datetime:
    """Turn a Stockholm wall-clock time on a day into UTC, daylight saving included."""
    return datetime.combine(day, clock, tzinfo=STOCKHOLM).astimezone(UTC)


def clock_exists_once(day: date, clock: time) -> bool:
    """Whether the wall-clock time occurs exactly once that day: not in the hour skipped
    when summer time starts, nor in the hour repeated when it ends."""
    earlier = datetime.combine(day, clock.replace(fold=0), tzinfo=STOCKHOLM)
    # PEP 495: the two readings of a skipped or a repeated wall time differ in offset.
    return earlier.utcoffset() == earlier.replace(fold=1).utcoffset()


def day_start(day: date) -> datetime:
    """The UTC instant at which Stockholm's day begins."""
    return local_to_utc(day, time(0))

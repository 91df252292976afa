"""Where a session sits on the week grid's time axis, in quarter-hour rows.

The page's policy allows no inline styles, so each card gets two classes,
q-from-<row> and q-span-<rows>, that app/static/week-times.css turns into grid rows.
"""

from dataclasses import dataclass
from math import ceil

from app.timeutil import to_local

QUARTER = 15  # minutes in a row
DAY_HOURS = (8, 17)  # the axis shows at least a working day
ROWS = 24 * 60 // QUARTER


@dataclass(frozen=True)
class Axis:
    first_hour: int
    last_hour: int

    @property
    def hours(self) -> range:
        return range(self.first_hour, self.last_hour)

    def rows(self, session) -> tuple[int, int]:
        """The session's first row (from 0 at first_hour) and how many rows it spans."""
        start = _minutes(session.starts_at)
        end = _end_minutes(session)
        first = (start - self.first_hour * 60) // QUARTER
        return first, max(1, ceil((end - start) / QUARTER))


def _minutes(moment) -> int:
    local = to_local(moment)
    return local.hour * 60 + local.minute


def _end_minutes(session) -> int:
    """Minutes from the start day's midnight; a session past midnight ends the day."""
    end = _minutes(session.ends_at)
    same_day = to_local(session.ends_at).date() == to_local(session.starts_at).date()
    return end if same_day else 24 * 60


def axis_for(sessions) -> Axis:
    """From the earliest start to the latest end of the week, a working day at least."""
    first, last = DAY_HOURS
    for session in sessions:
        first = min(first, _minutes(session.starts_at) // 60)
        last = max(last, ceil(_end_minutes(session) / 60))
    return Axis(first, last)

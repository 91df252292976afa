"""Leases on queued rows, so that of several workers exactly one works on a row at a time.

A worker round makes a `Claims` with a random owner token and takes one row at a
time, right before working on it, with a conditional UPDATE that only matches a row
nobody holds (or whose holder's lease ran out: that worker died). Whatever it
records afterwards is again a conditional UPDATE on its own token, so a worker that
lost its claim changes nothing another worker has started.

Any table with `id`, `claimed_by` (String(32)) and `claimed_until` (UTCDateTime)
columns can be claimed this way: the mail outbox does, webhook deliveries may.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app.db import unit_of_work
from app.extensions import db

log = logging.getLogger(__name__)


def new_owner() -> str:
    return secrets.token_hex(16)


def due_ids(model, now: datetime, limit: int, *open_conditions) -> list[int]:
    """The oldest rows that are due (`next_attempt_at`), open and held by nobody now:
    candidates only, each still to be taken with `Claims.take`."""
    return list(
        db.session.scalars(
            select(model.id)
            .where(
                *open_conditions,
                model.next_attempt_at <= now,
                or_(model.claimed_until.is_(None), model.claimed_until < now),
            )
            .order_by(model.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Claims:
    """One worker round's claims on the rows of `model`, each held `seconds` at a time."""

    model: type
    seconds: float
    owner: str = field(default_factory=new_owner)

    def _lease(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.seconds)

    def take(self, row_id, now: datetime, *conditions) -> bool:
        """Claim the row if nobody holds it now and it meets `conditions` (still due)."""
        model = self.model
        return self._update(
            row_id,
            (
                *conditions,
                or_(model.claimed_until.is_(None), model.claimed_until < now),
            ),
            claimed_by=self.owner,
            claimed_until=self._lease(now),
        )

    def renew(self, row_id, now: datetime, **values) -> bool:
        """Hold the row another lease from `now` (storing `values` with it), if it is
        still ours and the lease has not run out: False means do not go on with it."""
        model = self.model
        return self._update(
            row_id,
            (model.claimed_by == self.owner, model.claimed_until >= now),
            claimed_until=self._lease(now),
            **values,
        )

    def release(self, row_id, **values) -> bool:
        """Record the outcome (`values`) and let go, if the claim is still ours.

        A run-out lease that nobody took since still counts as ours: what we did
        with the row is then the last word on it.
        """
        done = self._update(
            row_id,
            (self.model.claimed_by == self.owner,),
            claimed_by=None,
            claimed_until=None,
            **values,
        )
        if not done:
            log.warning(
                "%s %s: another worker took it over before this one finished (%s)",
                self.model.__tablename__,
                row_id,
                ", ".join(sorted(values)) or "release",
            )
        return done

    def _update(self, row_id, conditions: tuple, **values) -> bool:
        with unit_of_work():
            result = db.session.execute(
                update(self.model)
                .where(self.model.id == row_id, *conditions)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

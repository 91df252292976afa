"""Idempotency-Key on the API's writes (draft-ietf-httpapi-idempotency-key-header).

A client that sends a write with a key may send it again after a timeout and get the
first answer back, marked `Idempotent-Replayed: true`, without the write happening
twice. The key is remembered with a fingerprint of the request it named: the same key
with another method, path or body is refused (422 idempotency_key_mismatch), and the
same key while its first request is still being answered gets 409
(idempotency_key_in_use). Only successful answers are kept; a refused request
changed nothing, so sending it again simply tries again. Keys are kept for 24 hours.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, g, make_response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.api.models import IdempotencyRecord, IdempotencyState
from app.db import unit_of_work, utcnow
from app.errors import DomainError, InvalidInput
from app.extensions import db

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEPT_FOR = timedelta(hours=24)
# A request that held its key this long without answering is taken to have died (its
# transaction rolled back), and a retry may take the key over.
LEASE = timedelta(seconds=60)
# Headers that belong to an answer and are given again with it.
REPLAYED_HEADERS = ("Location", "Content-Location")
_records = IdempotencyRecord.__table__


class IdempotencyKeyMismatch(DomainError):
    status_code = 422
    code = "idempotency_key_mismatch"


class IdempotencyKeyInUse(DomainError):
    code = "idempotency_key_in_use"
    default_message = _l(
        "En begäran med samma Idempotency-Key pågår redan. "
        "Vänta en stund och skicka samma begäran igen."
    )
    headers = {"Retry-After": "1"}


def request_key() -> str | None:
    """The request's Idempotency-Key, if it has one; 400 for one that is not a key."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    # Visible characters only: a space inside is no part of a key (RFC 9110's token).
    if not 1 <= len(key) <= 64 or not key.isascii() or not key.isprintable() or " " in key:
        raise InvalidInput(_("Idempotency-Key ska vara 1–64 synliga ASCII-tecken."))
    return key


def fingerprint() -> str:
    """SHA-256 of the method, the path and the body as canonical JSON.

    Canonical, so that a retry whose JSON library orders or spaces the keys otherwise
    is still the same request; a body that is not JSON counts byte for byte.
    """
    data = request.get_data(cache=True)
    try:
        body = json.dumps(
            json.loads(data or b"{}"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    except (ValueError, RecursionError):
        body = data.hex()
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    """The key is ours until we store the answer or let it go."""

    record_id: int
    token: str


@dataclass(frozen=True)
class Stored:
    """The answer the key's first request got."""

    status: int
    body: str
    headers: dict

    def replay(self):
        response = current_app.response_class(
            self.body, status=self.status, mimetype="application/json"
        )
        response.headers.update(self.headers)
        response.headers[REPLAYED] = "true"
        return response


def _insert_if_new():
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    return (
        insert(_records)
        .on_conflict_do_nothing(index_elements=["person_id", "key"])
        .returning(_records.c.id)
    )


def claim(person_id: int, key: str, digest: str, now: datetime) -> Claim | Stored:
    """Take the key for this request, or say what became of the request it named."""
    token = secrets.token_hex(16)
    for _attempt in range(3):
        with unit_of_work():
            # Expired keys go first: they may be used again, and their answers (which
            # can name an employee's support needs) are kept no longer than promised.
            db.session.execute(delete(_records).where(_records.c.expires_at <= now))
            new_id = db.session.execute(
                _insert_if_new(),
                {
                    "person_id": person_id,
                    "key": key,
                    "fingerprint": digest,
                    "state": "in_flight",
                    "claim": token,
                    "claimed_at": now,
                    "expires_at": now + KEPT_FOR,
                },
            ).scalar()
            if new_id is not None:
                return Claim(new_id, token)
            record = db.session.scalar(
                select(IdempotencyRecord)
                .where(IdempotencyRecord.person_id == person_id, IdempotencyRecord.key == key)
                .with_for_update()
            )
            if record is None:  # expired and removed by another request just now
                continue
            if record.fingerprint != digest:
                raise IdempotencyKeyMismatch(
                    _(
                        "Idempotency-Key %(key)s användes redan för en annan begäran. "
                        "Använd en ny nyckel för varje ny begäran.",
                        key=key,
                    )
                )
            if record.state == IdempotencyState.DONE:
                return Stored(
                    record.response_status,
                    record.response_body,
                    json.loads(record.response_headers or "{}"),
                )
            if record.claimed_at > now - LEASE:
                raise IdempotencyKeyInUse()
            record.claim = token
            record.claimed_at = now
            return Claim(record.id, token)
    raise IdempotencyKeyInUse()


def store(held: Claim, response) -> None:
    """Keep the answer with the key; call inside the unit of work that made the change."""
    stored = db.session.execute(
        update(_records)
        .where(
            _records.c.id == held.record_id,
            _records.c.claim == held.token,
            _records.c.state == IdempotencyState.IN_FLIGHT,
        )
        .values(
            state="done",
            response_status=response.status_code,
            response_body=response.get_data(as_text=True),
            response_headers=json.dumps(
                {
                    name: response.headers[name]
                    for name in REPLAYED_HEADERS
                    if name in response.headers
                }
            ),
        )
    )
    if stored.rowcount != 1:
        # A retry took the key over, believing this request dead: let its answer stand.
        raise IdempotencyKeyInUse()


def release(held: Claim) -> None:
    """Let the key go after a request that changed nothing."""
    with unit_of_work():
        db.session.execute(
            delete(_records).where(
                _records.c.id == held.record_id,
                _records.c.claim == held.token,
                _records.c.state == IdempotencyState.IN_FLIGHT,
            )
        )


def idempotent(view):
    """Honour an Idempotency-Key on a write; use below token_required."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request_key()
        if key is None:
            return view(*args, **kwargs)
        outcome = claim(g.api_user.id, key, fingerprint(), utcnow())
        if isinstance(outcome, Stored):
            return outcome.replay()
        try:
            # The change and the answer kept for retries commit together, or neither.
            with unit_of_work():
                response = make_response(view(*args, **kwargs))
                store(outcome, response)
        except BaseException:
            release(outcome)
            raise
        return response

    return wrapped

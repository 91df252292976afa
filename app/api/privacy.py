"""API tokens and stored API answers in the GDPR export and erasure (see
app.accounts.privacy)."""

from sqlalchemy import delete, select

from app.accounts.models import Person
from app.accounts.privacy import CODE, GENERATED, Part, iso
from app.api.models import ApiToken
from app.extensions import db


def _export(person: Person) -> dict:
    return {
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": iso(t.created_at),
                "revoked_at": iso(t.revoked_at),
            }
            for t in db.session.scalars(
                select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.id)
            )
        ],
    }


def _erase(person: Person) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.person_id == person.id))


PART = Part(
    "api",
    export=_export,
    erase=_erase,
    free_text=(
        "api_token.name",
        # An API answer kept for a retry with the same Idempotency-Key: it may name people.
        "api_idempotency_record.response_body",
    ),
    no_personal_text={
        "api_token.token_hash": GENERATED,
        "api_token.prefix": GENERATED,
        "api_token.request_key": GENERATED,
        "api_idempotency_record.key": "chosen by the client's program for a retry",
        "api_idempotency_record.fingerprint": GENERATED,
        "api_idempotency_record.claim": GENERATED,
        "api_idempotency_record.state": CODE,
        "api_idempotency_record.response_headers": "the answer's Location headers: paths",
    },
)

"""Standard Webhooks (standardwebhooks.com): secrets, message ids and signatures.

A receiver verifies a request with any Standard Webhooks library and the secret:
the signature is HMAC-SHA256, keyed with the secret's base64-decoded bytes, over
"{webhook-id}.{webhook-timestamp}.{body}", sent base64-encoded as "v1,<signature>".
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec asks for 24 to 64


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    """The three headers that let the receiver check who sent the body, and when."""
    timestamp = int(sent_at.timestamp())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
    }

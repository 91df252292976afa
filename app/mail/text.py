"""The text of a stored mail: rewritten without parsing it by hand.

Used to mask the secret part of links (password, invitation and feed links) wherever
staff read the outbox, and to replace an erased person's name in mail kept for others.
"""

import re
from collections.abc import Callable
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import compat32
from urllib.parse import urlsplit, urlunsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from app.mail.compose import MAIL_POLICY

MASK = "••••••"
_URL = re.compile(r"\b(?:https?|webcal)://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
# Route variables and query keys by these names carry a secret (a signed token, say).
_SECRET_NAME = re.compile(r"token|secret|key|signature|sig$|code|auth", re.IGNORECASE)
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_\-.~=%]+$")


def _looks_random(text: str, length: int) -> bool:
    """Long and made of letters and digits mixed: a token, never a word of a path."""
    return (
        len(text) >= length
        and bool(_TOKEN_CHARS.match(text))
        and any(c.isdigit() for c in text)
        and any(c.isalpha() for c in text)
    )


def _route_secrets(path: str) -> list[str]:
    """The values of this site's route variables that hold a secret, e.g. <token>."""
    try:
        adapter = current_app.url_map.bind("localhost")
        _endpoint, values = adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect, RuntimeError):
        return []
    return [str(v) for k, v in values.items() if _SECRET_NAME.search(k) and str(v)]


_QUERY_PAIR = re.compile(r"([^&;=]+)=([^&;]*)")


def _mask_pair(match: re.Match) -> str:
    key, value = match.group(1), match.group(2)
    if _SECRET_NAME.search(key) or _looks_random(value, 16):
        return f"{key}={MASK}"
    return match.group(0)


def mask_link(url: str) -> str:
    """The link with every secret in its path, query and fragment replaced by dots."""
    parts = urlsplit(url)
    secrets = _route_secrets(parts.path) if parts.path.startswith("/") else []
    segments = []
    for segment in parts.path.split("/"):
        for secret in secrets:
            segment = segment.replace(secret, MASK)
        stem, dot, extension = segment.rpartition(".")
        if _looks_random(segment, 20):
            segment = MASK
        elif dot and _looks_random(stem, 20):
            segment = f"{MASK}.{extension}"
        segments.append(segment)
    query = _QUERY_PAIR.sub(_mask_pair, parts.query)
    fragment = MASK if _looks_random(parts.fragment, 16) else parts.fragment
    return urlunsplit((parts.scheme, parts.netloc, "/".join(segments), query, fragment))


def mask_links(text: str | None) -> str:
    """The text with the secret of every link in it masked (see `mask_link`)."""
    if not text:
        return text or ""
    return _URL.sub(lambda match: mask_link(match.group(0)), text)


def _unfold(text: str) -> str:
    # iCalendar folds long lines (RFC 5545 3.1): a link or a name may be split.
    return re.sub(r"\r?\n[ \t]", "", text)


def _fold(text: str) -> str:
    """Fold iCalendar lines to 75 octets again, never inside a UTF-8 character."""
    lines = []
    for line in text.splitlines():
        chunk, size = "", 0
        for char in line:
            width = len(char.encode())
            if size + width > 75:
                lines.append(chunk)
                chunk, size = " ", 1
            chunk += char
            size += width
        lines.append(chunk)
    return "\r\n".join(lines) + "\r\n"


def _is_calendar(part) -> bool:
    return part.get_content_type() in ("text/calendar", "application/ics")


def rewrite_text(raw: bytes, change: Callable[[str], str]) -> bytes | None:
    """The message with `change` applied to its subject and each text part (and its
    calendar attachment); None if nothing changed."""
    message = message_from_bytes(raw, policy=MAIL_POLICY)
    changed = False
    subject = message["Subject"]
    if subject is not None and change(str(subject)) != str(subject):
        message.replace_header("Subject", change(str(subject)))
        changed = True
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() != "text" and not _is_calendar(part):
            continue
        content = part.get_content()
        is_bytes = isinstance(content, bytes)
        if is_bytes:
            try:
                content = content.decode("utf-8")
            except UnicodeDecodeError:
                continue
        text = _unfold(content) if _is_calendar(part) else content
        new = change(text)
        if new == text:
            continue
        if _is_calendar(part):
            new = _fold(new)
        changed = True
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if is_bytes:
            part.set_content(
                new.encode("utf-8"),
                maintype=part.get_content_maintype(),
                subtype=part.get_content_subtype(),
                disposition=disposition,
                filename=filename,
            )
        else:
            params = {k: v for k, v in part["Content-Type"].params.items() if k != "charset"}
            part.set_content(
                new,
                subtype=part.get_content_subtype(),
                params=params,
                disposition=disposition,
                filename=filename,
            )
    return message.as_bytes(policy=MAIL_POLICY) if changed else None


def readable_text(raw: bytes) -> str:
    """The subject and every text part, decoded: quick, to search many messages.

    The legacy parser is an order of magnitude faster than the modern one that
    `rewrite_text` needs; this only reads.
    """
    message = message_from_bytes(raw, policy=compat32)
    texts = [str(make_header(decode_header(message.get("Subject", ""))))]
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_maintype() != "text" and not _is_calendar(part):
            continue
        body = part.get_payload(decode=True) or b""
        try:
            texts.append(_unfold(body.decode(part.get_content_charset() or "utf-8", "replace")))
        except LookupError:  # a charset Python does not know
            texts.append(body.decode("utf-8", "replace"))
    return "\n".join(texts)


def masked_message(raw: bytes) -> bytes:
    """The message as staff may read it: every secret link masked."""
    return rewrite_text(raw, mask_links) or raw

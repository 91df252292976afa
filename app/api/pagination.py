"""Cursor pagination for every list of the API.

A page ends with the sort key of its last item; the next page starts after it. The
key travels in `next` as an opaque cursor, signed so that a cursor someone wrote or
changed is refused (422 invalid_cursor) rather than read as some other place in the
list. Keyset rather than offset: a booking made while a client pages does not shift
what it has left to read, and a page past the end is empty.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import DateTime, Select, and_, or_

from app.errors import DomainError
from app.extensions import db


class InvalidCursor(DomainError):
    status_code = 422
    code = "invalid_cursor"


@dataclass(frozen=True)
class Order:
    """A list's order: columns, each ascending or descending, the last one unique."""

    kind: str  # which list and order the cursor belongs to
    columns: Sequence
    descending: Sequence[bool]
    values: Callable[[object], tuple]  # an item's values of the columns

    def key_of(self, item) -> list:
        """The sort key of an item, as the cursor carries it."""
        return [v.isoformat() if isinstance(v, datetime) else v for v in self.values(item)]

    def after(self, key: list):
        """The condition "comes after `key`" in this order."""
        condition = None
        for column, descending, value in reversed(
            list(zip(self.columns, self.descending, key, strict=True))
        ):
            beyond = column < value if descending else column > value
            condition = (
                beyond if condition is None else or_(beyond, and_(column == value, condition))
            )
        return condition


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="api-list-cursor")


def encode_cursor(order: Order, key: list) -> str:
    return _serializer().dumps([order.kind, key])


def decode_cursor(order: Order, cursor: str) -> list:
    """The sort key a cursor carries; 422 for one this list did not hand out."""
    try:
        kind, key = _serializer().loads(cursor)
    except (BadSignature, ValueError, TypeError):
        raise InvalidCursor(_("Ogiltig cursor: använd den som kom i länken next.")) from None
    if kind != order.kind or not isinstance(key, list) or len(key) != len(order.columns):
        raise InvalidCursor(_("Cursorn hör till en annan lista."))
    values = []
    for column, value in zip(order.columns, key, strict=True):
        if isinstance(getattr(column.type, "impl", column.type), DateTime):
            value = datetime.fromisoformat(value)
        values.append(value)
    return values


@dataclass(frozen=True)
class Page:
    items: list
    has_more: bool
    next: str | None


def keyset_page(
    query: Select, order: Order, cursor: str | None, limit: int, skip_pages: int = 0
) -> Page:
    """One page of `query` in `order`, after `cursor`: its entities, or its rows if it
    selects more than one thing.

    `skip_pages` is for clients of the old page numbers: that many pages are passed
    over after the cursor's place.
    """
    if cursor is not None:
        query = query.where(order.after(decode_cursor(order, cursor)))
    ordering = [
        c.desc() if d else c.asc() for c, d in zip(order.columns, order.descending, strict=True)
    ]
    query = query.order_by(None).order_by(*ordering).limit(limit + 1)
    if skip_pages:
        query = query.offset(skip_pages * limit)
    rows = [row[0] if len(row) == 1 else row for row in db.session.execute(query)]
    has_more = len(rows) > limit
    rows = rows[:limit]
    link = next_link(encode_cursor(order, order.key_of(rows[-1]))) if has_more else None
    return Page(items=rows, has_more=has_more, next=link)


def next_link(cursor: str) -> str:
    """This request's URL with the next page's cursor, and no page number any more."""
    args = {k: v for k, v in request.args.items() if k not in ("cursor", "page")}
    return url_for(
        request.endpoint, **(request.view_args or {}), **args, cursor=cursor, _external=True
    )

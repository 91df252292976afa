"""Answer a calendar program's "has my feed changed?" before Flask does any work.

Subscribed calendars poll their feed every hour or so, and almost every poll is a
conditional GET whose answer is 304. This WSGI middleware answers those from one
indexed statement (the token, its owner's language and their calendar's latest
change) with the same ETag the feed view gives (feeds.personal_feed_validator).
Anything else (no If-None-Match, a changed feed, an unknown token, another path) goes
on to Flask unchanged, so the view stays the one place that builds feeds and says
"not found".
"""

import re

from flask import Flask
from sqlalchemy import bindparam, func, select
from werkzeug.http import http_date, parse_etags

from app.accounts.models import Person
from app.accounts.security import security_headers
from app.calendar.feeds import Validator, personal_feed_validator
from app.calendar.models import CalendarEntry, FeedToken
from app.db import UTCDateTime
from app.extensions import db

FEED_PATH = re.compile(r"/calendar/feed/([A-Za-z0-9_-]{1,64})\.ics")


def _statement():
    latest = (
        select(func.max(CalendarEntry.updated_at))
        .where(CalendarEntry.person_id == Person.id)
        .scalar_subquery()
    )
    return (
        select(Person.id, Person.locale, latest)
        .join(FeedToken, FeedToken.person_id == Person.id)
        .where(FeedToken.token == bindparam("token"), Person.active.is_(True))
    )


class FeedRevalidation:
    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._query = None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            client_has = environ.get("HTTP_IF_NONE_MATCH")
            match = client_has and FEED_PATH.fullmatch(environ.get("PATH_INFO", ""))
            validator = match and self._validator(match[1])
            if validator and parse_etags(client_has).contains(validator.etag):
                start_response("304 Not Modified", self._headers(validator, environ))
                return [b""]
        return self.wsgi_app(environ, start_response)

    def _validator(self, token: str) -> Validator | None:
        engine, sql, params, read_time = self._query or self._prepare()
        # The driver's own cursor on a pooled connection: the ORM and Core machinery
        # would cost more than the lookup itself. No transaction is opened for it.
        connection = engine.raw_connection()
        driver = connection.dbapi_connection
        # psycopg would open a transaction for the SELECT and the pool would roll it back
        # on return: two round trips. In autocommit the lookup is one. (SQLite's
        # connections are in autocommit already: app/db.py.)
        switch = getattr(driver, "autocommit", True) is False
        try:
            if switch:
                driver.autocommit = True
            cursor = connection.cursor()
            cursor.execute(sql, params(token))
            row = cursor.fetchone()
            cursor.close()
        finally:
            if switch:
                driver.autocommit = False
            connection.close()
        if row is None:
            return None
        person_id, locale, changed = row
        config = self.app.config
        if locale not in config["LANGUAGES"]:
            locale = config["BABEL_DEFAULT_LOCALE"]
        return personal_feed_validator(person_id, token, locale, read_time(changed), config=config)

    def _prepare(self):
        """The statement in the driver's own terms, and how to read its timestamp."""
        with self.app.app_context():
            engine = db.engine
        compiled = _statement().compile(dialect=engine.dialect)
        if compiled.positiontup:  # qmark (SQLite): one "?" for the token

            def params(token):
                return (token,)
        else:  # named (psycopg)

            def params(token):
                return {"token": token}

        # Exactly what the ORM's UTCDateTime gives, so both paths make the same ETag.
        processor = (
            UTCDateTime().dialect_impl(engine.dialect).result_processor(engine.dialect, None)
        )

        def read_time(value):
            return processor(value) if processor else value

        self._query = (engine, compiled.string, params, read_time)
        return self._query

    def _headers(self, validator: Validator, environ) -> list[tuple[str, str]]:
        # What the view and the security headers would send with a 304.
        headers = [
            ("ETag", f'"{validator.etag}"'),
            ("Cache-Control", "private, no-cache"),
            ("X-Robots-Tag", "noindex"),
            *security_headers(environ.get("wsgi.url_scheme") == "https"),
        ]
        if validator.last_modified:
            headers.append(("Last-Modified", http_date(validator.last_modified)))
        return headers

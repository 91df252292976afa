"""Count the SQL statements each request runs, to catch N+1 queries early.

With `app.debug` or `LOG_QUERY_COUNT` on, every request logs a line such as
``GET /bookings: 7 queries, 12.3 ms`` (logger ``app.querycount``) and answers with
an ``X-Query-Count`` header. Tests use `count_queries` to put a bound on a page.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class QueryCounter:
    """How many statements ran while the counter was active, and which."""

    count: int = 0
    statements: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.count} queries:\n" + "\n".join(self.statements)


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryCounter]:
    """Count every statement the engine runs inside the block (for tests)."""
    counter = QueryCounter()

    def _count(_conn, _cursor, statement, _params, _context, _executemany):
        counter.count += 1
        counter.statements.append(" ".join(statement.split())[:200])

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def init_app(app: Flask) -> None:
    """Log the number of queries per request in development (or with LOG_QUERY_COUNT)."""
    if not (app.debug or app.config.get("LOG_QUERY_COUNT")):
        return
    from app.extensions import db

    log = app.logger.getChild("querycount")  # app.logger brings Flask's default handler
    log.setLevel(logging.INFO)
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        if has_request_context() and "query_count" in g:
            g.query_count += 1

    @app.before_request
    def _start():
        g.query_count = 0
        g.query_started = time.perf_counter()

    @app.after_request
    def _report(response):
        if "query_count" in g:
            took = (time.perf_counter() - g.query_started) * 1000
            log.info(
                "%s %s: %d queries, %.1f ms", request.method, request.path, g.query_count, took
            )
            response.headers["X-Query-Count"] = str(g.query_count)
        return response

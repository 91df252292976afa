"""Retry-After from the rate limiter on its refusals only.

With RATELIMIT_HEADERS_ENABLED, Flask-Limiter puts Retry-After on every answer it
counts, a 200 or a 201 included, telling a client to wait although nothing was
refused; and it raises a view's own Retry-After (1 second on a 409 while an
Idempotency-Key is in use) to the end of the limit's window. It is told to write its
value under a header of ours (RATELIMIT_HEADER_RETRY_AFTER), which this moves to
Retry-After on a 429 and drops from every other answer. X-RateLimit-* stay.
"""

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Call before the limiter's init_app: Flask runs after_request hooks last-registered
    first, and this one must see the limiter's headers."""
    ours = app.config["RATELIMIT_HEADER_RETRY_AFTER"]

    @app.after_request
    def retry_after_on_refusals_only(response: Response) -> Response:
        value = response.headers.pop(ours, None)
        if value is not None and response.status_code == 429:
            response.headers["Retry-After"] = value
        return response

"""How large a request body may be, per kind of request, refused with 413 before it is read.

Without a limit Werkzeug reads whatever a client sends: a 60 MB multipart POST to
/login was spooled in full before the form was found wrong. Each request now gets the
limit of its kind (Flask's `request.max_content_length`, decided from the matched
endpoint): ordinary forms `MAX_CONTENT_LENGTH`, JSON API bodies
`API_MAX_CONTENT_LENGTH`, file uploads (the endpoints in `UPLOAD_ENDPOINTS`)
`UPLOAD_MAX_CONTENT_LENGTH`. A declared Content-Length over the limit is refused
before any byte of the body is read; a chunked body without one is read up to the
limit and no further, and answered 413 if more was coming.
"""

from flask import Flask, Request, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream


def body_limit(endpoint: str | None) -> int | None:
    """The largest body, in bytes, that the endpoint accepts."""
    config = current_app.config
    if endpoint in config["UPLOAD_ENDPOINTS"]:
        return config["UPLOAD_MAX_CONTENT_LENGTH"]
    if endpoint is not None and endpoint.startswith("api."):
        return config["API_MAX_CONTENT_LENGTH"]
    return config["MAX_CONTENT_LENGTH"]


class _BodyUpToLimit(LimitedStream):
    """A chunked body read up to the limit, refusing it if it goes on.

    Werkzeug's LimitedStream, read to the end, stops quietly at a maximum and hands
    on a body cut short (a form without its last fields, JSON that does not parse),
    so the answer would be a misleading 400.
    """

    def __init__(self, source, limit: int):
        super().__init__(source, limit, is_max=True)
        self._source = source

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._source.read(1):
            raise RequestEntityTooLarge()
        return data


class SizedRequest(Request):
    """A request whose body limit follows its endpoint, whoever reads the body first.

    A property rather than a before_request hook: the rate limiter and the CSRF check
    read the form in their own hooks, and this way their order does not matter.
    """

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:  # a view may still set its own
            return self._max_content_length
        if not current_app:
            return None
        return body_limit(self.url_rule.endpoint if self.url_rule else None)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @cached_property
    def stream(self):
        limit = self.max_content_length
        terminated = "wsgi.input_terminated" in self.environ  # e.g. a chunked body
        if limit is not None and terminated and self.content_length is None and not self.shallow:
            return _BodyUpToLimit(self.environ["wsgi.input"], limit)
        return super().stream


def init_app(app: Flask) -> None:
    app.request_class = SizedRequest

    def refuse_declared_oversize():
        """Answer 413 for a declared length over the limit, even where nothing reads the body."""
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    # First of all hooks, so that nothing else runs for a request refused anyway.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_declared_oversize)

"""Run work once the answer has been sent, for answers whose speed must not tell anything.

The server calls a response's close() after it wrote the last byte, so work hooked
there does not change how long the client waits. The work runs in a fresh app
context (the request's is gone by then), in the request's language, and one unit of
work of its own; an error is logged, since there is nobody left to answer.
"""

from collections.abc import Callable

from flask import after_this_request, current_app
from flask_babel import force_locale, get_locale


def after_response(job: Callable, *args) -> None:
    """Call `job(*args)` after this request's response has gone out."""
    app = current_app._get_current_object()
    locale = str(get_locale())

    def run() -> None:
        with app.app_context(), force_locale(locale):
            try:
                job(*args)
            except Exception:
                app.logger.exception("work after the response failed: %s", job.__qualname__)

    @after_this_request
    def run_on_close(response):
        response.call_on_close(run)
        return response

"""Which language a request is answered in: Swedish unless English was chosen."""

from flask import current_app, has_request_context, session


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # CLI and services called from tests
        return default
    chosen = session.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else default

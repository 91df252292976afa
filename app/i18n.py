"""Which language a request is answered in: Swedish unless English was chosen."""

from flask import current_app, request, session


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"] if request else "sv"

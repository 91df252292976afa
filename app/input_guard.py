"""Refuse, with a clear message, text that no database column can store.

PostgreSQL rejects a NUL character in text, and the error would surface as a 500 at
whatever write or lookup first met it. No real name, reason or comment contains one,
so every request carrying one in its query, form or JSON is answered 400 at once.
"""

from flask import Flask, request
from flask_babel import gettext as _

from app.errors import InvalidInput

NUL = "\x00"


def _carries_nul() -> bool:
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if NUL in key or NUL in value:
                return True
    if request.is_json:
        body = request.get_data(as_text=True)
        return NUL in body or "\\u0000" in body
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        if _carries_nul():
            raise InvalidInput(_("Texten innehåller ett otillåtet tecken (NUL)."))

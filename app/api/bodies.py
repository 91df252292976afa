"""Reading and writing the API's JSON bodies, shared by every API view module."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from app.errors import DomainError, InvalidInput


class UnprocessableInput(DomainError):
    status_code = 422
    code = "invalid_input"


def dump(schema: type[BaseModel], status: int = 200, /, **data):
    """The schema filled with `data`, as a JSON response with `status`."""
    response = jsonify(schema(**data).model_dump(mode="json"))
    response.status_code = status
    return response


def parse(model: type[BaseModel], data):
    """`data` read into `model`; what does not fit is a 422 naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {_said(e)}" for e in error.errors()
        )
        raise UnprocessableInput(details) from None


_DATE = _l("ska vara ett datum som ÅÅÅÅ-MM-DD")
_TIME = _l("ska vara en tidpunkt enligt RFC 3339, t.ex. 2026-03-01T08:00:00Z")
_INTEGER = _l("ska vara ett heltal")
_BOOLEAN = _l("ska vara true eller false")
_OBJECT = _l("ska vara ett JSON-objekt")
# pydantic's messages are English whatever the request's language: by the error's type,
# in the reader's, with the values pydantic gives (ctx). A type not listed here is said
# in general words with its name (_UNLISTED), never in pydantic's English.
_SAID = {
    "missing": _l("saknas"),
    "extra_forbidden": _l("är inget fält här"),
    "int_parsing": _INTEGER,
    "int_type": _INTEGER,
    "int_from_float": _INTEGER,
    "bool_parsing": _BOOLEAN,
    "bool_type": _BOOLEAN,
    "string_type": _l("ska vara text"),
    # A lone surrogate such as "\ud800": valid JSON, but no character any text can hold.
    "string_unicode": _l("ska vara text av giltiga Unicode-tecken"),
    "finite_number": _INTEGER,
    "string_too_short": _l("minst %(min_length)s tecken"),
    "string_too_long": _l("högst %(max_length)s tecken"),
    "string_pattern_mismatch": _l("har inte rätt form"),
    "greater_than_equal": _l("ska vara minst %(ge)s"),
    "greater_than": _l("ska vara större än %(gt)s"),
    "less_than_equal": _l("ska vara högst %(le)s"),
    "less_than": _l("ska vara mindre än %(lt)s"),
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": _TIME,
    "datetime_type": _TIME,
    "datetime_from_date_parsing": _TIME,
    "datetime_object_invalid": _TIME,
    "literal_error": _l("ska vara ett av: %(expected)s"),
    "enum": _l("ska vara ett av: %(expected)s"),
    "list_type": _l("ska vara en lista"),
    "too_short": _l("ska ha minst %(min_length)s"),
    "too_long": _l("får ha högst %(max_length)s"),
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
}


def _said(error: dict) -> str:
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])  # our validators' own words, already translated
    said = _SAID.get(error["type"])
    if said is None:
        return _("har ett ogiltigt värde (%(type)s)", type=error["type"])
    ctx = dict(error.get("ctx") or {})
    if "expected" in ctx:
        # pydantic joins the last choice with an English "or": a list needs no word.
        ctx["expected"] = ", ".join(str(ctx["expected"]).rsplit(" or ", 1))
    return str(said) % ctx if ctx else str(said)


def _sent_a_body() -> bool:
    """Whether the request carries a body, also one already read as a form.

    The NUL guard (app/input_guard.py) reads `request.form` before any view, and a
    form or multipart body read that way is gone from `get_data()`: what it held
    tells, and so does the length the client declared.
    """
    return bool(request.content_length or request.form or request.files or request.get_data())


def refuse_a_body_not_json() -> None:
    """A body that does not say it is JSON is 400, whatever the write: ignored, a form's
    employee_id would book the token's owner instead. An empty body passes."""
    if not request.is_json and _sent_a_body():
        # Flask reads a body as JSON only when it says so; "not valid JSON" would mislead.
        raise InvalidInput(_("Skicka kroppen som JSON, med Content-Type: application/json."))


def json_body() -> dict:
    """The request's JSON object (an empty body is {}): not JSON is 400, not an object 422."""
    refuse_a_body_not_json()
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        # Python's json module recurses once per level: thousands of nested brackets
        # in a body under the size limit exhaust the stack.
        raise InvalidInput(_("Kroppen är för djupt nästlad.")) from None
    if body is None:
        if request.get_data():
            raise InvalidInput(_("Kroppen måste vara giltig JSON."))
        body = {}
    if not isinstance(body, dict):
        raise UnprocessableInput(_("Kroppen måste vara ett JSON-objekt."))
    return body

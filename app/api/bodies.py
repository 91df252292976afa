"""Reading and writing the API's JSON bodies, shared by every API view module."""

from flask import jsonify, request
from flask_babel import gettext as _
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
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
        )
        raise UnprocessableInput(details) from None


def json_body() -> dict:
    """The request's JSON object (an empty body is {}): not JSON is 400, not an object 422."""
    if request.get_data() and not request.is_json:
        # Flask reads a body as JSON only when it says so; "not valid JSON" would mislead.
        raise InvalidInput(_("Skicka kroppen som JSON, med Content-Type: application/json."))
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

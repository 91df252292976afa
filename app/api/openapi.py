"""The OpenAPI 3.1 description of /api/v1, built from the pydantic schemas."""

from functools import cache

from pydantic.json_schema import models_json_schema

from app.api import schemas

REF = "#/components/schemas/{model}"
BODIES = [
    schemas.Problem,
    schemas.County,
    schemas.Municipality,
    schemas.ValidationModel,
    schemas.Center,
    schemas.Session,
    schemas.SessionPage,
    schemas.Booking,
    schemas.BookingList,
    schemas.BookingRequest,
    schemas.MoveRequest,
]


def _ref(model) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}},
    }


ERRORS = {
    "400": _problem("Felaktig begäran"),
    "401": _problem("API-nyckel saknas eller är ogiltig"),
    "403": _problem("Nyckelns ägare får inte göra detta"),
    "404": _problem("Finns inte"),
    "405": _problem("Metoden stöds inte"),
    "422": _problem("Ogiltiga uppgifter"),
    "429": _problem("För många anrop"),
}
CONFLICT = {"409": _problem("Krockar med regler eller annan bokning (t.ex. redan bokad)")}


def _id_param(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _list_of(model) -> dict:
    return {"type": "array", "items": _ref(model)}


def _get(summary: str, ok: dict, params=()) -> dict:
    return {
        "get": {"summary": summary, "parameters": list(params), "responses": {"200": ok, **ERRORS}}
    }


ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@cache
def openapi_document() -> dict:
    _, defs = models_json_schema([(m, "validation") for m in BODIES], ref_template=REF)
    booking_ok = _json(_ref(schemas.Booking), "Bokningen")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Testcenterbokning API",
            "version": "1.0.0",
            "description": (
                "Läs lediga valideringar och boka, avboka och flytta platser. "
                "Autentisera med en personlig API-nyckel: `Authorization: Bearer <nyckel>`. "
                "Nyckeln har samma behörighet som sin ägare."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/counties": _get("Län", _json(_list_of(schemas.County), "Länen")),
            "/municipalities": _get(
                "Kommuner", _json(_list_of(schemas.Municipality), "Kommunerna")
            ),
            "/validation-models": _get(
                "Valideringsmodeller", _json(_list_of(schemas.ValidationModel), "Modellerna")
            ),
            "/centers": _get("Testcenter", _json(_list_of(schemas.Center), "Testcentren")),
            "/sessions": _get(
                "Sök kommande pass",
                _json(_ref(schemas.SessionPage), "En sida med pass"),
                [
                    _query("model_id", ID, "Valideringsmodell"),
                    _query("county_id", ID, "Län"),
                    _query("municipality_id", ID, "Kommun"),
                    _query("from", {"type": "string", "format": "date"}, "Från och med datum"),
                    _query("to", {"type": "string", "format": "date"}, "Till och med datum"),
                    _query("only_free", {"type": "boolean"}, "Bara pass med lediga platser"),
                    _query("page", {"type": "integer", "minimum": 1, "maximum": 100000}, "Sida"),
                    _query(
                        "per_page",
                        {"type": "integer", "minimum": 1, "maximum": 100},
                        "Pass per sida",
                    ),
                ],
            ),
            "/sessions/{session_id}": _get(
                "Ett pass med lediga platser och kölängd",
                _json(_ref(schemas.Session), "Passet"),
                [_id_param("session_id")],
            ),
            "/sessions/{session_id}/bookings": {
                "post": {
                    "summary": "Boka en plats (eller köplats om passet är fullt)",
                    "parameters": [
                        _id_param("session_id"),
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 64,
                                "pattern": "^[!-~]+$",
                            },
                            "description": "Samma nyckel igen ger samma svar och en bokning.",
                        },
                    ],
                    "requestBody": {
                        "required": False,
                        "content": {"application/json": {"schema": _ref(schemas.BookingRequest)}},
                    },
                    "responses": {"201": booking_ok, **ERRORS, **CONFLICT},
                }
            },
            "/bookings": _get(
                "Mina bokningar (eller en anställds, för samordnare)",
                _json(_ref(schemas.BookingList), "Bokningarna"),
                [_query("employee_id", ID, "Anställd hos samordnarens företag")],
            ),
            "/bookings/{booking_id}": {
                "delete": {
                    "summary": "Avboka",
                    "parameters": [_id_param("booking_id")],
                    "responses": {"200": booking_ok, **ERRORS, **CONFLICT},
                }
            },
            "/bookings/{booking_id}/move": {
                "post": {
                    "summary": "Flytta till ett annat pass med samma validering",
                    "parameters": [_id_param("booking_id")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(schemas.MoveRequest)}},
                    },
                    "responses": {
                        "200": _json(_ref(schemas.Booking), "Den nya bokningen"),
                        **ERRORS,
                        **CONFLICT,
                    },
                }
            },
        },
    }

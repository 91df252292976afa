"""The OpenAPI 3.1 description of /api/v1, built from the pydantic schemas.

The texts people read (title, summaries, descriptions) are marked for translation.
The document is built once with lazy strings; each language then gets its own plain
copy, built once: /api/v1/openapi.json serves the default language's, the browsable
docs the reader's.
"""

from functools import cache

from flask import current_app
from flask_babel import force_locale, get_babel, get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from pydantic.json_schema import models_json_schema

from app.api import schemas, webhook_schemas

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
    webhook_schemas.WebhookRequest,
    webhook_schemas.Webhook,
    webhook_schemas.NewWebhook,
    webhook_schemas.WebhookList,
]


def _ref(model) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _json(schema: dict, description) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problem(description) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref(schemas.Problem)}},
    }


# Lazy, so they may be built at import time and still read in any language.
ERRORS = {
    "400": _problem(_l("Felaktig begäran")),
    "401": _problem(_l("API-nyckel saknas eller är ogiltig")),
    "403": _problem(_l("Nyckelns ägare får inte göra detta")),
    "404": _problem(_l("Finns inte")),
    "405": _problem(_l("Metoden stöds inte")),
    "422": _problem(_l("Ogiltiga uppgifter")),
    "429": _problem(_l("För många anrop")),
}
CONFLICT = {"409": _problem(_l("Krockar med regler eller annan bokning (t.ex. redan bokad)"))}


def _id_param(name: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


def _query(name: str, schema: dict, description) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _list_of(model) -> dict:
    return {"type": "array", "items": _ref(model)}


def _get(summary, ok: dict, params=()) -> dict:
    return {
        "get": {"summary": summary, "parameters": list(params), "responses": {"200": ok, **ERRORS}}
    }


ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@cache
def _described() -> dict:
    """The document with its texts as lazy strings: not for serving as it is."""
    _, defs = models_json_schema([(m, "validation") for m in BODIES], ref_template=REF)
    booking_ok = _json(_ref(schemas.Booking), _l("Bokningen"))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": _l("Testcenterbokning API"),
            "version": "1.0.0",
            "description": _l(
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
            "/counties": _get(_l("Lista län"), _json(_list_of(schemas.County), _l("Länen"))),
            "/municipalities": _get(
                _l("Lista kommuner"), _json(_list_of(schemas.Municipality), _l("Kommunerna"))
            ),
            "/validation-models": _get(
                _l("Lista valideringsmodeller"),
                _json(_list_of(schemas.ValidationModel), _l("Modellerna")),
            ),
            "/centers": _get(
                _l("Lista testcenter"), _json(_list_of(schemas.Center), _l("Testcentren"))
            ),
            "/sessions": _get(
                _l("Sök kommande pass"),
                _json(_ref(schemas.SessionPage), _l("En sida med pass")),
                [
                    _query("model_id", ID, _l("Valideringsmodell")),
                    _query("county_id", ID, _l("Län")),
                    _query("municipality_id", ID, _l("Kommun")),
                    _query("from", {"type": "string", "format": "date"}, _l("Från och med datum")),
                    _query("to", {"type": "string", "format": "date"}, _l("Till och med datum")),
                    _query("only_free", {"type": "boolean"}, _l("Bara pass med lediga platser")),
                    _query(
                        "page", {"type": "integer", "minimum": 1, "maximum": 100000}, _l("Sida")
                    ),
                    _query(
                        "per_page",
                        {"type": "integer", "minimum": 1, "maximum": 100},
                        _l("Pass per sida"),
                    ),
                ],
            ),
            "/sessions/{session_id}": _get(
                _l("Ett pass med lediga platser och kölängd"),
                _json(_ref(schemas.Session), _l("Passet")),
                [_id_param("session_id")],
            ),
            "/sessions/{session_id}/bookings": {
                "post": {
                    "summary": _l("Boka en plats (eller köplats om passet är fullt)"),
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
                            "description": _l("Samma nyckel igen ger samma svar och en bokning."),
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
                _l("Mina bokningar (eller en anställds, för samordnare)"),
                _json(_ref(schemas.BookingList), _l("Bokningarna")),
                [_query("employee_id", ID, _l("Anställd hos samordnarens företag"))],
            ),
            "/bookings/{booking_id}": {
                "delete": {
                    "summary": _l("Avboka"),
                    "parameters": [_id_param("booking_id")],
                    "responses": {"200": booking_ok, **ERRORS, **CONFLICT},
                }
            },
            "/bookings/{booking_id}/move": {
                "post": {
                    "summary": _l("Flytta till ett annat pass med samma validering"),
                    "parameters": [_id_param("booking_id")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(schemas.MoveRequest)}},
                    },
                    "responses": {
                        "200": _json(_ref(schemas.Booking), _l("Den nya bokningen")),
                        **ERRORS,
                        **CONFLICT,
                    },
                }
            },
            **_webhook_paths(),
        },
    }


def _webhook_paths() -> dict:
    """/webhooks: app/api/webhook_views.py."""
    webhook = _json(_ref(webhook_schemas.Webhook), _l("Webhooken"))
    return {
        "/webhooks": {
            "get": {
                "summary": _l("Mina webhookar (samordnare och projektadministratörer)"),
                "parameters": [],
                "responses": {
                    "200": _json(_ref(webhook_schemas.WebhookList), _l("Webhookarna")),
                    **ERRORS,
                },
            },
            "post": {
                "summary": _l("Registrera en webhook för signerade händelser"),
                "description": _l(
                    "Händelserna skickas enligt Standard Webhooks, signerade med den hemliga "
                    "nyckel som svaret visar en enda gång. En samordnare får händelser om "
                    "sitt företags medarbetare, en projektadministratör om alla."
                ),
                "parameters": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _ref(webhook_schemas.WebhookRequest)}
                    },
                },
                "responses": {
                    "201": _json(
                        _ref(webhook_schemas.NewWebhook), _l("Webhooken med sin hemliga nyckel")
                    ),
                    **ERRORS,
                    "409": _problem(_l("Du har redan så många webhookar som tillåts")),
                },
            },
        },
        "/webhooks/{subscription_id}": {
            "get": {
                "summary": _l("En av mina webhookar"),
                "parameters": [_id_param("subscription_id")],
                "responses": {"200": webhook, **ERRORS},
            },
            "delete": {
                "summary": _l("Ta bort en webhook: inga fler händelser skickas dit"),
                "parameters": [_id_param("subscription_id")],
                "responses": {"204": {"description": _l("Borttagen")}, **ERRORS},
            },
        },
    }


def _plain(value):
    """A copy with every lazy string read in the current language: JSON can hold it."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


@cache
def _in_language(locale: str, translation_directories: tuple[str, ...]) -> dict:
    # Keyed by the catalogues too, so an app with other catalogues gets its own copy.
    with force_locale(locale):
        return _plain(_described())


def openapi_document(locale: str | None = None) -> dict:
    """The document in `locale`, by default the app's default language (Swedish).

    Machines get the default language always: /api/v1/openapi.json is one stable
    document whatever the caller's Accept-Language, session or account says, so
    clients, generated code and schemathesis never see it change under them. The
    copy is shared: do not change it.
    """
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    return _in_language(locale, tuple(get_babel().translation_directories))


def localized_openapi_document() -> dict:
    """The document in the reader's language, for the browsable docs."""
    locale = get_locale()
    return openapi_document(str(locale) if locale else None)

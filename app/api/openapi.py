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

from app.api import group_schemas, interest_schemas, schemas, webhook_schemas
from app.webhooks.forms import EVENT_LABELS

REF = "#/components/schemas/{model}"
BODIES = [
    schemas.Problem,
    schemas.County,
    schemas.CountyList,
    schemas.Municipality,
    schemas.MunicipalityList,
    schemas.ValidationModel,
    schemas.ValidationModelList,
    schemas.Center,
    schemas.CenterList,
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
    interest_schemas.Interest,
    interest_schemas.InterestList,
    interest_schemas.InterestRequest,
    group_schemas.BookingGroupRequest,
    group_schemas.BookingGroupResult,
    webhook_schemas.BookingEvent,
    webhook_schemas.ResultEvent,
    webhook_schemas.TestEvent,
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


def _header(description, required: bool = False, schema: dict | None = None) -> dict:
    return {
        "description": description,
        "required": required,
        "schema": schema or {"type": "string"},
    }


# Lazy, so they may be built at import time and still read in any language.
ERRORS = {
    "400": _problem(_l("Felaktig begäran")),
    "401": _problem(_l("API-nyckel saknas eller är ogiltig")),
    "403": _problem(_l("Nyckelns ägare får inte göra detta")),
    "404": _problem(_l("Finns inte")),
    "405": {
        **_problem(_l("Metoden stöds inte")),
        "headers": {"Allow": _header(_l("Metoderna som adressen tar emot"), required=True)},
    },
    "422": _problem(_l("Ogiltiga uppgifter (se code)")),
    "429": _problem(_l("För många anrop")),
}
CONFLICT = {
    "409": _problem(
        _l(
            "Krockar med regler eller annan bokning: code säger vilken, t.ex. already_booked, "
            "deadline_passed, session_full"
        )
    )
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[!-~]+$"},
    "description": _l(
        "Samma nyckel och samma begäran igen inom 24 timmar ger samma svar (med "
        "Idempotent-Replayed: true) och ändrar ingenting mer. Samma nyckel med en annan "
        "begäran ger 422, medan den första pågår 409."
    ),
}
REPLAYED = {
    "Idempotent-Replayed": _header(
        _l("true när svaret är det som en tidigare begäran med samma nyckel fick"),
        schema={"type": "string", "enum": ["true"]},
    )
}
CONTENT_LOCATION = {"Content-Location": _header(_l("Bokningens adress"), required=True)}
LINK = {"Link": _header(_l('Nästa sida: <url>; rel="next" (saknas på sista sidan)'))}
# Every list pages the same way (app/api/pagination.py).
PAGING = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        "description": _l("Högst så många per sida"),
    },
    {
        "name": "cursor",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 500},
        "description": _l(
            "Var sidan börjar: ta den ur länken next. En cursor som inte kom därifrån ger 422."
        ),
    },
]


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


def _get(summary, ok: dict, params=(), operation_id: str | None = None) -> dict:
    operation = {"summary": summary, "parameters": list(params), "responses": {"200": ok, **ERRORS}}
    if operation_id:
        operation["operationId"] = operation_id
    return {"get": operation}


def _list(summary, model, description, operation_id: str, params=(), links=None) -> dict:
    """A list operation: its filters, then limit and cursor; the page links to the next."""
    ok = {**_json(_ref(model), description), "headers": LINK}
    if links:
        ok["links"] = links
    return _get(summary, ok, [*params, *PAGING], operation_id)


ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _booking_link(operation_id: str, source: str = "$response.body#/id") -> dict:
    return {"operationId": operation_id, "parameters": {"booking_id": source}}


def _booking_of_session(source: str) -> dict:
    return {"operationId": "createBooking", "parameters": {"session_id": source}}


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
                "Nyckeln har samma behörighet som sin ägare. Listor delas i sidor: följ "
                "next tills has_more är false. Fel svarar med application/problem+json och en "
                "stabil code; alla koder står på /api/v1/problems."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/counties": _list(_l("Lista län"), schemas.CountyList, _l("Länen"), "listCounties"),
            "/municipalities": _list(
                _l("Lista kommuner"),
                schemas.MunicipalityList,
                _l("Kommunerna"),
                "listMunicipalities",
            ),
            "/validation-models": _list(
                _l("Lista valideringsmodeller"),
                schemas.ValidationModelList,
                _l("Modellerna"),
                "listValidationModels",
            ),
            "/centers": _list(
                _l("Lista testcenter"), schemas.CenterList, _l("Testcentren"), "listCenters"
            ),
            "/sessions": _list(
                _l("Sök kommande pass"),
                schemas.SessionPage,
                _l("En sida med pass"),
                "listSessions",
                links={"BookFirstSession": _booking_of_session("$response.body#/items/0/id")},
                params=[
                    _query("model_id", ID, _l("Valideringsmodell")),
                    _query(
                        "family",
                        {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 40,
                            "pattern": schemas.FAMILY_CODE,
                        },
                        _l("Modellfamilj (svets: alla nivåer); model_id går före"),
                    ),
                    _query("county_id", ID, _l("Län")),
                    _query("municipality_id", ID, _l("Kommun")),
                    _query("from", {"type": "string", "format": "date"}, _l("Från och med datum")),
                    _query("to", {"type": "string", "format": "date"}, _l("Till och med datum")),
                    _query("only_free", {"type": "boolean"}, _l("Bara pass med lediga platser")),
                    {
                        **_query(
                            "page",
                            {"type": "integer", "minimum": 1, "maximum": 100000},
                            _l("Sida (förr; följ hellre next). Efter sista sidan: en tom sida"),
                        ),
                        "deprecated": True,
                    },
                    {
                        **_query(
                            "per_page",
                            {"type": "integer", "minimum": 1, "maximum": 100},
                            _l("Samma som limit (förr); limit gäller om båda anges"),
                        ),
                        "deprecated": True,
                    },
                ],
            ),
            "/sessions/{session_id}": _get(
                _l("Ett pass med lediga platser och kölängd"),
                {
                    **_json(_ref(schemas.Session), _l("Passet")),
                    "links": {"BookSession": _booking_of_session("$response.body#/id")},
                },
                [_id_param("session_id")],
                "getSession",
            ),
            "/sessions/{session_id}/bookings": {
                "post": {
                    "operationId": "createBooking",
                    "summary": _l("Boka en plats (eller köplats om passet är fullt)"),
                    "parameters": [_id_param("session_id"), IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": False,
                        "content": {"application/json": {"schema": _ref(schemas.BookingRequest)}},
                    },
                    "responses": {
                        "201": {
                            **booking_ok,
                            "headers": {
                                "Location": _header(_l("Den nya bokningens adress"), True),
                                **REPLAYED,
                            },
                            "links": {
                                "GetBooking": _booking_link("getBooking"),
                                "CancelBooking": _booking_link("cancelBooking"),
                                "MoveBooking": _booking_link("moveBooking"),
                            },
                        },
                        **ERRORS,
                        **CONFLICT,
                    },
                }
            },
            "/bookings": _list(
                _l("Mina bokningar (eller en anställds, eller hela företagets för samordnare)"),
                schemas.BookingList,
                _l("Bokningarna, avbokade också"),
                "listBookings",
                links={
                    "GetFirstBooking": _booking_link("getBooking", "$response.body#/items/0/id")
                },
                params=[
                    _query("employee_id", ID, _l("Anställd hos samordnarens företag")),
                    _query(
                        "scope",
                        {"type": "string", "enum": ["mine", "company"], "default": "mine"},
                        _l("company: alla anställda hos samordnarens företag"),
                    ),
                    _query(
                        "updated_since",
                        {"type": "string", "format": "date-time"},
                        _l(
                            "Bara bokningar ändrade vid eller efter den tiden (RFC 3339 med "
                            "tidszon), i den ordning de ändrades: för synkronisering"
                        ),
                    ),
                ],
            ),
            "/bookings/{booking_id}": {
                "get": {
                    "operationId": "getBooking",
                    "summary": _l("En bokning"),
                    "parameters": [_id_param("booking_id")],
                    "responses": {
                        "200": booking_ok,
                        **ERRORS,
                        "404": _problem(
                            _l(
                                "Finns inte (not_found), eller avbokad eller flyttad "
                                "(booking_cancelled)"
                            )
                        ),
                    },
                },
                "delete": {
                    "operationId": "cancelBooking",
                    "summary": _l("Avboka"),
                    "parameters": [_id_param("booking_id"), IDEMPOTENCY_KEY],
                    "responses": {
                        "200": {**booking_ok, "headers": {**CONTENT_LOCATION, **REPLAYED}},
                        **ERRORS,
                        **CONFLICT,
                    },
                },
            },
            "/bookings/{booking_id}/move": {
                "post": {
                    "operationId": "moveBooking",
                    "summary": _l("Flytta till ett annat pass med samma validering"),
                    "parameters": [_id_param("booking_id"), IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(schemas.MoveRequest)}},
                    },
                    "responses": {
                        "200": {
                            **_json(_ref(schemas.Booking), _l("Den nya bokningen")),
                            "headers": {**CONTENT_LOCATION, **REPLAYED},
                        },
                        **ERRORS,
                        **CONFLICT,
                    },
                }
            },
            **_webhook_paths(),
            **_interest_paths(),
            **_group_paths(),
        },
        "webhooks": _webhooks(),
    }


# Standard Webhooks' headers on every delivery (app/webhooks/signing.py).
SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "msg_…: the same on every attempt of one event; drop a repeat",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "When this attempt was sent, Unix seconds",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "v1,<base64 HMAC-SHA256 of {webhook-id}.{webhook-timestamp}.{body}, "
        "keyed with the secret after whsec_, base64-decoded>",
    },
]


def _webhooks() -> dict:
    """What a registered URL receives: one POST per event (docs/json-api.md, Webhooks)."""
    labels = {**EVENT_LABELS, "webhook.test": _l("Testhändelse")}
    signed = (
        "Signed per Standard Webhooks. Any 2xx is delivered; 410 turns the webhook off; "
        "anything else is sent again with back-off for 72 hours."
    )
    return {
        event: {
            "post": {
                "summary": labels[event],
                # Said per event: the test carries only the subscription's id.
                "description": signed
                + (
                    " It carries only the webhook's id: sent from the webhook's page to "
                    "check the address and the signature."
                    if event == "webhook.test"
                    else " The employee's name and e-mail are included."
                ),
                "parameters": SIGNATURE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(body)}},
                },
                "responses": {
                    "2XX": {"description": "Received"},
                    "410": {"description": "Gone: the webhook is turned off"},
                },
            }
        }
        for event, body in webhook_schemas.EVENT_BODIES.items()
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


def _interest_paths() -> dict:
    """/interests: app/api/interest_views.py."""
    interest = _json(_ref(interest_schemas.Interest), _l("Intresseanmälan"))
    ended = _problem(
        _l(
            "Finns inte (not_found), eller avslutad: bokad, borttagen eller utgången "
            "(interest_ended)"
        )
    )
    return {
        "/interests": {
            **_list(
                _l("Intresseanmälningar: mina, en anställds, eller hela företagets för samordnare"),
                interest_schemas.InterestList,
                _l("Intresseanmälningarna, avslutade också"),
                "listInterests",
                params=[
                    _query("employee_id", ID, _l("Anställd hos samordnarens företag")),
                    _query(
                        "scope",
                        {"type": "string", "enum": ["mine", "company"], "default": "mine"},
                        _l("company: alla anställda hos samordnarens företag"),
                    ),
                ],
            ),
            "post": {
                "operationId": "createInterest",
                "summary": _l("Anmäl intresse när inget pass passar"),
                "description": _l(
                    "När ett pass med samma validering planeras i samma län under perioden får "
                    "personen ett mejl med en länk, en gång. Intresset slutar när personen bokar "
                    "valideringen, tar bort det eller perioden passerar."
                ),
                "parameters": [],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _ref(interest_schemas.InterestRequest)}
                    },
                },
                "responses": {
                    "201": {
                        **interest,
                        "headers": {"Location": _header(_l("Intresseanmälans adress"), True)},
                        "links": {
                            "GetInterest": {
                                "operationId": "getInterest",
                                "parameters": {"interest_id": "$response.body#/id"},
                            },
                            "DeleteInterest": {
                                "operationId": "deleteInterest",
                                "parameters": {"interest_id": "$response.body#/id"},
                            },
                        },
                    },
                    **ERRORS,
                    "409": _problem(
                        _l(
                            "Perioden går inte (interest_period) eller intresse finns redan "
                            "(interest_exists)"
                        )
                    ),
                },
            },
        },
        "/interests/{interest_id}": {
            "get": {
                "operationId": "getInterest",
                "summary": _l("En intresseanmälan"),
                "parameters": [_id_param("interest_id")],
                "responses": {"200": interest, **ERRORS, "404": ended},
            },
            "delete": {
                "operationId": "deleteInterest",
                "summary": _l("Ta bort en intresseanmälan"),
                "parameters": [_id_param("interest_id")],
                "responses": {"204": {"description": _l("Borttagen")}, **ERRORS, "404": ended},
            },
        },
    }


def _group_paths() -> dict:
    """/bookings/bulk: app/api/group_views.py."""
    return {
        "/bookings/bulk": {
            "post": {
                "operationId": "bookSeveral",
                "summary": _l("Boka flera anställda på en gång (samordnare)"),
                "description": _l(
                    "Varje del bokar sina anställda på sitt pass med samma regler som en "
                    "enskild bokning: var och en får en egen plats och kallelse, eller en "
                    "köplats när passet är fullt. Den som redan har en bokning på passets "
                    "validering hoppas över (skipped, med skäl och code). Är någon av de "
                    "anställda inte din att boka åt bokas ingen (403)."
                ),
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _ref(group_schemas.BookingGroupRequest)}
                    },
                },
                "responses": {
                    "200": {
                        **_json(
                            _ref(group_schemas.BookingGroupResult),
                            _l("Vilka som fick plats, står i kö eller hoppades över"),
                        ),
                        "headers": REPLAYED,
                    },
                    **ERRORS,
                    **CONFLICT,
                },
            }
        }
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

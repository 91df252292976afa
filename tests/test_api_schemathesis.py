"""Schemathesis throws generated requests at every operation of the served OpenAPI
document, with a valid token: in its coverage phase (each parameter's boundaries and
broken values, methods the path does not take), as generated valid and broken
requests, and as sequences that follow the document's links (book, read, move,
cancel). Every check the installed schemathesis has runs on every answer: no 5xx,
valid requests accepted, broken ones refused, 405 with Allow, answers and headers as
documented, no answer without the token, and in the sequences a created booking
readable and a cancelled one gone (tests/test_api_http.py checks those two outright)."""

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, assume, settings
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis.checks import CHECKS, load_all_checks

from app.api.openapi import openapi_document
from app.api.tokens import create_token
from app.bookings.services import book_seat

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _all_checks() -> list:
    load_all_checks()
    return [check for check in CHECKS.get_all() if callable(check) and not isinstance(check, type)]


ALL_CHECKS = _all_checks()


@pytest.fixture
def api_schema(app, make):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    with app.app_context():
        company = make.company()
        # A coordinator who is also an employee: books for the company's employees and
        # for themself, so that generated bookings succeed and their links can be followed.
        coordinator = make.person(("coordinator", "employee"), company=company)
        # Some sessions to find, book, move and cancel, with ids the generator hits.
        model = make.model()
        for days in range(3, 15):
            session = make.session(model=model, starts_in=timedelta(days=days))
        employee = make.employee(company=company)
        book_seat(session.id, employee, coordinator)
        _row, token = create_token(coordinator, "schemathesis")
    app.config["SCHEMATHESIS_TOKEN"] = token
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _headers(app) -> dict:
    return {"Authorization": f"Bearer {app.config['SCHEMATHESIS_TOKEN']}"}


def _as_a_client_sends_it(case, app) -> None:
    """What the document cannot say, a client knows: a cursor is copied from `next`,
    never made up, and an Idempotency-Key names one request, so a new request gets a
    new key. Valid-looking made-up ones are refused (422), as the document says."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if case.query and "cursor" in case.query:
        case.query["cursor"] = _a_cursor_of(case, app)
        if case.query["cursor"] is None:
            del case.query["cursor"]
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = uuid.uuid4().hex


def _a_cursor_of(case, app) -> str | None:
    """A cursor the list handed out for the same query: from `next` of its first page of one."""
    query = {
        k: str(v).lower() if isinstance(v, bool) else v
        for k, v in case.query.items()
        if k not in ("cursor", "limit", "per_page")
    }
    answer = app.test_client().get(
        f"/api/v1{case.formatted_path}",
        query_string={**query, "limit": 1},
        headers=_headers(app),
    )
    following = answer.get_json().get("next") if answer.status_code == 200 else None
    return parse_qs(urlsplit(following).query)["cursor"][0] if following else None


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_by_its_description(case, app):
    # The generator sometimes "breaks" a query with a parameter that has no value
    # ({"": []}); nothing of it reaches the wire, so there is nothing to refuse.
    assume(not any(value in ([], None) for value in (case.query or {}).values()))
    _as_a_client_sends_it(case, app)
    case.call_and_validate(headers=_headers(app), checks=ALL_CHECKS)


def test_sequences_of_calls_follow_the_links(api_schema, app):
    # (Here rather than in a test of its own, which would build the database again.)
    # Every documented operation is tested, new ones too, with every check there is.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    with app.app_context():
        documented = openapi_document()["paths"].values()
    assert len(operations) == sum(
        1 for methods in documented for method in methods if method in HTTP_METHODS
    )
    assert {check.__name__ for check in ALL_CHECKS} >= {
        "negative_data_rejection",
        "positive_data_acceptance",
        "unsupported_method",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
    }

    headers = _headers(app)

    class Machine(api_schema.as_state_machine()):
        def before_call(self, case):
            _as_a_client_sends_it(case, app)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # With the scenario's record: use_after_free and ensure_resource_availability
            # look back at what was created and deleted.
            case.validate_response(
                response,
                checks=ALL_CHECKS,
                headers=headers,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    for _attempt in range(3):
        try:
            Machine.run(
                settings=settings(
                    max_examples=12,
                    stateful_step_count=6,
                    deadline=None,
                    database=None,
                    # Replaying a scenario against a database that has moved on draws
                    # differently; schemathesis's own runner then starts afresh, so do we.
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
            )
            break
        except FlakyStrategyDefinition:
            continue

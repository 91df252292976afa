"""Who may read and change every object a URL names.

Every URL rule with a variable needs a row here: the test fails for a rule without
one. A row says which actors may read it (GET) and which may change it (POST,
DELETE); every other actor must get 401/403/404 (or, signed out, the sign-in page),
see none of the owner's personal data, and change nothing in the database.
Allowed changes are not made here (they would change the world for the next
actor); each feature's own tests make them.
"""

import json
import secrets
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, text

from app.extensions import db
from tests.access_world import ACTORS, PERSONAL_MARKERS, build_world, sign_in_clients
from tests.forms import forms_in, page_form

ANYONE = frozenset(ACTORS)
# One actor of each kind, for the pages that name no object.
KINDS = frozenset(
    {
        "anonymous",
        "owner",
        "coordinator",
        "assessor",
        "center_admin",
        "project_admin",
        "limited_admin",
    }
)
# A project admin limited to a project company A takes part in acts on A's people as one
# of every project does; the centers, testledare and whatever is installation-wide are
# not theirs (CENTER_STAFF), nor are other projects.
PROJECT_ADMINS = frozenset({"project_admin", "limited_admin"})
OWNER_SIDE = frozenset({"owner", "coordinator"}) | PROJECT_ADMINS
CENTER_STAFF = frozenset({"center_admin", "project_admin"})
ASSESSING = CENTER_STAFF | {"assessor"}
BOOKING_CHANGERS = OWNER_SIDE | CENTER_STAFF
NOBODY = frozenset()


@dataclass(frozen=True)
class Row:
    read: frozenset | None = None  # who may GET; None: the rule has no GET
    change: frozenset | None = None  # who may POST/DELETE; None: the rule only reads
    # Who may see the owner's personal data on a page they may read (default: `read`).
    sees_people: frozenset | None = None
    # Which object each URL variable names, when not the default below.
    objects: dict = field(default_factory=dict)
    # A body for the change, so that the request is well-formed and only access decides.
    data: dict = field(default_factory=dict)
    json_body: dict | None = None
    api: bool = False  # authenticates with a bearer token, not the cookie
    # URL variables that name no object (a table, a language), given as they are.
    values: dict = field(default_factory=dict)
    # What an allowed GET answers: a page, or a redirect (to where the flow goes on).
    ok_status: int = 200
    # The URL variable is a secret (a feed token, a reset link): only its owner has it,
    # everyone else tries a forged one.
    secret: str | None = None
    # The page that shows the change's form, when it is not the rule's own GET: an actor
    # who is shown the form sends it, with `data` typed over it.
    form_on: str | None = None
    # Query parameters that name an object (a company by ?company=), as world objects; a
    # rule with them is checked like one with URL variables.
    query: dict = field(default_factory=dict)
    # The actors checked, when not all: a page that names no object (installation-wide)
    # is checked for one actor of each kind, to keep the run short.
    actors: frozenset = frozenset(ACTORS)


# One line per rule.
MATRIX = {
    # accounts
    "accounts.erase": Row(
        read=PROJECT_ADMINS, change=PROJECT_ADMINS, objects={"person_id": "colleague"}
    ),
    # cancelling the owner's seat from the erase page (its booking, not another's)
    "accounts.erase_cancel_booking": Row(change=PROJECT_ADMINS, form_on="accounts.erase"),
    # finding people to erase: a limited admin finds only their companies' people
    "accounts.people": Row(read=PROJECT_ADMINS, actors=KINDS),
    "accounts.set_password": Row(
        read=frozenset({"owner"}),
        change=frozenset({"owner"}),
        secret="reset_token",
        data={"password": "x" * 12, "confirm": "x" * 12},
    ),
    "accounts.assessor": Row(
        read=frozenset({"project_admin"}),
        change=frozenset({"project_admin"}),
        objects={"person_id": "assessor"},
        data={
            "grant-model": "model",
            "grant-valid_from": "2030-01-01",
            "grant-valid_to": "2030-12-31",
            "grant-submit": "1",
        },
    ),
    "accounts.revoke_authorisation": Row(change=frozenset({"project_admin"})),
    # which projects a project admin administers: for an admin of every project
    "accounts.admin_projects": Row(
        read=frozenset({"project_admin"}),
        change=frozenset({"project_admin"}),
        objects={"person_id": "limited_admin_person"},
        data={"projects": "limited_project"},
    ),
    "company.employee": Row(read=frozenset({"coordinator"}), objects={"person_id": "owner"}),
    "company.resend": Row(change=frozenset({"coordinator"}), objects={"person_id": "owner"}),
    "company.correct": Row(
        change=frozenset({"coordinator"}),
        objects={"person_id": "owner"},
        data={"name": "Ny Namn", "email": "ny.namn@example.se"},
    ),
    "company.leave": Row(
        read=frozenset({"coordinator"}),
        change=frozenset({"coordinator"}),
        objects={"person_id": "owner"},
    ),
    # an import's report and rejected rows: its company's coordinators only
    "company.import_report": Row(read=frozenset({"coordinator"})),
    "company.import_rejected_csv": Row(read=frozenset({"coordinator"})),
    "api_tokens.revoke": Row(change=frozenset({"owner"}), objects={"token_id": "owner_api_token"}),
    # bookings
    "bookings.book": Row(
        change=OWNER_SIDE, data={"employee_id": "owner"}, form_on="schedule.session_detail"
    ),
    "bookings.cancel": Row(change=BOOKING_CHANGERS),
    "bookings.confirm_cancel": Row(read=BOOKING_CHANGERS),  # the question before cancelling
    "bookings.move": Row(read=OWNER_SIDE, change=OWNER_SIDE, data={"target": "other_session"}),
    "results.attendance": Row(change=ASSESSING, data={"status": "attended"}),
    "results.check_in_view": Row(change=ASSESSING),
    "results.check_in_ticked": Row(
        change=ASSESSING, data={"booking": "booking"}, form_on="results.session_participants"
    ),
    "results.mark_absent": Row(read=ASSESSING, change=ASSESSING),
    "results.outcome": Row(
        read=ASSESSING, change=ASSESSING, objects={"booking_id": "past_booking"}
    ),
    "results.statement": Row(read=OWNER_SIDE | ASSESSING, objects={"booking_id": "past_booking"}),
    "results.session_participants": Row(read=ASSESSING),
    # sessions: public pages, without names except for those who may see them
    "schedule.session_detail": Row(read=ANYONE, sees_people=OWNER_SIDE | CENTER_STAFF),
    "centers.manage_session": Row(
        read=CENTER_STAFF, change=CENTER_STAFF, data={"action": "cancel"}
    ),
    # centers
    "centers.admin": Row(read=CENTER_STAFF, change=CENTER_STAFF),
    "centers.capacity": Row(read=CENTER_STAFF),
    "centers.closures": Row(read=CENTER_STAFF, change=CENTER_STAFF),
    "centers.delete_closure": Row(read=CENTER_STAFF, change=CENTER_STAFF),
    "centers.opening_hours": Row(change=CENTER_STAFF),
    "centers.plan": Row(read=CENTER_STAFF, change=CENTER_STAFF),
    "centers.sessions": Row(read=CENTER_STAFF),
    "centers.workstations": Row(change=CENTER_STAFF),
    # travel times between municipalities are the project's, for every center's planning
    "centers.delete_travel_time": Row(change=frozenset({"project_admin"})),
    "centers.travel_times": Row(
        read=frozenset({"project_admin"}),
        change=frozenset({"project_admin"}),
        data={"first": "1", "second": "2", "minutes": "90"},
        actors=KINDS,
    ),
    "assessor.delete_absence": Row(change=frozenset({"assessor"})),
    # calendar
    "calendar.booking_event": Row(read=BOOKING_CHANGERS),
    "calendar.session_event": Row(read=ASSESSING),
    "calendar.center_feed": Row(read=ANYONE, sees_people=NOBODY),
    "calendar.personal_feed": Row(read=frozenset({"owner"}), secret="feed_token"),
    "calendar.outbox_message": Row(
        read=frozenset({"project_admin"}), objects={"message_id": "owner_message"}
    ),
    "calendar.outbox_raw": Row(
        read=frozenset({"project_admin"}), objects={"message_id": "owner_message"}
    ),
    # the project dashboard: targets and the progress of companies are the project's; the
    # limited admin's is another project than the one named here
    "reports.new_project": Row(
        read=frozenset({"project_admin"}),
        change=frozenset({"project_admin"}),
        data={"name": "Nytt", "starts_on": "2024-01-01", "ends_on": "2027-12-31"},
        actors=KINDS,
    ),
    "reports.project_settings": Row(
        read=frozenset({"project_admin"}),
        change=frozenset({"project_admin"}),
        data={"name": "Ändrat", "starts_on": "2024-01-01", "ends_on": "2027-12-31"},
    ),
    "reports.target_settings": Row(change=frozenset({"project_admin"})),
    "reports.add_target": Row(change=frozenset({"project_admin"})),
    "reports.remove_target": Row(change=frozenset({"project_admin"})),
    "reports.add_company": Row(
        change=frozenset({"project_admin"}), data={"join-company": "company_a"}
    ),
    "reports.remove_company": Row(
        change=frozenset({"project_admin"}), data={"company": "company_a"}
    ),
    "reports.add_companies_in_scope": Row(change=frozenset({"project_admin"})),
    # the first project the reader sees: the limited admin's own
    "reports.export": Row(read=PROJECT_ADMINS, values={"name": "targets"}),
    # the companies: a limited admin reads their projects' companies; adding one (it takes
    # part in no project yet) is for an admin of every project
    "company.companies": Row(
        read=PROJECT_ADMINS, change=frozenset({"project_admin"}), actors=KINDS
    ),
    # the audit log is not narrowed by company: not a limited admin's
    "audit.log": Row(
        read=frozenset({"project_admin", "center_admin", "other_center_admin"}),
        sees_people=frozenset({"project_admin", "center_admin"}),
        actors=KINDS | {"other_center_admin"},
    ),
    "calendar.outbox": Row(read=frozenset({"project_admin"}), actors=KINDS),
    # languages: anyone may switch; a booking resumed after sign-in needs a signed-in person
    "i18n.visitor_language": Row(read=ANYONE, values={"language": "en"}, ok_status=303),
    "bookings.resume_booking": Row(read=ANYONE - {"anonymous"}, ok_status=302),
    # the JSON API
    # The API answers only callers with a token, but any token will do for sessions.
    "api.session": Row(read=ANYONE - {"anonymous"}, sees_people=NOBODY, api=True),
    "api.create_booking": Row(change=OWNER_SIDE, json_body={"employee_id": "owner"}, api=True),
    "api.delete_booking": Row(change=BOOKING_CHANGERS, api=True),
    "api.move": Row(change=BOOKING_CHANGERS, json_body={"session_id": "other_session"}, api=True),
    "api.get_booking": Row(read=BOOKING_CHANGERS, api=True),
    # What a problem's `type` URL shows: public, like the API's docs.
    "api.problem_type": Row(read=ANYONE, sees_people=NOBODY, values={"code": "session_full"}),
    # webhooks: a subscription is its owner's alone (its secret signs what it gets); every
    # company's events are for a project admin of every project
    "webhooks.index": Row(
        read=frozenset({"coordinator", "other_coordinator", "project_admin"}),
        change=frozenset({"coordinator", "other_coordinator", "project_admin"}),
        sees_people=NOBODY,
        data={"url": "https://hr.example.se/hook", "events": "booking.created"},
        actors=KINDS | {"other_coordinator"},
    ),
    "webhooks.detail": Row(read=frozenset({"coordinator"})),
    "webhooks.send_test": Row(change=frozenset({"coordinator"})),
    "webhooks.revoke": Row(change=frozenset({"coordinator"})),
    "api.webhook": Row(read=frozenset({"coordinator"}), api=True),
    "api.delete_webhook": Row(change=frozenset({"coordinator"}), api=True),
    # a company's overview and validations: its coordinator, or a project admin choosing
    # it by ?company=; another company's coordinator gets their own company's instead
    **{
        endpoint: Row(
            read=OWNER_SIDE - {"owner"} | {"other_coordinator"},
            sees_people=OWNER_SIDE - {"owner"},
            query={"company": "company_a"},
        )
        for endpoint in (
            "competence.overview",
            "competence.overview_csv",
            "competence.training_needs_csv",
            "competence.validations",
            "competence.validations_csv",
        )
    },
    # interest when nothing fits: the employee's own, and their coordinator's
    "interest.withdraw": Row(change=OWNER_SIDE),
    "api.get_interest": Row(read=OWNER_SIDE, api=True),
    "api.delete_interest": Row(change=OWNER_SIDE, api=True),
    # booking several employees at once: a coordinator, for their own company's people
    "group_booking.pick": Row(
        read=frozenset({"coordinator", "other_coordinator"}),
        sees_people=frozenset({"coordinator"}),
    ),
    "group_booking.confirm": Row(
        change=frozenset({"coordinator"}), data={"employees": "owner"}, form_on="group_booking.pick"
    ),
    "api.book_several": Row(
        change=frozenset({"coordinator"}),
        json_body={"parts": [{"session_id": "other_session", "employee_ids": ["owner"]}]},
        api=True,
    ),
}

# Which world object a URL variable names unless the row says otherwise.
DEFAULT_OBJECTS = {
    "session_id": "session",
    "booking_id": "booking",
    "center_id": "center",
    "closure_id": "closure",
    "absence_id": "absence",
    "travel_buffer_id": "travel_buffer",
    "person_id": "owner",
    "message_id": "owner_message",
    "token_id": "owner_api_token",
    "project_id": "project",
    "target_id": "target",
    "authorisation_id": "authorisation",
    "subscription_id": "coordinator_webhook",
    "interest_id": "owner_interest",
    "import_id": "coordinator_import",
}
CHANGE_METHODS = {"POST", "DELETE", "PUT", "PATCH"}
# Tables that the requests must leave exactly as they were.
REFERENCE_TABLES = {
    "county",
    "municipality",
    "validation_model",
    "competence_area",
    "model_area",
    "workstation_kind",
    "alembic_version",
}


def _object_rules(app):
    """Rules that name an object, and the few without one that have a row all the same."""
    return [
        r
        for r in app.url_map.iter_rules()
        if (r.arguments or r.endpoint in MATRIX) and r.endpoint != "static"
    ]


def _missing_rows(app) -> list[str]:
    return sorted({r.endpoint for r in _object_rules(app)} - set(MATRIX))


def test_every_rule_with_an_object_has_a_row(app):
    missing = _missing_rows(app)
    assert not missing, f"add a row to MATRIX for: {missing}"
    for rule in _object_rules(app):
        row = MATRIX[rule.endpoint]
        if "GET" in rule.methods:
            assert row.read is not None, f"{rule.endpoint} reads: say who may"
        if rule.methods & CHANGE_METHODS:
            assert row.change is not None, f"{rule.endpoint} changes: say who may"


# What a request may write without changing anything a person sees.
BOOKKEEPING_COLUMNS = {
    # Any signed-in request may note when its sign-in was last used (every few minutes).
    ("login_session", "last_seen_at"),
    # The owner's feed stores its events' texts when it is read (app/calendar/feed_texts).
    ("calendar_entry", "feed_text"),
    ("calendar_entry", "feed_key"),
}


def _snapshot() -> str:
    """Every row a person could see, as text; equal snapshots mean nothing changed."""
    tables = [t for name, t in sorted(db.metadata.tables.items()) if name not in REFERENCE_TABLES]
    columns = {
        t.name: [c for c in t.columns if (t.name, c.name) not in BOOKKEEPING_COLUMNS]
        for t in tables
    }
    if db.session.get_bind().dialect.name == "postgresql":
        # One round trip instead of one per table: each table's rows as sorted text.
        def rows_of(table):
            row = "ROW(" + ", ".join(f'"{c.name}"' for c in columns[table.name]) + ")::text"
            return (
                f"(SELECT coalesce(string_agg({row}, E'\\n' ORDER BY {row}), '') "
                f'FROM "{table.name}") AS "{table.name}"'
            )

        query = "SELECT " + ", ".join(rows_of(t) for t in tables)
        rows = dict(db.session.execute(text(query)).one()._mapping)
    else:
        rows = {
            t.name: [tuple(map(str, r)) for r in db.session.execute(select(*columns[t.name])).all()]
            for t in tables
        }
    db.session.rollback()
    return json.dumps(rows, sort_keys=True)


def _url(app, rule, row, world, actor):
    values = {}
    for name in rule.arguments:
        if name == "purpose":
            values[name] = "reset"
        elif name in row.values:
            values[name] = row.values[name]
        elif name == "token":
            token = world.values[row.secret]
            # Only the owner holds the secret; everyone else guesses or tampers.
            values[name] = token if actor == "owner" else token[:-4] + secrets.token_hex(2)
        else:
            values[name] = world.ids[row.objects.get(name, DEFAULT_OBJECTS[name])]
    values |= {name: world.ids[thing] for name, thing in row.query.items()}
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def _resolve(body, world):
    """The body with each world object's name replaced by its id, at any depth."""
    if isinstance(body, dict):
        return {k: _resolve(v, world) for k, v in body.items()}
    if isinstance(body, list):
        return [_resolve(v, world) for v in body]
    return world.ids.get(body, body) if isinstance(body, str) else body


def _shown_form(app, client, rule, row, world, actor, url, headers):
    """The form posting to `url` that the actor is shown (on the rule's own page or on
    `row.form_on`), or None when no page they may see has it."""
    pages = [url] if "GET" in rule.methods else []
    if row.form_on:
        (page_rule,) = app.url_map.iter_rules(row.form_on)
        pages.append(_url(app, page_rule, row, world, actor))
    for page in pages:
        response = client.get(page, headers=headers)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        forms = [
            f
            for f in forms_in(response.get_data(as_text=True), page, client)
            if f.method == "post" and f.action.split("?")[0] == url
        ]
        if forms:
            # The one with most of the fields the change names.
            return max(forms, key=lambda f: sum(name in f for name in row.data))
    return None


def _csrf(client) -> str:
    """The token of the actor's session, from a form they are shown (for the probes
    no page shows them)."""
    if _signed_in(client):
        return page_form(client, "/account", action="/logout").value("csrf_token")
    return page_form(client, "/login", field="email").value("csrf_token")


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _denied(actor: str, response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    # Signed out: sent to the sign-in page, nothing else.
    return (
        actor == "anonymous"
        and response.status_code == 302
        and response.headers["Location"].startswith("/login")
    )


def test_access_matrix(app, make):
    app.config["OUTBOX_VIEWER"] = True
    with app.app_context():
        world = build_world(make)
    clients = sign_in_clients(app, world)
    tokens = {name: _csrf(client) for name, client in clients.items()}
    failures = []
    with app.app_context():
        before = _snapshot()
    for rule in sorted(_object_rules(app), key=lambda r: r.endpoint):
        row = MATRIX[rule.endpoint]
        for actor in (a for a in ACTORS if a in row.actors):
            client = clients[actor]
            url = _url(app, rule, row, world, actor)
            headers = {}
            if row.api and actor != "anonymous":
                headers["Authorization"] = f"Bearer {world.api_tokens[actor]}"
            if "GET" in rule.methods:
                response = client.get(url, headers=headers)
                body = response.get_data(as_text=True)
                allowed = actor in row.read
                if allowed and response.status_code != row.ok_status:
                    failures.append(
                        f"{actor} GET {url}: {response.status_code}, expected {row.ok_status}"
                    )
                if not allowed and not _denied(actor, response):
                    failures.append(f"{actor} GET {url}: {response.status_code}, expected 403/404")
                sees = row.read if row.sees_people is None else row.sees_people
                if actor not in sees and (leak := [m for m in PERSONAL_MARKERS if m in body]):
                    failures.append(f"{actor} GET {url}: shows {leak}")
            methods = rule.methods & CHANGE_METHODS
            if methods and actor not in row.change:
                method = sorted(methods)[0]
                if row.api:
                    response = client.open(
                        url,
                        method=method,
                        headers=headers,
                        json=_resolve(row.json_body or {}, world),
                    )
                elif form := _shown_form(app, client, rule, row, world, actor, url, headers):
                    # The actor is shown the form: they send it, the change's values typed
                    # over it (one it does not offer is a hand-edited request).
                    for name, value in _resolve(row.data, world).items():
                        if name in form:
                            form.set(name, value, tamper=True)
                        else:
                            form.add(name, value)
                    response = form.submit()
                else:
                    # No page the actor may see shows this form: the subject is that the
                    # forbidden request is refused, so it is built by hand (with a token
                    # of the actor's own session, so that only access decides).
                    data = {
                        "csrf_token": tokens[actor],
                        "request_key": secrets.token_urlsafe(16),
                        **_resolve(row.data, world),
                    }
                    response = client.open(url, method=method, data=data)
                body = response.get_data(as_text=True)
                if not _denied(actor, response):
                    failures.append(
                        f"{actor} {method} {url}: {response.status_code}, expected 403/404"
                    )
                if leak := [m for m in PERSONAL_MARKERS if m in body]:
                    failures.append(f"{actor} {method} {url}: shows {leak}")
                with app.app_context():
                    after = _snapshot()
                if after != before:
                    failures.append(f"{actor} {method} {url}: changed the database")
                    before = after
    assert not failures, "\n".join(failures)


def test_a_new_view_without_a_row_is_caught(app):
    @app.get("/reports/centers/<int:center_id>")
    def report_for_center(center_id):  # pragma: no cover - never requested
        return str(center_id)

    assert _missing_rows(app) == ["report_for_center"]


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_rows_name_existing_rules(app, endpoint):
    """A row for a view that is gone (or renamed) is a row that checks nothing."""
    assert endpoint in {r.endpoint for r in app.url_map.iter_rules()}


def test_a_limited_admin_changes_their_projects_targets_but_adds_no_county(app, make):
    """A target in a county new to the project brings that county's test centers (and
    their use) onto the project's dashboard: for a limited admin that widens what they
    see, as choosing the companies taking part would. So only an admin of every project
    adds one; a limited admin edits their project's targets and adds targets in the
    counties it has."""
    from app.errors import Forbidden
    from app.projects.models import ProjectTarget
    from app.regions.models import County
    from app.reports.services import add_target

    with app.app_context():
        world = build_world(make)
        counties = {c.name: c.id for c in db.session.scalars(select(County))}
        norr, vb = counties["Norrbottens län"], counties["Västerbottens län"]
        project = world.ids["limited_project"]
        target = add_target(project, norr, "steel", 3, 30).id
    clients = sign_in_clients(app, world)
    limited, every = clients["limited_admin"], clients["project_admin"]
    settings = f"/reports/projects/{project}"

    def targets():
        with app.app_context():
            return sorted(
                db.session.execute(
                    select(
                        ProjectTarget.county_id,
                        ProjectTarget.industry,
                        ProjectTarget.companies,
                        ProjectTarget.employees,
                    ).where(ProjectTarget.project_id == project)
                ).all()
            )

    page = limited.get(settings).get_data(as_text=True)
    assert "Ett nytt län lägger en administratör för alla projekt till." in page
    edit = page_form(limited, settings, field=f"target{target}-companies")
    assert edit.set(f"target{target}-companies", "4").submit().status_code == 302
    new = page_form(limited, settings, action=f"{settings}/targets")
    assert new.options("new-county") == [str(norr)]
    added = new.fill(**{"new-county": norr}).set("new-industry", "metal")
    added.set("new-companies", "1").set("new-employees", "10")
    assert added.submit().status_code == 302
    before = targets()
    assert before == [(norr, "metal", 1, 10), (norr, "steel", 4, 30)]

    # A county the page does not offer, sent by hand: refused, nothing added.
    forged = page_form(limited, settings, action=f"{settings}/targets")
    forged.set("new-county", vb, tamper=True).set("new-industry", "metal")
    forged.set("new-companies", "1").set("new-employees", "10")
    refused = forged.submit()
    assert refused.status_code == 400 and 'class="error"' in refused.get_data(as_text=True)
    assert targets() == before
    # The service says why, whoever calls it.
    with app.app_context():
        from app.accounts.models import Person

        lena = db.session.get(Person, world.ids["limited_admin_person"])
        with pytest.raises(Forbidden, match="Bara en administratör för alla projekt"):
            add_target(project, vb, "metal", 1, 10, actor=lena)
    assert targets() == before

    # An admin of every project is offered every county and adds one.
    new = page_form(every, settings, action=f"{settings}/targets")
    assert str(vb) in new.options("new-county")
    assert "Ett nytt län lägger" not in every.get(settings).get_data(as_text=True)
    new.set("new-county", vb).set("new-industry", "metal")
    assert new.set("new-companies", "1").set("new-employees", "10").submit().status_code == 302
    assert (vb, "metal", 1, 10) in targets()

"""Generated junk at every form and every page's query string: never a server error.

Hypothesis picks a URL, who sends it and what: the fields the app's own pages use
(and some it does not), with text of any length and alphabet, numbers out of range,
dates that are not dates, and files of random bytes. Any 5xx fails the test.
"""

import io
import re
import secrets

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.access_world import build_world, sign_in_clients
from tests.test_access_matrix import DEFAULT_OBJECTS, MATRIX

FUZZ_ACTORS = ("owner", "coordinator", "assessor", "center_admin", "project_admin", "anonymous")
# These only sign the sender out; with junk or not, later examples would be signed out too.
SKIP = {"accounts.logout", "accounts.sign_out_all", "static"}
EXTRA_NAMES = ["employee_id", "target", "action", "status", "comment", "file", "q", "week", "id"]

junk_text = st.one_of(
    st.text(max_size=40),
    st.text(min_size=300, max_size=3000),
    st.sampled_from(
        [
            "-1",
            "0",
            "2147483648",
            "99999999999999999999",
            "1e400",
            "NaN",
            "2024-02-30",
            "25:61",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "\x00",
            'ÅÄÖ;,"',
            "-",
        ]
    ),
    st.integers().map(str),
)


def _field_names(clients, world) -> list[str]:
    """Every input name on the pages the app shows to the fuzzing actors."""
    names = set(EXTRA_NAMES)
    for actor in FUZZ_ACTORS:
        for path in (
            "/",
            "/login",
            "/account",
            "/bookings",
            "/centers",
            "/company/employees",
            "/schedule/availability",
            "/account/api-tokens",
            "/password/forgot",
            "/reports/",
            f"/reports/projects/{world.ids['project']}",
        ):
            page = clients[actor].get(path).get_data(as_text=True)
            names.update(re.findall(r'name="([^"]+)"', page))
    names.discard("csrf_token")
    return sorted(names)


def _url(app, rule, world):
    values = {}
    for name in rule.arguments:
        if name == "purpose":
            values[name] = "reset"
        elif name == "token":
            values[name] = world.values[MATRIX[rule.endpoint].secret]
        elif name in MATRIX[rule.endpoint].values:
            values[name] = MATRIX[rule.endpoint].values[name]
        else:
            values[name] = world.ids[DEFAULT_OBJECTS[name]]
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


def test_junk_never_causes_a_server_error(app, make):
    app.config["OUTBOX_VIEWER"] = True
    with app.app_context():
        world = build_world(make)
    clients = sign_in_clients(app, world)
    tokens = {}
    for actor, client in clients.items():
        page = client.get("/login" if actor == "anonymous" else "/account").get_data(as_text=True)
        tokens[actor] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    names = _field_names(clients, world)
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIP),
        key=lambda r: (r.rule, sorted(r.methods)),
    )
    targets = []
    for rule in rules:
        for method in sorted(rule.methods & {"GET", "POST"}):
            targets.append((rule, method))

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(
        target=st.sampled_from(targets),
        actor=st.sampled_from(FUZZ_ACTORS),
        fields=st.dictionaries(st.sampled_from(names), junk_text, max_size=8),
        upload=st.none() | st.binary(max_size=2000),
    )
    def send(target, actor, fields, upload):
        rule, method = target
        url = _url(app, rule, world)
        client = clients[actor]
        if method == "GET":
            response = client.get(url, query_string=fields)
        elif rule.rule.startswith("/api/"):
            response = client.post(
                url,
                json=fields,
                headers={"Authorization": f"Bearer {world.api_tokens.get(actor, '')}"},
            )
        else:
            data = {**fields, "csrf_token": tokens[actor], "request_key": secrets.token_urlsafe(16)}
            if upload is not None:
                data["file"] = (io.BytesIO(upload), "junk.csv")
            response = client.post(url, data=data, content_type="multipart/form-data")
        response.close()
        assert response.status_code < 500, (method, url, actor, fields, response.status_code)

    send()

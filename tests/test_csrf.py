"""Every form POST is refused without its CSRF token, and changes nothing."""

import pytest

from tests.access_world import build_world, sign_in_clients
from tests.test_access_matrix import DEFAULT_OBJECTS, MATRIX, _snapshot

CSRF_MESSAGE = "saknade säkerhetskod"


def _post_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods),
        key=lambda r: r.rule,
    )


def _url(app, rule, world):
    values = {}
    for name in rule.arguments:
        if name == "purpose":
            values[name] = "reset"
        elif name == "token":
            values[name] = world.values[MATRIX[rule.endpoint].secret]
        else:
            row = MATRIX.get(rule.endpoint)
            key = row.objects.get(name, DEFAULT_OBJECTS[name]) if row else DEFAULT_OBJECTS[name]
            values[name] = world.ids[key]
    with app.test_request_context():
        return app.url_for(rule.endpoint, **values)


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_every_form_post_needs_its_csrf_token(app, make, token):
    with app.app_context():
        world = build_world(make)
    # The project admin may do the most; the owner holds the reset link.
    clients = sign_in_clients(app, world)
    with app.app_context():
        before = _snapshot()  # after signing in, which records each sign-in
    checked = 0
    for rule in _post_rules(app):
        if rule.rule.startswith("/api/"):
            continue  # bearer tokens, never cookies: see test_api_post_ignores_cookies
        actor = (
            "owner"
            if rule.endpoint in ("accounts.set_password", "api_tokens.revoke")
            else ("project_admin")
        )
        data = {"csrf_token": token} if token else {}
        response = clients[actor].post(_url(app, rule, world), data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert CSRF_MESSAGE in body, rule.rule
        checked += 1
    with app.app_context():
        assert _snapshot() == before
    assert checked >= 25  # every form in the app, not a handful


def test_api_post_ignores_cookies(app, make):
    """The API is exempt from CSRF because a signed-in browser's cookie is not accepted."""
    with app.app_context():
        world = build_world(make)
    clients = sign_in_clients(app, world)
    response = clients["owner"].delete(f"/api/v1/bookings/{world.ids['booking']}")
    assert response.status_code == 401

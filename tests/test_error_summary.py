"""A refused form says so first: a summary that takes the focus, and a title saying "Fel".

Each field keeps its own message beside it (tests/test_browser.py checks they are tied);
the summary is what a keyboard or screen-reader user meets first on the page.
"""

import re

from tests.forms import page_form


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return found.group(0) if found else ""


def test_a_refused_sign_in_says_so_in_the_title_and_a_summary_that_leads_to_the_field(
    client, make, app
):
    with app.app_context():
        email = make.employee().email
    form = page_form(client, "/login", field="password")
    refused = form.fill(email=email, password="inte rätt").submit()
    html = refused.get_data(as_text=True)
    assert refused.status_code in (400, 401)
    assert re.search(r"<title>Fel: Logga in", html)
    summary = _summary(html)
    assert 'role="alert"' in summary and "autofocus" in summary and 'tabindex="-1"' in summary
    assert "Formuläret har ett fel" in summary
    assert '<a href="#password">Lösenord: Fel e-postadress eller lösenord.</a>' in summary
    assert 'id="password"' in html  # where the link leads

    # Two fields left empty: two errors, each leading to its field.
    empty = page_form(client, "/login", field="password").fill(email="", password="").submit()
    summary = _summary(empty.get_data(as_text=True))
    assert "Formuläret har 2 fel" in summary
    assert 'href="#email"' in summary and 'href="#password"' in summary


def test_in_english_and_not_on_a_page_without_errors(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB"
    page = client.get("/login").get_data(as_text=True)
    assert "error-summary" not in page and "<title>Error" not in page
    form = page_form(client, "/login", field="password")
    html = form.fill(email="", password="").submit().get_data(as_text=True)
    assert re.search(r"<title>Error: Sign in", html)
    assert "The form has 2 errors" in _summary(html)


def test_a_list_of_boxes_is_reached_at_its_first_box(client, make, app, auth):
    """The webhook form's events are a list of checkboxes: the summary linked to the
    list, which cannot take focus; it leads to the first box."""
    with app.app_context():
        email = make.person(("coordinator",), company=make.company()).email
    auth.login(email)
    form = page_form(client, "/account/webhooks", field="url")
    for name in [n for n in form.controls if n == "events"]:
        form.remove(name)
    html = form.fill(url="https://hr.example.se/hook").submit().get_data(as_text=True)
    summary = _summary(html)
    assert 'href="#events-0"' in summary and 'id="events-0"' in html

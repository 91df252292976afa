"""Issue 18: model families, the search's defaults and alternatives, and the month view.

Every test loads the page a person loads and follows the links or submits the form
it rendered (tests/forms.py); both databases (tests/conftest.py).
"""

import re
from datetime import date, time, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.bookings.services import book_seat
from app.db import utcnow
from app.extensions import db
from app.schedule.models import ModelFamily
from app.timeutil import local_date
from tests.forms import page_form


def _text(response) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    html = response.get_data(as_text=True)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _links(response) -> dict[str, str]:
    """Each link's text (or aria-label, where it has one) -> its href."""
    html = response.get_data(as_text=True)
    found = {}
    for attrs, inner in re.findall(r"<a\s([^>]*)>(.*?)</a>", html, re.S):
        href = re.search(r'href="([^"]*)"', attrs)
        label = re.search(r'aria-label="([^"]*)"', attrs)
        text = label[1] if label else " ".join(re.sub(r"<[^>]+>", " ", inner).split())
        if href:
            found[unescape(text)] = unescape(href[1])
    return found


def _cards(response) -> list[str]:
    """The text of each search result card, in order."""
    html = response.get_data(as_text=True)
    listed = re.search(r'<ul class="cards session-cards"[^>]*>(.*?)</ul>', html, re.S)
    if not listed:
        return []
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", card)).split())
        for card in re.findall(r"<li class=\"card\">(.*?)</li>", listed[1], re.S)
    ]


# --- families -------------------------------------------------------------------


def test_the_svets_levels_form_one_family_in_level_order(app):
    with app.app_context():
        family = db.session.scalar(select(ModelFamily).where(ModelFamily.code == "svets"))
        assert family.name == "Svets"
        assert [(m.code, m.level) for m in family.models] == [
            ("svets-vit", "VIT"),
            ("svets-gron", "GRÖN"),
            ("svets-bla", "BLÅ"),
            ("svets-svart", "SVART"),
        ]


@pytest.fixture
def welding(app, make):
    """Svets VIT in Luleå (day 10), Svets BLÅ in Umeå (day 12), Industriteknik BAS in
    Luleå (day 11)."""
    with app.app_context():
        lulea = make.center(name="Luleå Svetscenter")
        umea = make.center(name="Umeå Verkstadsskola", municipality="Umeå")
        vit = make.session(model=make.model("svets-vit"), center=lulea, starts_in=timedelta(10))
        bla = make.session(model=make.model("svets-bla"), center=umea, starts_in=timedelta(12))
        bas = make.session(center=lulea, starts_in=timedelta(11))
        return {"vit": vit.id, "bla": bla.id, "bas": bas.id}


def test_one_choice_covers_every_level_of_the_family(client, welding):
    form = page_form(client, "/", action="/")
    assert "family:svets" in form.options("model")
    html = client.get("/").get_data(as_text=True)
    # The family and its levels are one labelled group of the model select.
    group = re.search(r'<optgroup label="Svets">(.*?)</optgroup>', html, re.S)[1]
    assert ">Svets, alla nivåer</option>" in group and ">Svets BLÅ</option>" in group
    found = form.set("model", "family:svets").submit()
    assert found.status_code == 200
    cards = _cards(found)
    assert len(cards) == 2
    assert cards[0].startswith("Svets — nivå VIT") and "Luleå Svetscenter" in cards[0]
    assert cards[1].startswith("Svets — nivå BLÅ") and "Umeå Verkstadsskola" in cards[1]
    assert "Svets, alla nivåer · 8 veckor · lediga platser" in _text(found)


def test_a_single_level_is_still_a_choice_of_its_own(app, client, make, welding):
    with app.app_context():
        bla = str(make.model("svets-bla").id)
    found = page_form(client, "/", action="/").set("model", bla).submit()
    cards = _cards(found)
    assert len(cards) == 1 and cards[0].startswith("Svets — nivå BLÅ")


def test_the_session_page_names_the_level_and_books_as_before(client, auth, app, make, welding):
    page = client.get(f"/sessions/{welding['bla']}")
    assert re.search(r"<h1>Svets — nivå BLÅ</h1>", page.get_data(as_text=True))
    with app.app_context():
        email = make.employee().email
    auth.login(email)
    booked = page_form(
        client, f"/sessions/{welding['bla']}", action=f"/sessions/{welding['bla']}/book"
    ).submit(follow_redirects=True)
    assert "Du har fått en plats: Svets BLÅ" in booked.get_data(as_text=True)


def test_the_api_lists_a_family_and_names_each_level(app, api, make, welding):
    with app.app_context():
        call = api(make.employee())
    found = call("GET", "/sessions?family=svets")
    assert found.status_code == 200
    items = found.get_json()["items"]
    assert [(s["id"], s["family"], s["level"]) for s in items] == [
        (welding["vit"], "svets", "VIT"),
        (welding["bla"], "svets", "BLÅ"),
    ]
    everything = call("GET", "/sessions").get_json()["items"]
    assert {s["id"] for s in everything} == set(welding.values())
    assert next(s for s in everything if s["id"] == welding["bas"])["family"] is None
    assert call("GET", "/sessions?family=no-such-family").get_json()["items"] == []
    assert call("GET", "/sessions?family=Svets!").status_code == 422
    models = call("GET", "/validation-models?limit=100").get_json()["items"]
    assert {m["code"]: m["level"] for m in models if m["family"] == "svets"} == {
        "svets-vit": "VIT",
        "svets-gron": "GRÖN",
        "svets-bla": "BLÅ",
        "svets-svart": "SVART",
    }


def test_the_openapi_document_describes_the_family_parameter(client):
    document = client.get("/api/v1/openapi.json").get_json()
    params = document["paths"]["/sessions"]["get"]["parameters"]
    family = next(p for p in params if p["name"] == "family")
    assert family["in"] == "query" and family["schema"]["type"] == "string"


# --- defaults and the folded form -------------------------------------------------


@pytest.fixture
def spread(app, make):
    """Industriteknik BAS in Luleå: free on day 10, full on day 12, free on day 70."""
    with app.app_context():
        lulea = make.center(name="Komvux Luleå")
        soon = make.session(center=lulea, starts_in=timedelta(10))
        full = make.session(center=lulea, seats=1, starts_in=timedelta(12))
        taker = make.employee()
        book_seat(full.id, taker, taker)
        late = make.session(center=lulea, starts_in=timedelta(70))
        return {"soon": soon.id, "full": full.id, "late": late.id}


def _session_links(response) -> set[int]:
    html = response.get_data(as_text=True)
    return {int(i) for i in re.findall(r'<h3><a href="/sessions/(\d+)"', html)}


def test_a_first_search_shows_free_seats_in_the_next_8_weeks(client, spread):
    first = client.get("/")
    assert _session_links(first) == {spread["soon"]}
    form = page_form(client, "/", action="/")
    assert form.value("free_only") == ["y"] and form.value("weeks") == "8"
    html = first.get_data(as_text=True)
    summary = re.search(r"<summary>(.*?)</summary>", html, re.S)[1]
    assert " ".join(unescape(re.sub(r"<[^>]+>", " ", summary)).split()) == (
        "Filter: 8 veckor · lediga platser"
    )
    # The person widens the search: every date, full sessions too.
    everything = form.set("weeks", "0").set("free_only", False).submit()
    assert _session_links(everything) == set(spread.values())
    assert "Filter: alla datum" in _text(everything)


def test_paging_keeps_the_default_filters(app, client, make):
    app.config["SESSIONS_PER_PAGE"] = 2
    with app.app_context():
        center = make.center()
        free = [make.session(center=center, starts_in=timedelta(d)).id for d in (5, 6, 7)]
        full = make.session(center=center, seats=1, starts_in=timedelta(8))
        taker = make.employee()
        book_seat(full.id, taker, taker)
    first = client.get("/")
    assert "Sida 1 av 2" in _text(first)
    second = client.get(_links(first)["Nästa"])
    assert _session_links(first) | _session_links(second) == set(free)


def test_bad_filters_open_the_fold_with_the_message(client, spread):
    bad = page_form(client, "/", action="/").set("date_from", "2030-02-01")
    response = bad.set("date_to", "2030-01-01").submit()
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<details class="filters-fold" open>' in html
    assert "före från-datumet" in html
    # The fold's one-line summary does not read the refused dates as the search made.
    summary = html.split('class="filter-summary">', 1)[1].split("</span>", 1)[0]
    assert summary == "fel i filtren, se nedan"


# --- the empty state --------------------------------------------------------------


@pytest.fixture
def none_in_lulea(app, make):
    """Svets VIT asked for in Luleå: none there in the next 8 weeks, but one there on
    day 70, in Boden (the same county) on day 20, in Umeå on day 15, and Svets GRÖN in
    Luleå on day 12."""
    with app.app_context():
        vit, gron = make.model("svets-vit"), make.model("svets-gron")
        lulea = make.center(name="Luleå Svetscenter")
        ids = {
            "later": make.session(model=vit, center=lulea, starts_in=timedelta(70)).id,
            "boden": make.session(
                model=vit,
                center=make.center(name="Bodens Svets", municipality="Boden"),
                starts_in=timedelta(20),
            ).id,
            "umea": make.session(
                model=vit,
                center=make.center(name="Umeå Svets", municipality="Umeå"),
                starts_in=timedelta(15),
            ).id,
            "gron": make.session(model=gron, center=lulea, starts_in=timedelta(12)).id,
            "vit": vit.id,
            "lulea": lulea.municipality_id,
        }
        return ids


def test_nothing_found_offers_the_closest_alternatives_as_links(client, none_in_lulea):
    form = page_form(client, "/", action="/")
    form.set("model", str(none_in_lulea["vit"])).set("municipality", none_in_lulea["lulea"])
    found = form.submit()
    assert found.status_code == 200 and _cards(found) == []
    text = _text(found)
    assert "Närmaste alternativ med lediga platser" in text
    offered = [label for label in _links(found) if " pass, första " in label]
    assert [label.split(":")[0] for label in offered] == [
        "Senare datum",
        "I Boden",  # the same county before the other one
        "I Umeå",
        "Svets — nivå GRÖN",
        "Svets, alla nivåer",
    ]
    expected = {
        "Senare datum": {none_in_lulea["later"]},
        "I Boden": {none_in_lulea["boden"]},
        "I Umeå": {none_in_lulea["umea"]},
        "Svets — nivå GRÖN": {none_in_lulea["gron"]},
        "Svets, alla nivåer": {none_in_lulea["gron"]},
    }
    for label in offered:
        followed = client.get(_links(found)[label])
        assert followed.status_code == 200
        assert _session_links(followed) == expected[label.split(":")[0]], label


def test_nothing_found_offers_interest_in_the_model_and_place_asked_for(
    client, auth, app, make, none_in_lulea
):
    with app.app_context():
        email = make.employee().email
    auth.login(email)
    form = page_form(client, "/", action="/")
    found = (
        form.set("model", str(none_in_lulea["vit"]))
        .set("municipality", none_in_lulea["lulea"])
        .submit()
    )
    (link,) = [href for label, href in _links(found).items() if "Anmäl intresse" in label]
    interest = page_form(client, link, button="Anmäl intresse")
    assert interest.value("model") == str(none_in_lulea["vit"])
    assert interest.value("municipality") == str(none_in_lulea["lulea"])


def test_nothing_anywhere_keeps_the_general_hint(client):
    found = client.get("/")
    assert "Prova ett längre datumintervall eller en annan kommun" in _text(found)


# --- the month view ---------------------------------------------------------------


def _next_month() -> date:
    today = local_date(utcnow())
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


@pytest.fixture
def month(app, make):
    """Next month: day 10 has two free sessions, day 11 a full one, day 12 a cancelled
    one, day 13 a Svets VIT one; the month after has one on day 5."""
    first = _next_month()
    following = (first + timedelta(days=32)).replace(day=1)
    with app.app_context():
        center = make.center()
        eight, ten = time(8, 0), time(10, 0)
        a = make.session(center=center, local_day=first.replace(day=10), local_time=eight)
        b = make.session(center=center, local_day=first.replace(day=10), local_time=ten)
        full = make.session(center=center, seats=1, local_day=first.replace(day=11))
        taker = make.employee()
        book_seat(full.id, taker, taker)
        make.session(center=center, local_day=first.replace(day=12), status="cancelled")
        svets = make.session(
            center=center, model=make.model("svets-vit"), local_day=first.replace(day=13)
        )
        later = make.session(center=center, local_day=following.replace(day=5))
        return {
            "first": first,
            "following": following,
            "day10": {a.id, b.id},
            "svets": svets.id,
            "later": later.id,
            "bas": make.model().id,
        }


def _day_links(response) -> dict[str, str]:
    return {k: v for k, v in _links(response).items() if "pass med lediga platser" in k}


def test_the_month_marks_days_with_free_seats_only(client, month):
    first = month["first"]
    page = client.get(f"/month?month={first:%Y-%m}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r"<caption>[^<]*: 3 pass med lediga platser</caption>", html)
    assert html.count('<th scope="col">') == 7
    days = _day_links(page)
    assert len(days) == 2  # not the full day 11, nor the cancelled day 12
    labels = sorted(days, key=lambda label: int(label.split()[1]))
    assert re.match(r"^\w+ 10 \w+: 2 pass med lediga platser$", labels[0]), labels
    assert re.match(r"^\w+ 13 \w+: 1 pass med lediga platser$", labels[1]), labels


def test_choosing_a_day_lists_that_days_sessions(client, month):
    page = client.get(f"/month?month={month['first']:%Y-%m}")
    ten = next(href for label, href in _day_links(page).items() if " 10 " in label)
    listed = client.get(ten)
    assert listed.status_code == 200
    assert _session_links(listed) == month["day10"]


def test_the_filters_follow_from_the_list_across_months_and_into_a_day(client, month):
    form = page_form(client, "/", action="/").set("model", str(month["bas"]))
    listed = form.submit()
    to_month = client.get(_links(listed)["Månadsvy"])
    assert to_month.status_code == 200
    # It starts at the current month; the next month's link keeps the model.
    following = client.get(_links(to_month)["Nästa månad"])
    days = _day_links(following)
    assert not any(" 13 " in label for label in days)  # the Svets session is filtered away
    assert any(" 10 " in label for label in days)
    after = client.get(_links(following)["Nästa månad"])
    assert parse_qs(urlsplit(_links(following)["Nästa månad"]).query)["model"] == [
        str(month["bas"])
    ]
    later_days = _day_links(after)
    assert len(later_days) == 1
    listed_day = client.get(next(iter(later_days.values())))
    assert _session_links(listed_day) == {month["later"]}
    back = client.get(_links(after)["Föregående månad"])
    assert _day_links(back) == days
    assert client.get(_links(after)["Lista"]).status_code == 200


def test_the_month_form_filters_by_family(client, month):
    page = client.get(f"/month?month={month['first']:%Y-%m}")
    form = page_form(client, f"/month?month={month['first']:%Y-%m}", action="/month")
    assert page.status_code == 200
    svets = form.set("model", "family:svets").submit()
    days = _day_links(svets)
    assert len(days) == 1 and " 13 " in next(iter(days))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("2027-13", "ÅÅÅÅ-MM"),
        ("march", "ÅÅÅÅ-MM"),
        # Written right, but a year no date may name: it says the years, as dates do.
        ("1999-01", "Välj en månad mellan år 2000 och 2100."),
        ("9999-12", "Välj en månad mellan år 2000 och 2100."),
    ],
)
def test_a_bad_month_answers_400_with_a_message(client, bad, message):
    response = client.get(f"/month?month={bad}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # Once, in the error summary that takes the focus, and the title says so.
    assert html.count(message) == 1 and "<title>Fel: Lediga dagar" in html
    assert 'class="error-summary"' in html


@pytest.mark.parametrize(
    ("fields", "summary"),
    [
        ({"date_from": "2030-03-01", "date_to": "2030-03-15"}, "Filter: 1 mars–15 mars"),
        ({"date_to": "2030-03-15"}, "Filter: till 15 mars"),
        ({"date_from": "2030-03-01", "weeks": "2"}, "Filter: 2 veckor från 1 mars"),
        ({"weeks": "0"}, "Filter: alla datum"),
    ],
)
def test_the_summary_says_the_period_asked_for(client, fields, summary):
    form = page_form(client, "/", action="/").set("free_only", False)
    response = form.fill(**fields).submit()
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    said = re.search(r"<summary>(.*?)</summary>", html, re.S)[1]
    assert " ".join(unescape(re.sub(r"<[^>]+>", " ", said)).split()) == summary


def test_the_month_opened_bare_shows_the_search_last_made(client, month):
    """A bookmark of /month, or the list's search made earlier: the month keeps to it."""
    form = page_form(client, "/", action="/").set("model", str(month["bas"]))
    assert form.submit().status_code == 200  # remembered in the filter cookie
    bare = client.get("/month")
    assert bare.status_code == 200
    assert f'<option selected value="{month["bas"]}">' in bare.get_data(as_text=True)
    following = client.get(_links(bare)["Nästa månad"])
    assert parse_qs(urlsplit(_links(bare)["Nästa månad"]).query)["model"] == [str(month["bas"])]
    assert not any(" 13 " in label for label in _day_links(following))  # no Svets


def test_the_month_ignores_dates_it_has_no_fields_for(client, month):
    """The list's bad dates went along to the month, whose error summary then linked to
    a date field the month page does not have."""
    for query in ("date_from=2027-05-01&date_to=2027-01-01", "date_from=bad"):
        page = client.get(f"/month?{query}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200, query
        assert "error-summary" not in html and 'href="#date_' not in html

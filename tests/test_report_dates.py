"""The dashboard's range is two dates (type=date, which Firefox and Safari offer, unlike
type=week); the figures cover the ISO weeks the dates fall in, and old links with
?from_week=2024-W11&to_week=2024-W20 keep working."""

from tests.forms import page_form
from tests.test_reports import (
    _csv,
    data,  # noqa: F401  (the fixture: two centers in 2024)
)


def test_the_filter_takes_dates_and_shows_the_weeks_they_span(client, auth, data):  # noqa: F811
    auth.login(data["project_admin"])
    form = page_form(client, "/reports/", button="Visa")
    assert form.controls["from_date"].input_type == "date"
    assert form.controls["to_date"].input_type == "date"
    assert "from_week" not in form and "to_week" not in form
    page = form.fill(from_date="2024-03-13", to_date="2024-03-13").submit()
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Visar vecka 11–11: måndag 11 mars 2024 – söndag 17 mars 2024." in html
    assert 'class="heat-3" title="3/4 platser bokade">75<' in html
    # The CSV links carry the same dates.
    assert "/reports/utilisation.csv?" in html
    assert "from_date=2024-03-13&amp;to_date=2024-03-13" in html
    heat = _csv(client.get("/reports/utilisation.csv?from_date=2024-03-13&to_date=2024-03-13"))
    assert ["A-centret Luleå", "2024-W11", "4", "3", "75,0"] in heat


def test_bad_dates_get_a_message_and_400(client, auth, data):  # noqa: F811
    auth.login(data["project_admin"])
    form = page_form(client, "/reports/", button="Visa")
    cases = {
        ("2024-05-20", "2024-03-11"): "Till och med-datumet ligger före från och med-datumet.",
        ("2024-13-01", "2024-05-20"): "Skriv datumet som år-månad-dag",
        ("", "2024-05-20"): "Ange ett datum.",
        ("1999-12-31", "2024-05-20"): "Välj ett datum mellan år 2000 och 2100.",
        ("2023-01-02", "2024-05-20"): "Välj högst 53 veckor.",
    }
    for (first, last), message in cases.items():
        response = form.copy().fill(from_date=first, to_date=last).submit()
        page = response.get_data(as_text=True)
        assert response.status_code == 400, (first, last)
        assert message in page and 'class="error"' in page, (first, last)


def test_old_week_links_still_work_as_dates(client, auth, data):  # noqa: F811
    auth.login(data["project_admin"])
    page = client.get("/reports/?from_week=2024-W11&to_week=2024-W20")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="2024-03-11"' in html and 'value="2024-05-19"' in html
    assert "Visar vecka 11–20" in html
    old = _csv(client.get("/reports/utilisation.csv?from_week=2024-W11&to_week=2024-W20"))
    new = _csv(client.get("/reports/utilisation.csv?from_date=2024-03-11&to_date=2024-05-19"))
    assert old == new and len(old) == 1 + 2 * 10
    bad = client.get("/reports/?from_week=2024-W60")
    assert bad.status_code == 400
    assert "Skriv veckan som år och vecka" in bad.get_data(as_text=True)

"""Figures as readers expect them in their language."""

from flask_babel import force_locale

from app.formatting import percent


def test_a_half_percent_rounds_up_in_both_languages(app):
    """5 of 8 seats is 62.5 %: people (and Excel) say 63 %; Babel alone said 62 %."""
    with app.test_request_context():
        with force_locale("sv"):
            assert percent(5 / 8).replace("\xa0", " ") == "63 %"
            assert percent(1 / 3).replace("\xa0", " ") == "33 %"
            assert percent(7 / 40).replace("\xa0", " ") == "18 %"  # 0.17499… as a float
        with force_locale("en"):
            assert percent(5 / 8) == "63%"
            assert percent(0.0) == "0%"


def test_the_week_schedules_title_says_whose_and_which_year(app, client, make, auth):
    with app.app_context():
        email = make.assessor(make.model()).email
    auth.login(email)
    html = client.get("/schedule/?week=2027-W13").get_data(as_text=True)
    assert "<title>Mitt schema, vecka 13 2027 – " in html

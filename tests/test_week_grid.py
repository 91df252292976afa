"""The testledare's week grid wraps words whole: "Industriteknik", never "Industritekn|ik".

The stylesheet's rule is checked as text, and Debian's Chromium (Playwright) measures the
rendered grid: every word of every text node in it sits on one line (a Range over the
word has one line), at a desktop's width, just above and at 60rem (where the seven
columns start) and on a phone; with seven columns the grid fits without scrolling sideways.
"""

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.schedule.models import AssessorAuthorisation
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD, Factory
from tests.live import chromium, serving

CSS = Path(__file__).resolve().parent.parent / "app" / "static" / "site.css"
MONDAY = date(2030, 9, 2)  # week 36


def _rule(css: str, selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, f"no rule for {selector}"
    return match.group(1)


def test_the_stylesheet_keeps_words_whole_in_the_week_grid():
    css = CSS.read_text()
    day = _rule(css, ".week-grid .day")
    assert "overflow-wrap: normal" in day and "word-break: normal" in day
    assert "break-word" not in day and "anywhere" not in day and "break-all" not in day
    # A column is never narrower than its longest word.
    assert "minmax(min-content, 1fr)" in _rule(css, ".week-grid")


def test_the_week_page_marks_the_language_for_the_browser(app, client, auth, make):
    with app.app_context():
        assessor = make.assessor()
        email = assessor.email
    auth.login(email)
    html = client.get("/schedule/?week=2030-W36").get_data(as_text=True)
    assert '<html lang="sv">' in html and 'class="week-grid"' in html


@pytest.fixture(scope="module")
def live(_sqlite_databases, tmp_path_factory):
    """A testledare with a full week of sessions with long names, served on loopback."""
    url = _sqlite_databases.create(tmp_path_factory.mktemp("weekgrid"))
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        make = Factory()
        assessor = make.person(("assessor",), name="Anna Lindberg")
        # The demo's names, and one long compound on Monday: its column widens, the
        # others give way. (Such words on every day would make the grid scroll sideways
        # rather than break them.)
        centers = [
            make.center(name="Utbildningscentrum Skellefteå", municipality="Skellefteå"),
            make.center(name="Komvux Luleå teknikcentrum", municipality="Luleå"),
            make.center(name="Umeå industriskola", municipality="Umeå"),
        ]
        models = [make.model(c) for c in ("industriteknik-bas", "underhall-bas", "automation-bas")]
        for model in models:
            make._save(
                AssessorAuthorisation(
                    person=assessor,
                    model=model,
                    valid_from=date(2020, 1, 1),
                    valid_to=date(2035, 12, 31),
                )
            )
        for offset in range(5):
            for hour, model in ((7, models[offset % 3]), (13, models[(offset + 1) % 3])):
                make.session(
                    local_day=MONDAY + timedelta(days=offset),
                    local_time=time(hour, 0),
                    center=centers[0] if offset == 0 else centers[1 + offset % 2],
                    model=model,
                    assessor=assessor,
                )
        email = assessor.email
        db.session.remove()
    with serving(app) as base:
        yield base, email


# Every word of every text node in the grid: how many line boxes it spans.
SPLIT_WORDS = """() => {
  const grid = document.querySelector('.week-grid');
  const walker = document.createTreeWalker(grid, NodeFilter.SHOW_TEXT);
  const split = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (const match of text.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) split.push(match[0]);
    }
  }
  return {split, words: grid.innerText.split(/\\s+/).length,
          scroll: grid.scrollWidth, width: grid.clientWidth,
          columns: [...grid.children].map(day => Math.round(day.getBoundingClientRect().width))};
}"""


@pytest.mark.parametrize("width", [1280, 961, 960, 375])
def test_no_word_is_split_across_lines_in_chromium(live, width):
    base, email = live
    with chromium() as browser:
        page = browser.new_context(
            viewport={"width": width, "height": 900}, locale="sv-SE"
        ).new_page()
        page.goto(f"{base}/login")
        page.get_by_label("E-postadress", exact=True).fill(email)
        page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(f"{base}/schedule/?week=2030-W36")
        assert page.locator(".week-grid .card").count() == 10
        found = page.evaluate(SPLIT_WORDS)
    assert found["words"] > 50
    assert found["split"] == [], f"words split across lines at {width}px: {found['split']}"
    if width > 960:  # seven columns from 60rem up; stacked days below
        assert found["scroll"] <= found["width"], f"the grid scrolls sideways at {width}px: {found}"

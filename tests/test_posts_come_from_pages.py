"""No HTTP test posts a token or a form it did not read from the page it submits.

Planning shipped a create form without its CSRF token while every test stayed green,
because the tests posted a token taken from another page. Tests now send forms
through tests/forms.py; this test keeps it so. The files below may build a POST by
hand, each for the reason given: their subject is a forged, missing or stale token,
a request no page shows its sender, or a request prepared from a rendered form and
fired many times at once.
"""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent

HAND_BUILT_ALLOWED = {
    "test_csrf.py": "a missing or forged token at every POST route",
    "test_access_matrix.py": "forbidden actors probing forms no page shows them",
    "test_accounts_security.py": "forged password-reset links, which render no form",
    "test_travel_times.py": "roles the page refuses, who are shown no form",
    "test_booking_race.py": "each person's rendered booking form, fired concurrently",
    "test_bulk_booking_race.py": "a group's rendered confirmation and booking forms, fired at once",
    "test_bench_dataset.py": "the benchmark's own prepared requests",
    "test_bench_stack_floor.py": "the bare stack, which renders no pages",
    "test_bad_input.py": "JSON API requests with a bearer token (no HTML form)",
    "test_form_fuzz.py": "JSON API requests with a bearer token (no HTML form)",
    "test_request_limits.py": "an oversized JSON API body with a bearer token (no HTML form)",
    "test_project_scopes.py": "JSON API bookings with a bearer token (no HTML form)",
}

# A test client's or requests' POST, or a token put into a request body by hand.
HAND_BUILT = re.compile(r"\.post\(|[\"']csrf_token[\"']\s*:")


def test_only_the_listed_tests_build_a_post_by_hand():
    offenders = {
        path.name: [
            n for n, line in enumerate(path.read_text().splitlines(), 1) if HAND_BUILT.search(line)
        ]
        for path in sorted(TESTS.glob("*.py"))
        if path.name not in HAND_BUILT_ALLOWED
        and path.name not in ("forms.py", Path(__file__).name)
    }
    offenders = {name: lines for name, lines in offenders.items() if lines}
    assert offenders == {}, f"submit the rendered form with tests/forms.py instead: {offenders}"


def test_the_list_holds_only_files_that_still_need_it():
    for name in HAND_BUILT_ALLOWED:
        assert HAND_BUILT.search((TESTS / name).read_text()), f"{name} no longer builds posts"


def test_the_pattern_finds_a_borrowed_token():
    assert HAND_BUILT.search('client.post("/x", data={"csrf_token": token})')
    assert HAND_BUILT.search("data = {'csrf_token': csrf_token(page)}")
    assert not HAND_BUILT.search('form.remove("csrf_token")')

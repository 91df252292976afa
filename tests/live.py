"""The app served on a loopback port, and Debian's Chromium, for the browser tests.

`playwright install` cannot download a browser here: the tests drive Debian's
`/usr/bin/chromium` (the README's second command installs it) and fail, not skip,
when it is missing.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from app.extensions import db

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flag Chromium keeps calling out of this closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Full-page PNGs of what the browser tests see, for people to look at: asked for with
# TCB_SCREENSHOTS=1. They cost a quarter of the page checks' time (about 20 s of the
# suite on two cores), which CI, where nobody opens them, does not pay.
SCREENSHOTS = os.environ.get("TCB_SCREENSHOTS") == "1"


def screenshot(page, path) -> None:
    """Save the page as a full-page PNG at `path` when screenshots are asked for."""
    if SCREENSHOTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path, full_page=True)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` from a thread on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def chromium() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with "
            "`apt-get install -y chromium` (.ci/run does so in CI)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

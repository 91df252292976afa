"""The demo, loaded once per pytest run and copied for each module that needs it.

Loading it (`seed_demo()`, as `flask seed-demo` does) takes about half a minute on
SQLite, and tests/test_demo.py and tests/test_role_journeys.py both start from it. The
first xdist worker to ask loads it into the run's shared temp folder, under a lock;
every module then works on a copy of that file, so none sees another's changes.
"""

import fcntl
import json
import shutil

from app import create_app
from app.demo import seed_demo
from app.extensions import db
from tests.conftest import TEST_CONFIG


def _load(url: str) -> list[str]:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        lines = seed_demo()
        db.session.remove()
        db.engine.dispose()
    return lines


def seeded_demo_copy(databases, tmp_path_factory, worker_id) -> tuple[str, list[str]]:
    """A copy of the loaded demo (SQLite URL) and the lines the load printed."""
    folder = tmp_path_factory.mktemp("demo")
    if worker_id == "master":
        url = databases.create(folder)
        return url, _load(url)
    shared = tmp_path_factory.getbasetemp().parent / "demo"
    shared.mkdir(exist_ok=True)
    template, printed = shared / "demo.sqlite", shared / "demo.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            url = databases.create(shared)
            printed.write_text(json.dumps(_load(url)))
            shutil.move(url.removeprefix("sqlite:///"), template)
    copy = folder / "demo.sqlite"
    shutil.copyfile(template, copy)
    return f"sqlite:///{copy}", json.loads(printed.read_text())

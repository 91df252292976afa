"""The one dependency direction of docs/architecture.md, checked by import-linter.

The contracts live in pyproject.toml ([tool.importlinter]); these tests run them
and keep them honest: every package of app/ has its place in the layers, and no
import is excused.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict]:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["importlinter"]["contracts"]


def _layered_modules() -> set[str]:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    return {
        module.strip()
        for layer in layers["layers"]
        for module in layer.replace("|", ":").split(":")
    }


def test_imports_follow_the_layers_and_make_no_circles():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run(
        [str(lint), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_every_module_of_the_app_has_a_layer():
    """A new package or module under app/ must be placed in a layer to be checked."""
    found = {
        f"app.{path.stem if path.suffix == '.py' else path.name}"
        for path in (ROOT / "app").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert found - _layered_modules() == set()


def test_no_import_is_excused():
    for contract in _contracts():
        assert not contract.get("ignore_imports"), contract["name"]
        assert not contract.get("unmatched_ignore_imports_alerting"), contract["name"]

"""Commands for `flask`: each feature registers its own; the demo data is app-wide."""

import click
from flask import Flask

from app.accounts import cli as accounts_cli
from app.api import cli as api_cli
from app.calendar import cli as calendar_cli
from app.centers import cli as centers_cli
from app.results import cli as results_cli
from app.schedule import cli as schedule_cli
from app.webhooks import cli as webhooks_cli

FEATURES = (
    accounts_cli,
    schedule_cli,
    centers_cli,
    results_cli,
    calendar_cli,
    webhooks_cli,
    api_cli,
)


def register_cli(app: Flask) -> None:
    for feature in FEATURES:
        feature.register(app)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo data set (safe to run again: it adds nothing twice)."""
        from app.demo import seed_demo

        for line in seed_demo():
            click.echo(line)

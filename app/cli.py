"""Commands for `flask`: demo data and other chores."""

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo data set (safe to run again: it adds nothing twice)."""
        from app.demo import seed_demo

        for line in seed_demo():
            click.echo(line)

    @app.cli.command("mark-no-shows")
    def mark_no_shows_command():
        """Mark participants not checked in 30 minutes after start as no-shows (cron)."""
        from app.results.services import mark_no_shows

        click.echo(f"{mark_no_shows()} marked as no-shows")

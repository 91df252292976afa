"""The `flask mark-no-shows` command."""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.results.services import mark_no_shows


@click.command("mark-no-shows")
@with_appcontext
def mark_no_shows_command():
    """Mark participants not checked in 30 minutes after start as no-shows (cron)."""
    click.echo(f"{mark_no_shows()} marked as no-shows")


def register(app: Flask) -> None:
    app.cli.add_command(mark_no_shows_command)

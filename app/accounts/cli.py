"""The `flask purge-employee-imports` command."""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.accounts.import_reports import purge_old_imports
from app.db import unit_of_work


@click.command("purge-employee-imports")
@with_appcontext
def purge_employee_imports_command():
    """Delete employee import reports (with their rejected rows) past their day (cron)."""
    with unit_of_work():
        count = purge_old_imports()
    click.echo(f"{count} import reports deleted")


def register(app: Flask) -> None:
    app.cli.add_command(purge_employee_imports_command)

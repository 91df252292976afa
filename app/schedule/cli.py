"""The `flask authorise` command: a testledare's authorisation for a validation model."""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.accounts.services import find_by_email
from app.errors import DomainError
from app.schedule.authorisations import grant
from app.schedule.queries import model_by_code, model_codes


@click.command("authorise")
@with_appcontext
@click.argument("email")
@click.argument("model_code")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]))
def authorise_command(email, model_code, first, last):
    """Authorise the testledare EMAIL for a validation model (its code) in a period."""
    person = find_by_email(email)
    if person is None:
        raise click.ClickException(f"No person with e-mail {email}")
    model = model_by_code(model_code)
    if model is None:
        codes = ", ".join(model_codes())
        raise click.ClickException(f"No validation model {model_code}; one of: {codes}")
    try:
        grant(person.id, model.id, first.date(), last.date(), actor=None)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{person.name} may run {model.name} from {first:%Y-%m-%d} to {last:%Y-%m-%d}.")


def register(app: Flask) -> None:
    app.cli.add_command(authorise_command)

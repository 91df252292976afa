"""The `flask api-token` commands."""

import click
from flask import Flask
from flask.cli import AppGroup

from app.accounts.services import find_by_email
from app.api.tokens import create_token


@click.group("api-token", cls=AppGroup)
def api_token():
    """Personal API tokens."""


@api_token.command("create")
@click.argument("email")
@click.option("--name", default="CLI", help="What the token is for.")
def api_token_create(email: str, name: str):
    """Create an API token for EMAIL and print it (it is shown only once)."""
    person = find_by_email(email)
    if person is None:
        raise click.ClickException(f"No person with e-mail {email}")
    _row, token = create_token(person, name)
    click.echo(token)


def register(app: Flask) -> None:
    app.cli.add_command(api_token)

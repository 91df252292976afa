"""The `flask invite` command.

Inviting is the accounts feature's, but a center_admin's invitation names a test
center, and accounts may not read centers: the command lives one layer up, here.
"""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.accounts.models import Role
from app.accounts.queries import company_by_org_number
from app.accounts.services import invite_new_person
from app.centers.queries import find_center
from app.errors import DomainError


@click.command("invite")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    default=("employee",),
    show_default=True,
    type=click.Choice([role.value for role in Role]),
    help="Repeat for several roles.",
)
@click.option("--company", "org_number", help="The company's organisationsnummer.")
@click.option("--center", "center_id", type=int, help="The test center of a center_admin.")
def invite_command(email, name, roles, org_number, center_id):
    """Create an account for EMAIL and mail an invitation to choose a password."""
    company = center = None
    if org_number:
        company = company_by_org_number(org_number)
        if company is None:
            raise click.ClickException(f"No company with organisationsnummer {org_number}")
    if Role.CENTER_ADMIN in roles:
        center = find_center(center_id) if center_id else None
        if center is None:
            raise click.ClickException("A center_admin needs --center with a test center's id")
    try:
        person = invite_new_person(name, email, tuple(roles), company=company, center=center)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Invited {person.email}; the invitation waits in the outbox (send-mail).")


def register(app: Flask) -> None:
    app.cli.add_command(invite_command)

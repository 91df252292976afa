"""Commands for `flask`: each feature registers its own; the demo data and the invitation
(which names a company, a test center and funding projects) are app-wide."""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.accounts import cli as accounts_cli
from app.accounts.models import Role
from app.accounts.queries import company_by_org_number
from app.accounts.services import invite_new_person
from app.api import cli as api_cli
from app.calendar import cli as calendar_cli
from app.centers.queries import find_center
from app.errors import DomainError
from app.projects import cli as projects_cli
from app.projects.scope import project_names
from app.results import cli as results_cli
from app.schedule import cli as schedule_cli
from app.webhooks import cli as webhooks_cli

FEATURES = (
    accounts_cli,
    schedule_cli,
    projects_cli,
    results_cli,
    calendar_cli,
    webhooks_cli,
    api_cli,
)


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
@click.option(
    "--project",
    "project_ids",
    multiple=True,
    type=int,
    help="A funding project a project_admin is limited to; repeat for several. "
    "Without it a project_admin sees every project.",
)
def invite_command(email, name, roles, org_number, center_id, project_ids):
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
    if project_ids:
        if Role.PROJECT_ADMIN not in roles:
            raise click.ClickException("--project is for a project_admin")
        if missing := set(project_ids) - set(project_names(project_ids)):
            raise click.ClickException(f"No funding project {', '.join(map(str, missing))}")
    try:
        person = invite_new_person(
            name, email, tuple(roles), company=company, center=center, project_ids=project_ids
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Invited {person.email}; the invitation waits in the outbox (send-mail).")


def register_cli(app: Flask) -> None:
    for feature in FEATURES:
        feature.register(app)
    app.cli.add_command(invite_command)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo data set (safe to run again: it adds nothing twice)."""
        from app.demo import seed_demo

        for line in seed_demo():
            click.echo(line)

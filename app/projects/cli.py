"""The `flask project-admin-scope` command: which projects a project admin administers."""

import click
from flask import Flask
from flask.cli import with_appcontext

from app.accounts.services import find_by_email
from app.errors import DomainError
from app.projects.scope import project_names, set_admin_projects


@click.command("project-admin-scope")
@with_appcontext
@click.argument("email")
@click.option(
    "--project",
    "project_ids",
    multiple=True,
    type=int,
    help="A funding project's id; repeat for several. The admin sees only these projects.",
)
@click.option("--all", "every", is_flag=True, help="Let the admin see every project.")
def project_admin_scope_command(email, project_ids, every):
    """Limit the project admin EMAIL to named projects, or (--all) let them see all."""
    if bool(project_ids) == every:
        raise click.UsageError("Give --project (one or more) or --all, not both.")
    person = find_by_email(email)
    if person is None:
        raise click.ClickException(f"No account with e-mail address {email}")
    try:
        changed = set_admin_projects(person, () if every else project_ids)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    already = "" if changed else "Nothing changed: "
    limited = person.admin_project_ids
    if limited is None:
        click.echo(f"{already}{person.email} administers every project.")
    else:
        names = project_names(limited)
        listed = ", ".join(names[i] for i in sorted(names))
        click.echo(f"{already}{person.email} administers: {listed}.")


def register(app: Flask) -> None:
    app.cli.add_command(project_admin_scope_command)

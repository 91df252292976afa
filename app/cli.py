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

    @app.cli.command("read-replies")
    @click.option("--loop", is_flag=True, help="Keep running; otherwise one round and exit.")
    @click.option("--interval", default=120, show_default=True, help="Seconds between rounds.")
    def read_replies_command(loop: bool, interval: int):
        """Read participants' calendar replies over IMAP: Decline cancels the seat.

        Needs REPLIES_ADDRESS and REPLIES_IMAP_* (docs/running-in-production.md); the
        cancellations' mail goes out with `send-mail`.
        """
        import imaplib
        import time

        from app.calendar.replies import RepliesNotConfigured, read_replies

        while True:
            try:
                report = read_replies()
            except RepliesNotConfigured:
                click.echo(
                    "Calendar replies are not read: set REPLIES_ADDRESS and REPLIES_IMAP_HOST "
                    "(and REPLIES_IMAP_USER, REPLIES_IMAP_PASSWORD) to the mailbox that "
                    "participants' invites name as organizer."
                )
                return
            except (OSError, imaplib.IMAP4.error) as error:
                click.echo(f"The replies mailbox could not be read: {error}", err=True)
                if not loop:
                    raise SystemExit(1) from error
            else:
                click.echo(
                    f"{report.unseen} unread, {report.replies} calendar replies, "
                    f"{report.cancelled} seats cancelled, {report.not_cancelled} declines "
                    f"not applied (the person is told), {report.failed} failed"
                )
            if not loop:
                return
            time.sleep(interval)

    @app.cli.command("mark-no-shows")
    def mark_no_shows_command():
        """Mark participants not checked in 30 minutes after start as no-shows (cron)."""
        from app.results.services import mark_no_shows

        click.echo(f"{mark_no_shows()} marked as no-shows")

    @app.cli.command("send-mail")
    @click.option("--loop", is_flag=True, help="Keep running; otherwise one round and exit.")
    @click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
    def send_mail_command(loop: bool, interval: int):
        """Mark no-shows, queue due reminders and send the outbox over SMTP.

        Run from cron, or with --loop as a service; several may run at once (each
        message is claimed by one). Webhooks and calendar replies have their own workers.
        """
        import time

        from app.calendar.reminders import queue_reminders
        from app.mail.worker import send_due
        from app.results.services import mark_no_shows

        while True:
            no_shows = mark_no_shows()
            reminded = queue_reminders()
            report = send_due()
            click.echo(
                f"{no_shows} marked as no-shows, "
                f"{reminded} reminders queued, {len(report.sent)} sent, "
                f"{len(report.retry)} to retry, {len(report.failed)} failed"
            )
            if not loop:
                return
            time.sleep(interval)

    @app.cli.command("deliver-webhooks")
    @click.option("--loop", is_flag=True, help="Keep running; otherwise one round and exit.")
    @click.option("--interval", default=10, show_default=True, help="Seconds between rounds.")
    def deliver_webhooks_command(loop: bool, interval: int):
        """Send the webhook deliveries that are due (signed, retried with back-off).

        Run beside `send-mail`, with --loop as a service or from cron; several may run
        at once (each delivery is claimed by one).
        """
        import time

        from app.webhooks.delivery import deliver_due

        while True:
            report = deliver_due()
            click.echo(
                f"{len(report.delivered)} webhooks delivered, {len(report.retry)} to retry, "
                f"{len(report.failed)} failed"
            )
            if not loop:
                return
            time.sleep(interval)

    @app.cli.group("api-token")
    def api_token():
        """Personal API tokens."""

    @api_token.command("create")
    @click.argument("email")
    @click.option("--name", default="CLI", help="What the token is for.")
    def api_token_create(email: str, name: str):
        """Create an API token for EMAIL and print it (it is shown only once)."""
        from app.accounts.services import find_by_email
        from app.api.tokens import create_token

        person = find_by_email(email)
        if person is None:
            raise click.ClickException(f"No person with e-mail {email}")
        _row, token = create_token(person, name)
        click.echo(token)

    @app.cli.command("authorise")
    @click.argument("email")
    @click.argument("model_code")
    @click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]))
    @click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]))
    def authorise_command(email, model_code, first, last):
        """Authorise the testledare EMAIL for a validation model (its code) in a period."""
        from sqlalchemy import select

        from app.accounts.services import find_by_email
        from app.errors import DomainError
        from app.extensions import db
        from app.schedule.authorisations import grant
        from app.schedule.models import ValidationModel

        person = find_by_email(email)
        if person is None:
            raise click.ClickException(f"No person with e-mail {email}")
        model = db.session.scalar(select(ValidationModel).where(ValidationModel.code == model_code))
        if model is None:
            codes = ", ".join(db.session.scalars(select(ValidationModel.code)))
            raise click.ClickException(f"No validation model {model_code}; one of: {codes}")
        try:
            grant(person.id, model.id, first.date(), last.date(), actor=None)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"{person.name} may run {model.name} from {first:%Y-%m-%d} to {last:%Y-%m-%d}.")

    @app.cli.command("invite")
    @click.argument("email")
    @click.option("--name", required=True, help="The person's full name.")
    @click.option(
        "--role",
        "roles",
        multiple=True,
        default=("employee",),
        show_default=True,
        type=click.Choice(("employee", "coordinator", "assessor", "center_admin", "project_admin")),
        help="Repeat for several roles.",
    )
    @click.option("--company", "org_number", help="The company's organisationsnummer.")
    @click.option("--center", "center_id", type=int, help="The test center of a center_admin.")
    def invite_command(email, name, roles, org_number, center_id):
        """Create an account for EMAIL and mail an invitation to choose a password."""
        from sqlalchemy import select

        from app.accounts.models import Company
        from app.accounts.orgnr import normalise_orgnr
        from app.accounts.services import invite_new_person
        from app.centers.models import TestCenter
        from app.errors import DomainError
        from app.extensions import db

        company = center = None
        if org_number:
            company = db.session.scalar(
                select(Company).where(Company.org_number == (normalise_orgnr(org_number) or ""))
            )
            if company is None:
                raise click.ClickException(f"No company with organisationsnummer {org_number}")
        if "center_admin" in roles:
            center = db.session.get(TestCenter, center_id) if center_id else None
            if center is None:
                raise click.ClickException("A center_admin needs --center with a test center's id")
        try:
            person = invite_new_person(name, email, tuple(roles), company=company, center=center)
        except DomainError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"Invited {person.email}; the invitation waits in the outbox (send-mail).")

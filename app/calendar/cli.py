"""Calendar's commands: `send-mail` (the invites' worker) and `read-replies`."""

import imaplib
import time

import click
from flask import Flask
from flask.cli import with_appcontext

from app.bookings.interest import expire_interests
from app.calendar.reminders import queue_reminders
from app.calendar.replies import RepliesNotConfigured, read_replies
from app.mail.worker import send_due
from app.results.services import mark_no_shows


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running; otherwise one round and exit.")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
def send_mail_command(loop: bool, interval: int):
    """Mark no-shows, queue due reminders, end passed interest and send the outbox over SMTP.

    Run from cron, or with --loop as a service; several may run at once (each
    message is claimed by one). Webhooks and calendar replies have their own workers.
    """
    # Here rather than in app.mail: the round also settles no-shows (results) and
    # queues reminders (calendar), which the mail core may not know.
    while True:
        no_shows = mark_no_shows()
        reminded = queue_reminders()
        expired = expire_interests()
        report = send_due()
        click.echo(
            f"{no_shows} marked as no-shows, {expired} interests expired, "
            f"{reminded} reminders queued, {len(report.sent)} sent, "
            f"{len(report.retry)} to retry, {len(report.failed)} failed"
        )
        if not loop:
            return
        time.sleep(interval)


@click.command("read-replies")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running; otherwise one round and exit.")
@click.option("--interval", default=120, show_default=True, help="Seconds between rounds.")
def read_replies_command(loop: bool, interval: int):
    """Read participants' calendar replies over IMAP: Decline cancels the seat.

    Needs REPLIES_ADDRESS and REPLIES_IMAP_* (docs/running-in-production.md); the
    cancellations' mail goes out with `send-mail`.
    """
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


def register(app: Flask) -> None:
    app.cli.add_command(send_mail_command)
    app.cli.add_command(read_replies_command)

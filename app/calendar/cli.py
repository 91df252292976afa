"""The `flask read-replies` command: participants' calendar replies from the mailbox."""

import imaplib
import time

import click
from flask import Flask
from flask.cli import with_appcontext

from app.calendar.replies import RepliesNotConfigured, read_replies


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
    app.cli.add_command(read_replies_command)

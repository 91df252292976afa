"""The `flask deliver-webhooks` worker."""

import time

import click
from flask import Flask
from flask.cli import with_appcontext

from app.webhooks.delivery import deliver_due


@click.command("deliver-webhooks")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep running; otherwise one round and exit.")
@click.option("--interval", default=10, show_default=True, help="Seconds between rounds.")
def deliver_webhooks_command(loop: bool, interval: int):
    """Send the webhook deliveries that are due (signed, retried with back-off).

    Run beside `send-mail`, with --loop as a service or from cron; several may run
    at once (each delivery is claimed by one).
    """
    while True:
        report = deliver_due()
        click.echo(
            f"{len(report.delivered)} webhooks delivered, {len(report.retry)} to retry, "
            f"{len(report.failed)} failed"
        )
        if not loop:
            return
        time.sleep(interval)


def register(app: Flask) -> None:
    app.cli.add_command(deliver_webhooks_command)

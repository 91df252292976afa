"""Commands for `flask`: each feature's own, and the app-wide ones (demo data, mail)."""

import click
from flask import Flask

from app.api import cli as api_cli
from app.calendar import cli as calendar_cli
from app.centers import cli as centers_cli
from app.results import cli as results_cli
from app.schedule import cli as schedule_cli
from app.webhooks import cli as webhooks_cli

FEATURES = (schedule_cli, centers_cli, results_cli, calendar_cli, webhooks_cli, api_cli)


def register_cli(app: Flask) -> None:
    for feature in FEATURES:
        feature.register(app)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo data set (safe to run again: it adds nothing twice)."""
        from app.demo import seed_demo

        for line in seed_demo():
            click.echo(line)

    @app.cli.command("send-mail")
    @click.option("--loop", is_flag=True, help="Keep running; otherwise one round and exit.")
    @click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
    def send_mail_command(loop: bool, interval: int):
        """Mark no-shows, queue due reminders and send the outbox over SMTP.

        Run from cron, or with --loop as a service; several may run at once (each
        message is claimed by one). Webhooks and calendar replies have their own workers.
        """
        import time

        from app.calendar.outbox import send_due
        from app.calendar.reminders import queue_reminders
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

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

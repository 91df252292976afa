"""Flask-Migrate, bound to an app only when its migrations are wanted.

Importing Flask-Migrate imports Alembic (and through it Mako and Pygments): 11 MB
of every web worker's memory (RSS after `import flask, flask_sqlalchemy`: 50 MB,
with `flask_migrate` as well: 61 MB), for commands a worker never runs. So `flask db`
is a group that binds Flask-Migrate when it is called, and the test and benchmark
setups, which migrate in-process, call `bind` first.
"""

import os

import click
from flask import Flask, current_app

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def bind(app: Flask) -> None:
    """Let Flask-Migrate's commands and functions (`flask_migrate.upgrade`) work on `app`."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from app.extensions import db

    Migrate(app, db, directory=MIGRATIONS, render_as_batch=True)


def alembic_config(app: Flask):
    """Alembic's Config for the app's migrations, for Alembic's own commands."""
    bind(app)
    return app.extensions["migrate"].migrate.get_config()


class _DbGroup(click.Group):
    """`flask db …`: Flask-Migrate's own group (its options, its commands), bound to the
    app when it is called; until then only its name and help are known."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        bind(current_app._get_current_object())  # Flask's CLI pushed the app's context
        from flask_migrate.cli import db

        return db.make_context(info_name, args, parent=parent, **extra)


def register_cli(app: Flask) -> None:
    app.cli.add_command(_DbGroup("db", help="Database migrations (Flask-Migrate)."))

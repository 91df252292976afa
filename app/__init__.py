"""Testcenter booking: the application factory."""

import os
import secrets
import time

from flask import Flask
from werkzeug.routing import IntegerConverter


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_relative_config=True)

    from app.config import Defaults, from_environment

    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
        app.instance_path, "testcenter.sqlite"
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    app.config.from_prefixed_env("TCB")  # e.g. TCB_CANCEL_DEADLINE_HOURS=72
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    from app.calendar.revalidate import FeedRevalidation

    # Feed polls that change nothing are answered before Flask (and behind ProxyFix).
    app.wsgi_app = FeedRevalidation(app, app.wsgi_app)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Behind nginx (or another proxy): take the client's address, the scheme and
        # the host from that many X-Forwarded-* hops, and no more.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from app import request_limits

    request_limits.init_app(app)
    _init_extensions(app)
    from app import querycount

    querycount.init_app(app)
    # Ids in URLs are database integers: anything past 32 bits is simply not found,
    # instead of overflowing the database driver.
    app.url_map.converters["int"] = DatabaseIdConverter
    _register_blueprints(app)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    from app import i18n

    i18n.init_app(app)

    from app.errors import register_error_handlers
    from app.formatting import register_filters

    register_error_handlers(app)
    register_filters(app)

    from app import form_errors, input_guard
    from app.accounts import login_sessions, security

    form_errors.init_app(app)
    input_guard.init_app(app)
    security.init_app(app)
    login_sessions.init_app(app)

    from app.api import tokens as api_tokens
    from app.bookings import interest, leavers
    from app.calendar import subscribers as calendar_subscribers
    from app.webhooks import subscribers as webhook_subscribers

    interest.connect(app)  # a new session tells the interested; a booking ends interest
    leavers.connect(app)  # an employee who left loses their seats and queue places ahead
    calendar_subscribers.connect(app)  # schedule and bookings announce; calendar queues invites
    webhook_subscribers.connect(app)  # bookings and results announce; webhooks queue deliveries
    api_tokens.connect(app)  # an employee who left loses their API keys
    from app.calendar import letters

    letters.connect(app)  # the mail outbox writes calendar letters with calendar's renderer
    _register_privacy_parts()
    _register_company_scope()

    from app.cli import register_cli

    register_cli(app)
    return app


def _favicon():
    """Answer /favicon.ico, which browsers and bookmark tools ask for on their own."""
    from flask import current_app, send_from_directory

    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, **kwargs)


def _instance_secret_key(instance_path: str) -> str:
    """Read the key that signs sessions from instance/, making it on first start.

    O_EXCL lets several gunicorn workers start at once and all end up with the key
    the first one wrote.
    """
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another worker may be between creating and writing the file
        with open(path) as handle:
            if key := handle.read().strip():
                return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")


def _init_extensions(app: Flask) -> None:
    # Import every model so that metadata (and Alembic) see the whole schema.
    from flask_babel import lazy_gettext as _l

    from app import models, rate_limit_headers  # noqa: F401
    from app.accounts.auth import load_user
    from app.db import configure_sqlite
    from app.extensions import babel, csrf, db, limiter, login_manager
    from app.i18n import select_locale
    from app.schema_migrations import register_cli

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_WRITE_QUEUE"])
    register_cli(app)  # `flask db`, without Alembic in every web worker
    csrf.init_app(app)
    rate_limit_headers.init_app(app)  # before the limiter, so that its hook runs after
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    # Flask-Login's own "Please log in to access this page." is English on every page.
    login_manager.login_message = _l("Logga in för att se sidan.")
    login_manager.localize_callback = str  # the lazy text, in the request's language


def _register_privacy_parts() -> None:
    """Each feature's share of a person's data, for the GDPR export and erasure."""
    from app.accounts import privacy
    from app.api import privacy as api
    from app.bookings import privacy as bookings
    from app.calendar import privacy as calendar
    from app.centers import privacy as centers
    from app.reports import privacy as reports
    from app.results import privacy as results
    from app.schedule import privacy as schedule
    from app.webhooks import privacy as webhooks

    # Erasing asks bookings, then sessions, then a center's contact whether it must
    # wait: the first reason found is the one shown.
    privacy.register_parts(
        privacy.PART,
        bookings.PART,
        bookings.INTEREST_PART,
        schedule.PART,
        centers.PART,
        results.PART,
        calendar.PART,
        api.PART,
        webhooks.PART,
        reports.PART,
    )


def _register_company_scope() -> None:
    """Tell the accounts layer which companies a limited project admin sees."""
    from app.accounts import company_scope
    from app.projects.scope import takes_part_in_admins_projects

    company_scope.register(takes_part_in_admins_projects)


def _register_blueprints(app: Flask) -> None:
    from app.api import (
        group_views,  # noqa: F401  (adds /api/v1/bookings/bulk to the API's bp)
        interest_views,  # noqa: F401  (adds /api/v1/interests to the API's bp)
        webhook_views,  # noqa: F401  (adds /api/v1/webhooks to the API's bp)
    )
    from app.api.views import bp as api_bp
    from app.views.accounts import bp as accounts_bp
    from app.views.api_tokens import bp as api_tokens_bp
    from app.views.assessor import bp as assessor_bp
    from app.views.audit_log import bp as audit_bp
    from app.views.bookings import bp as bookings_bp
    from app.views.calendar import bp as calendar_bp
    from app.views.centers import bp as centers_bp
    from app.views.company import bp as company_bp
    from app.views.company_overview import bp as company_overview_bp
    from app.views.group_booking import bp as group_booking_bp
    from app.views.interest import bp as interest_bp
    from app.views.language import bp as language_bp
    from app.views.reports import bp as reports_bp
    from app.views.results import bp as results_bp
    from app.views.schedule import bp as schedule_bp
    from app.views.webhooks import bp as webhooks_bp

    app.register_blueprint(schedule_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(centers_bp)
    app.register_blueprint(assessor_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(company_bp)
    app.register_blueprint(company_overview_bp)
    app.register_blueprint(group_booking_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(language_bp)
    app.register_blueprint(interest_bp)

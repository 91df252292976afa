"""Default settings; instance/config.py and environment variables override them."""

import os


class Defaults:
    SECRET_KEY = None  # from the environment, or made once and kept in instance/secret_key
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app: SQLite in instance/
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the sign-in session

    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"
    LANGUAGES = ("sv", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # werkzeug.security method; tests use a cheaper one to keep sign-ins fast.
    PASSWORD_HASH_METHOD = "scrypt"

    # Booking rules (see DESIGN.md): a session opens for booking this many days ahead,
    # closes this many hours before its start, and may be cancelled or moved by the
    # employee until this many hours before its start.
    BOOKING_OPENS_DAYS = 90
    BOOKING_CLOSES_HOURS = 24
    CANCEL_DEADLINE_HOURS = 48

    # Check-in opens this long before the start; whoever is not checked in this long
    # after the start is marked as a no-show.
    CHECK_IN_OPENS_MINUTES = 60
    NO_SHOW_AFTER_MINUTES = 30

    # Travel time a testledare needs between sessions in different municipalities,
    # unless a travel_buffer row says otherwise for that pair.
    DEFAULT_TRAVEL_MINUTES = 120

    SESSIONS_PER_PAGE = 20

    # Flask-Limiter: memory:// per process by default; redis://127.0.0.1:6379 in production.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    API_RATE_LIMIT = "300 per minute"


def from_environment() -> dict:
    """Read the settings that deployments set through the environment."""
    settings = {}
    if url := os.environ.get("DATABASE_URL"):
        if url.startswith("postgres://"):  # the scheme some hosts still hand out
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        settings["SQLALCHEMY_DATABASE_URI"] = url
    if storage := os.environ.get("REDIS_URL"):
        settings["RATELIMIT_STORAGE_URI"] = storage
    if key := os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = key
    return settings

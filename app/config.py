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
    # The counties this deployment serves, by SCB code (e.g. ["24", "25"]): search,
    # planning, reports and the API offer only them. None serves all 21.
    SERVED_COUNTIES = None

    # Check-in opens this long before the start; whoever is not checked in this long
    # after the start is marked as a no-show.
    CHECK_IN_OPENS_MINUTES = 60
    NO_SHOW_AFTER_MINUTES = 30

    # The session page and the confirmation ask people to come this many minutes
    # before the start (check-in), shown as a clock time.
    ARRIVE_MINUTES_BEFORE = 15

    SESSIONS_PER_PAGE = 20
    # Each worker reuses a rendered search result this long (0: never): seat counts on
    # the search page may lag by as much, the session page and booking never do.
    SEARCH_CACHE_SECONDS = 5
    # Each worker reuses a rendered dashboard this long (0: never); its figures may lag
    # by as much. Saving a project or target clears the worker's copy at once.
    REPORTS_CACHE_SECONDS = 60

    # Log "GET /path: N queries" per request (always on when app.debug); see app/querycount.py.
    LOG_QUERY_COUNT = False

    # How many reverse proxies (nginx, a load balancer) stand in front of gunicorn and
    # set X-Forwarded-For/-Proto/-Host; 0 trusts no such header. TCB_TRUSTED_PROXIES=1.
    TRUSTED_PROXIES = 0

    # Links in mails and calendar events point here; UIDs and Message-IDs end in the domain.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    CALENDAR_UID_DOMAIN = "testcenterbokning.example.se"
    WHAT_TO_BRING = (
        "legitimation med foto, skyddsskor och arbetskläder för den praktiska delen, "
        "och glasögon om du läser med sådana"
    )

    # Outgoing mail (the worker `flask send-mail` reads the outbox and sends over SMTP).
    MAIL_FROM = "Testcenterbokning <bokning@testcenterbokning.example.se>"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USE_STARTTLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 30
    # A worker holds a message this long while sending; after that another may take it.
    MAIL_CLAIM_SECONDS = 300
    # Reminders go this many hours before the start.
    REMINDER_HOURS = 24
    # Staff may read the outbox in the browser (meant for development and demos).
    OUTBOX_VIEWER = False

    # Replies to invites (`flask read-replies`, see docs/running-in-production.md): with
    # an address and an IMAP host, a participant's invite names this mailbox as its
    # ORGANIZER, and Decline in their calendar cancels the seat before the deadline.
    REPLIES_ADDRESS = None
    REPLIES_IMAP_HOST = None
    REPLIES_IMAP_PORT = None  # 993 with SSL, 143 without
    REPLIES_IMAP_SSL = True
    REPLIES_IMAP_USER = None
    REPLIES_IMAP_PASSWORD = None
    REPLIES_IMAP_MAILBOX = "INBOX"
    REPLIES_IMAP_TIMEOUT = 30
    # The receiving mail server's name in its Authentication-Results headers (RFC 8601);
    # when set, a reply counts only if that server found the sender's DMARC to pass.
    REPLIES_AUTHSERV_ID = None

    # Feeds: cancelled seats stay visible (as cancelled) this long; past events this long.
    FEED_CANCELLED_DAYS = 30
    FEED_PAST_DAYS = 90
    FEED_REFRESH_MINUTES = 60
    # Built feeds kept per worker process, by ETag.
    FEED_CACHE_BYTES = 32 * 1024 * 1024
    # SQLite: writers queue on a lock file (app/db.py WriteQueue) instead of polling in
    # SQLite's busy handler. Off only to measure what it gives (bench/, issue 20).
    SQLITE_WRITE_QUEUE = True

    # Webhooks for HR systems (the worker `flask deliver-webhooks` sends them).
    # Plain http to this machine and addresses in private networks: None allows them
    # only in debug mode and tests; production keeps them off, so that nobody can make
    # the server call into its own network (checked at registration and each delivery).
    WEBHOOK_ALLOW_PRIVATE_URLS = None
    # Seconds to connect, and to wait for each read of the receiver's answer.
    WEBHOOK_TIMEOUT = 10
    # A worker holds a delivery this long while sending it: longer than one request.
    WEBHOOK_CLAIM_SECONDS = 120
    # Failed attempts are retried with the mail outbox's back-off (1, 2, 4 … 60 minutes)
    # until this many hours after the event; then the delivery is marked failed.
    WEBHOOK_RETRY_HOURS = 72
    # Active subscriptions per person.
    WEBHOOK_MAX_SUBSCRIPTIONS = 10

    # Flask-Limiter: memory:// per process by default; redis://127.0.0.1:6379 in production.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # The limiter's Retry-After goes under this name; app/rate_limit_headers.py keeps it
    # as Retry-After on a 429 only (the limiter would put it on every answer).
    RATELIMIT_HEADER_RETRY_AFTER = "X-Limiter-Retry-After"
    API_RATE_LIMIT = "300 per minute"
    # Sign-in, "forgot password" and setting a password from a link: guesses per e-mail
    # address typed in, whatever machine they come from, and per client address. The
    # client's limit is higher because a whole workplace may share one address (NAT).
    LOGIN_RATE_LIMIT = "10 per minute; 50 per hour"
    LOGIN_CLIENT_RATE_LIMIT = "60 per minute; 600 per hour"

    # Accounts: how long an invitation link and a password reset link work.
    INVITATION_DAYS = 7
    RESET_LINK_HOURS = 2
    PASSWORD_MIN_LENGTH = 10
    # A sign-in unused this long ends (the next request signs in again); its last use
    # is written at most once per LOGIN_SESSION_TOUCH_MINUTES, not on every request.
    LOGIN_SESSION_IDLE_DAYS = 14
    LOGIN_SESSION_TOUCH_MINUTES = 5
    # Coordinators' CSV upload of employees: at most this many rows and bytes.
    EMPLOYEE_CSV_MAX_ROWS = 1000
    EMPLOYEE_CSV_MAX_BYTES = 1024 * 1024
    # An import's report, with the rejected rows as typed, is kept this long.
    EMPLOYEE_IMPORT_KEEP_HOURS = 24

    # The largest request body per kind of request (app/request_limits.py); larger
    # ones are answered 413 before they are read. Ordinary forms: the fullest, a
    # results form of 16 areas with 2,000 characters each, stays well below.
    MAX_CONTENT_LENGTH = 512 * 1024
    # JSON bodies of /api/v1 (a booking is a few hundred bytes).
    API_MAX_CONTENT_LENGTH = 64 * 1024
    # File uploads: above EMPLOYEE_CSV_MAX_BYTES, so that a file just too big gets the
    # import's own message rather than a bare 413.
    UPLOAD_MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    UPLOAD_ENDPOINTS = ("company.import_csv",)


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
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM", "PUBLIC_BASE_URL"):
        if value := os.environ.get(name):
            settings[name] = value
    if port := os.environ.get("MAIL_PORT"):
        settings["MAIL_PORT"] = int(port)
    if key := os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = key
    return settings

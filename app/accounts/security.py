"""Security headers on every response, and cookie flags that follow the public URL."""

from flask import Flask, g, request, session
from flask_login import user_logged_in, user_logged_out

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers every response carries, also those answered before Flask."""
    headers = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Reset links and feed tokens sit in URLs: never hand them to another site.
        ("Referrer-Policy", "same-origin"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


def _new_form_token(app: Flask, *_args, **_extra) -> None:
    """Signing in or out starts a new CSRF token: a page left open in another tab by
    whoever was signed in before must not act for the person signed in now."""
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)  # Flask-WTF's token for the rest of this request


def init_app(app: Flask) -> None:
    user_logged_in.connect(_new_form_token, app)
    user_logged_out.connect(_new_form_token, app)
    if app.config["PUBLIC_BASE_URL"].startswith("https://"):
        # A site that is public over https never needs its cookies sent in clear text.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.after_request
    def add_security_headers(response):
        for name, value in security_headers(request.is_secure):
            response.headers.setdefault(name, value)
        return response

"""Security headers on every response, and cookie flags that follow the public URL."""

from flask import Flask, request

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


def init_app(app: Flask) -> None:
    if app.config["PUBLIC_BASE_URL"].startswith("https://"):
        # A site that is public over https never needs its cookies sent in clear text.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Reset links and feed tokens sit in URLs: never hand them to another site.
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response

"""Domain errors raised by services, and the handlers that turn them into answers."""

from urllib.parse import urlsplit

from flask import Flask, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import BuildError

from app.extensions import db
from app.problem_types import PROBLEM_TYPES, code_for


def stale_form_answer():
    """A form whose CSRF token is missing, forged or from before a sign-in or sign-out."""
    return _answer(
        400,
        str(_l("Formuläret kunde inte skickas")),
        str(_l("Sidan var för gammal eller saknade säkerhetskod. Ladda om sidan och försök igen.")),
    )


# Flask-WTF's words for a genuine token of another sign-in (renewed since, or gone with
# the sign-out), as against a missing or forged one.
STALE_TOKEN = ("The CSRF tokens do not match.", "The CSRF session token is missing.")


def page_sent_from() -> str | None:
    """The path of this site's page the form was sent from (the Referer, which the
    site's same-origin policy sends on its own forms), if it is one."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def signed_out_since_page() -> str | None:
    """Where to sign in again and go back to, when a form of a signed-in page comes from
    a browser that has signed out since (in another tab, or everywhere): its token is
    genuine but of the ended sign-in. None when that is not what happened."""
    if current_user.is_authenticated or request.blueprint == "i18n":
        return None
    return page_sent_from()


def csrf_refusal(error: CSRFError):
    """The answer to a form whose token failed: after a sign-out in another tab, the
    sign-in and back to the page the form was on; otherwise "the page was too old"."""
    if error.description in STALE_TOKEN and (back := signed_out_since_page()):
        flash(
            _l(
                "Du har loggats ut, kanske i en annan flik. Logga in igen, så kommer "
                "du tillbaka till sidan och kan göra om det du höll på med."
            ),
            "info",
        )
        return redirect(url_for("accounts.login", next=back))
    return stale_form_answer()


class Refusal(str):
    """A rule's reason, worded for people, that also carries its stable code.

    It is a str everywhere a text is expected; `DomainError(refusal)` reports its code.
    """

    code: str

    def __new__(cls, text, code: str):
        refusal = super().__new__(cls, text)
        refusal.code = code
        return refusal


class DomainError(Exception):
    """A rule refused the request; the message is shown to the user as it is."""

    status_code = 409
    # What kind of problem it is, for clients (app/problem_types.py); None: the status's own.
    code: str | None = None
    default_message = _l("Åtgärden kunde inte utföras.")

    def __init__(self, message=None, code: str | None = None):
        self.message = str(message or self.default_message)
        self.code = code or getattr(message, "code", None) or self.code
        super().__init__(self.message)


class SessionsInTheWay(DomainError):
    """A change refused while coming sessions rely on things as they are (opening hours,
    an absence, working hours, a travel time): it names them, for the page to list, to
    move, hand over or cancel first."""

    status_code = 409

    def __init__(self, sessions: list, message: str, code: str | None):
        self.sessions = sessions
        super().__init__(message, code)


class NotFound(DomainError):
    status_code = 404
    default_message = _l("Det du sökte finns inte.")


class Forbidden(DomainError):
    status_code = 403
    default_message = _l("Du har inte behörighet till det här.")


class InvalidInput(DomainError):
    status_code = 400
    default_message = _l("Uppgifterna är felaktiga.")


HTTP_TEXTS = {
    400: (_l("Felaktig begäran"), _l("Uppgifterna i begäran kunde inte tolkas.")),
    401: (_l("Inloggning krävs"), _l("Logga in för att fortsätta.")),
    403: (_l("Åtkomst nekad"), _l("Du har inte behörighet till det här.")),
    404: (_l("Sidan finns inte"), _l("Sidan eller det du sökte finns inte.")),
    405: (_l("Metoden stöds inte"), _l("Sidan kan inte användas på det sättet.")),
    409: (_l("Konflikt"), _l("Det krockar med en regel eller en annan ändring.")),
    413: (_l("För stor"), _l("Det du skickade är för stort.")),
    415: (_l("Fel innehållstyp"), _l("Skicka JSON med Content-Type: application/json.")),
    422: (_l("Ogiltiga uppgifter"), _l("Uppgifterna följer inte beskrivningen.")),
    429: (_l("För många försök"), _l("Vänta en stund och försök igen.")),
}


def byte_size(count: int) -> str:
    """A size as people read it: '512 kB', '10 MB'."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{count / 1024:g} kB"


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _problem_type_uri(code: str | None) -> str:
    """Where the kind of problem is described; about:blank for a kind without a page."""
    if code is None:
        return "about:blank"
    try:
        return url_for("api.problem_type", code=code, _external=True)
    except BuildError:  # an app without the API
        return "about:blank"


def _answer(status: int, title: str, detail: str, code: str | None = None):
    if _wants_json():  # RFC 9457 problem details, with the kind's stable code beside its type
        code = code_for(status, code)
        if code is not None:
            title = str(PROBLEM_TYPES[code].title)
        body = {"type": _problem_type_uri(code), "title": title, "status": status, "detail": detail}
        if code is not None:
            body["code"] = code
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    return render_template("error.html", status=status, title=title, detail=detail), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        title = _l("Det gick inte")
        if _wants_json() and error.status_code in HTTP_TEXTS:
            title = HTTP_TEXTS[error.status_code][0]
        response = make_response(_answer(error.status_code, str(title), error.message, error.code))
        if error.status_code == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        response.headers.update(getattr(error, "headers", {}))  # Retry-After, say
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return csrf_refusal(error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        # Said with the limit, so that the sender knows how much smaller to make it.
        limit = request.max_content_length
        detail = _l("Det du skickade är för stort.")
        if limit:
            detail = _l(
                "Det du skickade är större än vad som tas emot här (högst %(limit)s). "
                "Välj en mindre fil eller korta texten och försök igen.",
                limit=byte_size(limit),
            )
        return _answer(413, str(_l("För stort att ta emot")), str(detail))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, detail = HTTP_TEXTS.get(code, (error.name, error.description or ""))
        response = make_response(_answer(code, str(title), str(detail)))
        # The exception's own headers say what the body cannot: Allow on a 405 (RFC 9110
        # §15.5.6), Retry-After, WWW-Authenticate.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _answer(
            500, str(_l("Serverfel")), str(_l("Något gick fel hos oss. Försök igen om en stund."))
        )

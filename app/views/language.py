"""The footer's language switch (the rules for which language applies are in app.i18n)."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import InvalidInput, page_sent_from
from app.extensions import db
from app.i18n import SESSION_KEY, set_language

bp = Blueprint("i18n", __name__)


def _back_to(target: str | None) -> str:
    # Only ever back to a page of this site.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("schedule.index")


@bp.app_context_processor
def _language_back_to() -> dict:
    """Where the footer's switch leads back to: this page, or, for a page a form's POST
    answered (a refusal shown on the form), the page the form was on; back to the POST's
    address would be a 405."""
    if not has_request_context():  # a mail written by a worker
        return {}
    if request.method in ("GET", "HEAD"):
        here = request.full_path if request.query_string else request.path
    else:
        here = page_sent_from() or url_for("schedule.index")
    return {"language_back_to": here}


def _checked(language: str) -> str:
    if language not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_("Välj svenska eller engelska."))
    return language


@bp.post("/language")
def choose_language():
    """The footer's switch for someone signed in: a form with a CSRF token, as it
    changes their stored choice. Works without JavaScript."""
    language = _checked(request.form.get("language", ""))
    session[SESSION_KEY] = language
    if current_user.is_authenticated:
        set_language(current_user, language)
        db.session.commit()
    return redirect(_back_to(request.form.get("next")), code=303)


@bp.get("/language/<language>")
def visitor_language(language: str):
    """The footer's switch for a visitor: plain links, which change nothing stored.

    Links rather than a form keep the visitor's pages free of a CSRF token, which
    would start a signed session on every anonymous page view (the search page is
    the busiest page). For someone signed in, the form above is the way: a link
    only sets this browser's session, and their stored choice still wins.
    """
    session[SESSION_KEY] = _checked(language)
    return redirect(_back_to(request.args.get("next")), code=303)

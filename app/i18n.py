"""Which language a request or a message is in, and the catalogues.

Swedish is the default. A visitor's choice is kept in the session; a signed-in
person's choice in `person.locale`, so that it follows them to other browsers and
into the mails, invites and reminders sent to them.
"""

import functools
import glob
import os
import tempfile
from contextlib import AbstractContextManager

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in
from wtforms.i18n import messages_path

from app import domain_events
from app.db import utcnow
from app.extensions import db

SESSION_KEY = "lang"
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}  # each in its own language, never translated


def select_locale() -> str:
    """The signed-in person's language, else the session's, else the browser's best match."""
    config = current_app.config
    if not has_request_context():  # CLI and services called from tests
        return config["BABEL_DEFAULT_LOCALE"]
    languages = config["LANGUAGES"]
    if current_user.is_authenticated and getattr(current_user, "locale", None) in languages:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    # By the browser's order of preference, matching on the language alone: "sv-SE"
    # counts as Swedish (werkzeug's best_match would pick a lower-rated exact "en").
    for tag, _quality in request.accept_languages:
        language = tag.split("-")[0].split("_")[0].lower()
        if language in languages:
            return language
    return config["BABEL_DEFAULT_LOCALE"]


def person_locale(person) -> str:
    """The language to write to this person in: their choice, else the default."""
    locale = getattr(person, "locale", None)
    if locale in current_app.config["LANGUAGES"]:
        return locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def speaking_to(person) -> AbstractContextManager:
    """Compose a mail or an invite in the recipient's language, not the sender's."""
    return force_locale(person_locale(person))


def set_language(person, language: str) -> None:
    """Remember a signed-in person's language choice; the caller commits."""
    if language not in current_app.config["LANGUAGES"]:
        raise ValueError(language)
    if person.locale == language:
        return
    person.locale = language
    db.session.flush()
    # Their feed reads in the new language: calendars must see it as changed.
    domain_events.announce(domain_events.language_changed, person=person, actor=person, at=utcnow())


def _adopt_choice_at_sign_in(app: Flask, user, **extra) -> None:
    """A language picked before signing in becomes the person's, if they had none.

    A person who already chose keeps their choice, and select_locale reads it from
    the person, so it applies from the first page after signing in.
    """
    chosen = session.get(SESSION_KEY)
    if getattr(user, "locale", "") is None and chosen in app.config["LANGUAGES"]:
        set_language(user, chosen)
        db.session.commit()


def compile_catalogues(translations_dir: str) -> None:
    """Compile every messages.po to the .mo Flask-Babel reads, when missing or older.

    The .mo files are build output and not in git. Several gunicorn workers may start
    at once: each writes a temporary file beside the target and renames it into
    place, which is atomic, so no worker ever reads half a catalogue.
    """
    for po_path in glob.glob(os.path.join(translations_dir, "*", "LC_MESSAGES", "*.po")):
        mo_path = po_path[:-3] + ".mo"
        try:
            if os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
                continue
        except FileNotFoundError:
            pass
        locale = po_path.split(os.sep)[-3]
        with open(po_path, "rb") as handle:
            catalogue = read_po(handle, locale=locale)
        fd, tmp_path = tempfile.mkstemp(dir=os.path.dirname(po_path), suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                write_mo(handle, catalogue)
            # mkstemp makes the file private to its creator; the workers that read it
            # may run as another user than the one who ran the set-up.
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, mo_path)
        except BaseException:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise


@functools.cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


# WTForms' messages that people meet, in the app's own words: its Swedish catalogue says
# "Felaktigt val; kunde inte ceorce:a", and ends some without a full stop, so that two
# messages of a field ran together. Only a hand-edited address or a browser without
# the field's type gets most of them. WTForms formats them afterwards (%(max)d).
_OWN_WORDS = {
    "Invalid Choice: could not coerce.": _l("Välj ett av alternativen."),
    "Not a valid choice.": _l("Välj ett av alternativen."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Välj bland alternativen."
    ),
    "'%(value)s' is not a valid choice for this field.": _l("Välj bland alternativen."),
    "Not a valid integer value.": _l("Ange ett heltal."),
    "Not a valid decimal value.": _l("Ange ett tal."),
    "Not a valid float value.": _l("Ange ett tal."),
    "Not a valid date value.": _l("Ange ett datum som ÅÅÅÅ-MM-DD."),
    "Not a valid time value.": _l("Ange en tid som TT:MM."),
    "This field is required.": _l("Fyll i fältet."),
    "Field cannot be longer than %(max)d character.": _l("Högst %(max)d tecken."),
    "Number must be between %(min)s and %(max)s.": _l("Ange ett tal från %(min)s till %(max)s."),
    "Number must be at least %(min)s.": _l("Ange ett tal från %(min)s."),
    "Number must be at most %(max)s.": _l("Ange ett tal till och med %(max)s."),
}


class _FormMessages:
    """WTForms' own messages ("This field is required.") in the request's language:
    the app's words where it has them, else WTForms' catalogue.

    Flask-WTF reads their catalogue from disk on every request that builds a form; this
    keeps one per language. Flask-WTF takes it from `request.wtforms_translations`, and
    the GET filter forms (plain WTForms forms) through `FormMessagesMeta`.
    """

    def ugettext(self, string: str) -> str:
        if (ours := _OWN_WORDS.get(string)) is not None:
            return str(ours)
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        if (ours := _OWN_WORDS.get(singular)) is not None:
            return str(ours)
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)

    # WTForms' own forms (not Flask-WTF's) call these.
    gettext, ngettext = ugettext, ungettext


class FormMessagesMeta:
    """Meta for a plain WTForms form (a GET filter, no CSRF token): its messages in the
    request's language, as Flask-WTF's forms have them."""

    def get_translations(self, form):
        return _FORM_MESSAGES


_FORM_MESSAGES = _FormMessages()


def _share_form_messages() -> None:
    request.wtforms_translations = _FORM_MESSAGES


def init_app(app: Flask) -> None:
    app.before_request(_share_form_messages)
    try:
        compile_catalogues(os.path.join(app.root_path, "translations"))
    except OSError as error:
        # A read-only install without compiled catalogues still serves, in Swedish.
        app.logger.warning("Could not compile the translations: %s", error)
    user_logged_in.connect(_adopt_choice_at_sign_in, app)
    app.jinja_env.globals["language_names"] = LANGUAGE_NAMES

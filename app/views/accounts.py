from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms.fields.choices import SelectChoice

from app import form_errors
from app.accounts import privacy
from app.accounts.auth import every_project_admin_required, role_required, sign_in, sign_out
from app.accounts.company_scope import project_admin_sees_company
from app.accounts.forms import (
    AuthorisationForm,
    ForgotPasswordForm,
    HomeCenterForm,
    LoginForm,
    PlaceForm,
    SetPasswordForm,
)
from app.accounts.models import Person, Role
from app.accounts.queries import find_person
from app.accounts.services import (
    LINK_PURPOSES,
    authenticate,
    normalise_email,
    person_for_link,
    request_password_reset,
    set_password_with_link,
    set_place,
    sign_out_everywhere,
)
from app.after_response import after_response
from app.bookings.queries import find_booking, upcoming_live_bookings_of
from app.bookings.services import cancel_and_report
from app.centers.queries import centers_by_name
from app.db import utcnow
from app.errors import STALE_TOKEN, DomainError, NotFound, csrf_refusal, stale_form_answer
from app.extensions import db, limiter
from app.projects.forms import AdminProjectsForm
from app.projects.scope import find_people, is_project_admin, set_admin_projects, visible_projects
from app.regions.queries import counties_with_municipalities
from app.schedule import authorisations
from app.schedule.queries import upcoming_sessions_led_by
from app.schedule.services import validation_models
from app.views.bookings import cancelled_message

bp = Blueprint("accounts", __name__)


def _login_rate():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _client_rate():
    return current_app.config["LOGIN_CLIENT_RATE_LIMIT"]


def _typed_email() -> str:
    """Count guesses per address typed in too; without one, per client address."""
    email = request.form.get("email", "")
    return "email:" + normalise_email(email)[:254] if email.strip() else get_remote_address()


# One budget per client (and per typed address) for everything that checks or resets
# a password, so guessing cannot be spread over the three forms. (A shared limit: with
# limiter.limit the scope is combined with each view's endpoint, a budget per form.)
_limit_by_client = limiter.shared_limit(_client_rate, methods=["POST"], scope="sign-in-client")
_limit_by_email = limiter.shared_limit(
    _login_rate, methods=["POST"], scope="sign-in-email", key_func=_typed_email
)


def _safe_next(target: str | None) -> str:
    """Only follow redirects within this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("schedule.index")


@bp.route("/login", methods=["GET", "POST"])
@_limit_by_client
@_limit_by_email
def login():
    if current_user.is_authenticated:
        return redirect(url_for("schedule.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        person = authenticate(form.email.data, form.password.data)
        if person is not None:
            sign_in(person)
            flash(_("Välkommen, %(name)s!", name=person.name), "success")
            return redirect(_safe_next(request.args.get("next")))
        # The same answer whether the address exists or not.
        form.password.errors.append(_("Fel e-postadress eller lösenord."))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.errorhandler(CSRFError)
def stale_sign_in_or_out(error: CSRFError):
    """A sign-in or sign-out form left open while this browser signed in or out in
    another tab: its token is from before, but what it asks is done already. Said so,
    rather than "the page was too old" for something that needs no doing. Only a token
    from an earlier sign-in of this browser counts: a missing or forged one is refused
    as everywhere."""
    if error.description not in STALE_TOKEN:
        return stale_form_answer()
    if request.endpoint == "accounts.logout" and not current_user.is_authenticated:
        flash(_("Du är redan utloggad."), "info")
        return redirect(url_for("schedule.index"))
    if request.endpoint == "accounts.login" and current_user.is_authenticated:
        flash(_("Du är redan inloggad."), "info")
        # Where signing in was to lead ("Logga in och boka" finishes its booking).
        return redirect(_safe_next(request.args.get("next")))
    if request.endpoint in ANONYMOUS_FORMS:
        return stale_form_answer()
    # A signed-in page's form (Mitt konto, Personer) after a sign-out in another tab.
    return csrf_refusal(error)


# Forms meant for someone signed out: a failed token there is no ended sign-in.
ANONYMOUS_FORMS = ("accounts.login", "accounts.forgot_password", "accounts.set_password")


@bp.post("/logout")
@login_required
def logout():
    sign_out()  # CSRFProtect has already checked the form's token
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("schedule.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@_limit_by_client
@_limit_by_email
def forgot_password():
    # Signed in ("Byt lösenord via mejl" on Mitt konto): their own address, filled in.
    form = ForgotPasswordForm(email=current_user.email if current_user.is_authenticated else None)
    if form.validate_on_submit():
        # Looking the address up and queueing the mail happen after the answer has gone
        # out: done before it, they made the answer twice as slow for an existing account.
        after_response(request_password_reset, form.email.data)
        email = normalise_email(form.email.data)
        if current_user.is_authenticated and email == normalise_email(current_user.email):
            # Their own address, signed in: the account is theirs, nothing to keep secret.
            flash(
                _(
                    "Vi har skickat ett mejl till %(email)s med en länk för att välja nytt "
                    "lösenord. Kolla även skräpposten.",
                    email=email,
                ),
                "info",
            )
            return redirect(url_for("accounts.account"))
        # Worded so that it tells nothing about whether the address has an account.
        flash(
            _(
                "Om det finns ett konto med adressen %(email)s får det ett mejl med en länk "
                "för att välja nytt lösenord. Kolla även skräpposten.",
                email=email,
            ),
            "info",
        )
        if current_user.is_authenticated:
            return redirect(url_for("accounts.account"))
        return redirect(url_for("accounts.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/password/<purpose>/<token>", methods=["GET", "POST"])
@_limit_by_client
def set_password(purpose: str, token: str):
    """Choose a password from an invitation or a reset link."""
    if purpose not in LINK_PURPOSES:
        abort(404)
    person = person_for_link(token, purpose)
    if person is None:
        # Not the general error page: this one leads on to asking for a new link.
        return render_template("accounts/link_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password_with_link(token, purpose, form.password.data)
        sign_out()
        flash(_("Lösenordet är sparat. Logga in med det."), "success")
        return redirect(url_for("accounts.login"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "accounts/set_password.html", form=form, purpose=purpose, person=person
    ), status


def _place_form() -> PlaceForm:
    form = PlaceForm(municipality=current_user.municipality_id or "")
    company = current_user.company
    if company is not None:
        blank = _("Mitt företags kommun (%(name)s)", name=company.municipality.name)
    else:
        blank = _("Ingen vald")
    form.municipality.choices = [SelectChoice("", blank)] + [
        SelectChoice(m.id, m.name, optgroup=county.name)
        for county in counties_with_municipalities()
        for m in sorted(county.municipalities, key=lambda m: m.sort_key)
    ]
    return form


@bp.get("/account")
@login_required
def account():
    return _account_page(_place_form())


def _account_page(place_form: PlaceForm, status: int = 200):
    # A project admin's projects by name ([] for one of every project); None for others.
    administered = None
    if is_project_admin(current_user):
        administered = (
            []
            if current_user.sees_every_project
            else [p.name for p in visible_projects(current_user)]
        )
    return render_template(
        "accounts/account.html", form=FlaskForm(), place_form=place_form, administered=administered
    ), status


@bp.post("/account/place")
@login_required
def place():
    """Choose the municipality sessions' travel times are counted from."""
    form = _place_form()
    if not form.validate_on_submit():
        return _account_page(form, 400)
    try:
        person = set_place(current_user.id, form.municipality.data, current_user)
    except DomainError as error:
        form.municipality.errors = [error.message]
        return _account_page(form, error.status_code)
    if person.municipality is not None:
        flash(_("Du reser från %(name)s.", name=person.municipality.name), "success")
    else:
        flash(_("Du reser från ditt företags kommun."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_all():
    sign_out_everywhere(current_user.id)
    sign_out()
    flash(_("Du är utloggad på alla enheter."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/account/export.json")
@login_required
def export():
    """Everything stored about the signed-in person, as a JSON download."""
    response = jsonify(privacy.export(current_user))
    # Named in the reader's language (ASCII, as the CSV downloads are).
    filename = _("mina-uppgifter.json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/people")
@role_required(Role.PROJECT_ADMIN)
def people():
    """Find a person to erase: by part of the name or e-mail address (a limited project
    admin finds only the people of their projects' companies)."""
    query = request.args.get("q", "").strip()[:100]
    found = find_people(current_user, query) if query else []
    return render_template("accounts/people.html", query=query, people=found)


@bp.route("/people/<int:person_id>/assessor", methods=["GET", "POST"])
@every_project_admin_required
def assessor(person_id: int):
    """A testledare's authorisations per model and home center."""
    person = find_person(person_id)
    if person is None or not person.has_role(Role.ASSESSOR):
        raise NotFound(_("Testledaren finns inte."))
    grant_form, home_form = _assessor_forms(person)
    status = 200
    if request.method == "POST":
        if "grant-submit" in request.form and grant_form.validate_on_submit():
            try:
                authorisations.grant(
                    person.id,
                    grant_form.model.data,
                    grant_form.valid_from.data,
                    grant_form.valid_to.data,
                    current_user,
                )
            except DomainError as refused:
                if refused.status_code not in (400, 409):
                    raise
                # The form again with what was typed, the reason at the period.
                grant_form.valid_from.errors.append(refused.message)
                status = refused.status_code
            else:
                flash(_("Behörigheten är sparad."), "success")
                return redirect(url_for("accounts.assessor", person_id=person.id))
        if "home-submit" in request.form and home_form.validate_on_submit():
            authorisations.set_home_center(person.id, home_form.center.data or None, current_user)
            flash(_("Hemmacentret är sparat."), "success")
            return redirect(url_for("accounts.assessor", person_id=person.id))
        status = status if status != 200 else 400
    return _assessor_page(person, grant_form, home_form, status)


def _assessor_forms(person: Person) -> tuple[AuthorisationForm, HomeCenterForm]:
    grant_form = AuthorisationForm(prefix="grant")
    grant_form.model.choices = [SelectChoice(m.id, m.name) for m in validation_models()]
    home_form = HomeCenterForm(prefix="home", center=person.home_center_id or 0)
    home_form.center.choices = [SelectChoice(0, _("Inget"))] + [
        SelectChoice(c.id, c.name) for c in centers_by_name()
    ]
    return grant_form, home_form


def _assessor_page(
    person: Person,
    grant_form: AuthorisationForm,
    home_form: HomeCenterForm,
    status: int = 200,
    refused: authorisations.AuthorisationInUse | None = None,
):
    """The testledare's page; after a refused removal, the reason and the sessions that
    rely on the authorisation beside its row."""
    return render_template(
        "accounts/assessor.html",
        person=person,
        authorisations=authorisations.authorisations_of(person.id),
        grant_form=grant_form,
        home_form=home_form,
        csrf_form=FlaskForm(),
        revoke_refused=refused,  # not `refused`: base.html's name for the form errors
    ), status


@bp.post("/authorisations/<int:authorisation_id>/delete")
@every_project_admin_required
def revoke_authorisation(authorisation_id: int):
    try:
        person_id = authorisations.revoke(authorisation_id, current_user)
    except authorisations.AuthorisationInUse as refused:
        # On the testledare's page, as its other refusals are, with the sessions to
        # hand over or cancel first (it was an error page of its own, naming none).
        person = find_person(refused.person_id)
        form_errors.report(f"revoke-{authorisation_id}", _("Behörigheter"), refused.message)
        return _assessor_page(person, *_assessor_forms(person), refused.status_code, refused)
    flash(_("Behörigheten är borttagen."), "success")
    return redirect(url_for("accounts.assessor", person_id=person_id))


@bp.route("/people/<int:person_id>/projects", methods=["GET", "POST"])
@every_project_admin_required
def admin_projects(person_id: int):
    """The funding projects a project admin administers: the ticked ones, or every
    project when none is ticked."""
    person = find_person(person_id)
    if person is None or person.erased_at or not person.has_role(Role.PROJECT_ADMIN):
        raise NotFound(_("Projektadministratören finns inte."))
    limited = person.admin_project_ids
    form = AdminProjectsForm(projects=sorted(limited or ()))
    form.projects.choices = [SelectChoice(p.id, p.name) for p in visible_projects(current_user)]
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                set_admin_projects(person, form.projects.data, current_user)
            except DomainError as error:
                form.projects.errors = [error.message]
                status = error.status_code
            else:
                flash(_("Projekten är sparade."), "success")
                return redirect(url_for("accounts.admin_projects", person_id=person.id))
    return render_template(
        "accounts/admin_projects.html", person=person, form=form, limited=limited
    ), status


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
@role_required(Role.PROJECT_ADMIN)
def erase(person_id: int):
    """Ask before erasing, saying first what stands in the way (seats, queue places,
    sessions to run), with a way to cancel the seats: the button only when nothing does."""
    person = _person_to_erase(person_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            privacy.erase(person_id, current_user)
        except DomainError as refused:
            if refused.status_code != 409:
                raise
            db.session.rollback()
            if find_person(person_id).erased_at is not None:
                # The form sent again after it did its work (or by a second admin): the
                # page as it now is, which says so, as a reload of a done action should.
                return redirect(url_for("accounts.erase", person_id=person_id))
            # Something came in the way since the page was shown: the page again, saying what.
            form.form_errors.append(refused.message)
            return _erase_page(person, form, refused.status_code)
        flash(
            _("Personens uppgifter är borttagna. Bokningar och resultat finns kvar utan namn."),
            "success",
        )
        return redirect(url_for("accounts.people"))
    return _erase_page(person, form, 400 if form.is_submitted() else 200)


@bp.post("/people/<int:person_id>/erase/bookings/<int:booking_id>/cancel")
@role_required(Role.PROJECT_ADMIN)
def erase_cancel_booking(person_id: int, booking_id: int):
    """Cancel one of the person's seats or queue places from the erase page, and back."""
    person = _person_to_erase(person_id)
    booking = find_booking(booking_id)
    if booking is None or booking.employee_id != person.id:
        raise NotFound(_("Bokningen finns inte."))
    form = FlaskForm()
    if not form.validate_on_submit():
        return _erase_page(person, form, 400)
    try:
        done = cancel_and_report(booking_id, actor=current_user)
    except DomainError as refused:
        if refused.status_code not in (400, 409):
            raise
        db.session.rollback()
        form.form_errors.append(refused.message)
        return _erase_page(person, form, refused.status_code)
    flash(cancelled_message(done), "success")
    return redirect(url_for("accounts.erase", person_id=person.id))


def _person_to_erase(person_id: int):
    person = find_person(person_id)
    if person is None or not project_admin_sees_company(current_user, person.company_id):
        raise NotFound(_("Personen finns inte."))
    return person


def _erase_page(person, form: FlaskForm, status: int = 200):
    now = utcnow()
    return render_template(
        "accounts/erase.html",
        person=person,
        form=form,
        # Erased already, or oneself: nothing to sort out first, the page just says so.
        erased=person.erased_at is not None,
        oneself=person.id == current_user.id,
        blockers=privacy.blockers(person, current_user, now),
        bookings=upcoming_live_bookings_of(person.id, now),
        sessions=upcoming_sessions_led_by(person.id, now),
        now=now,
        cancel_form=FlaskForm(),
    ), status

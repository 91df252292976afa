from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts.forms import LoginForm
from app.accounts.services import authenticate

bp = Blueprint("accounts", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    """Only follow redirects within this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("schedule.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("schedule.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        person = authenticate(form.email.data, form.password.data)
        if person is not None:
            login_user(person)
            flash(_("Välkommen, %(name)s!", name=person.name), "success")
            return redirect(_safe_next(request.args.get("next")))
        # The same answer whether the address exists or not.
        form.password.errors.append(_("Fel e-postadress eller lösenord."))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()  # CSRFProtect has already checked the form's token
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("schedule.index"))

"""The web page where a signed-in person creates and revokes their API tokens."""

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.api.tokens import create_token, revoke_token, tokens_of

bp = Blueprint("api_tokens", __name__)
NEW_TOKEN = "new_api_token"  # in the signed session until the page has shown it once


class TokenForm(FlaskForm):
    name = StringField(
        _l("Namn på nyckeln (t.ex. vilket system som använder den)"),
        validators=[DataRequired(_l("Ge nyckeln ett namn.")), Length(max=80)],
    )


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    status = 200
    if form.validate_on_submit():
        _row, new_token = create_token(current_user, form.name.data)
        # Shown once on the page the redirect leads to: reloading that page makes no
        # second key (it did, and the first stayed active unseen).
        session[NEW_TOKEN] = new_token
        return redirect(url_for("api_tokens.tokens"))
    if form.is_submitted():
        status = 400
    return render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens_of(current_user),
        new_token=session.pop(NEW_TOKEN, None),
    ), status


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    row = revoke_token(token_id, current_user)
    flash(_("Nyckeln %(name)s är spärrad och fungerar inte längre.", name=row.name), "success")
    return redirect(url_for("api_tokens.tokens"))

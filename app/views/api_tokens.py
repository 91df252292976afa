"""The web page where a signed-in person creates and revokes their API tokens."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.api.tokens import create_token, revoke_token, tokens_of
from app.errors import DomainError
from app.once_forms import OnceForm

bp = Blueprint("api_tokens", __name__)


class TokenForm(OnceForm):
    name = StringField(
        _l("Namn på nyckeln (t.ex. vilket system som använder den)"),
        validators=[DataRequired(_l("Ge nyckeln ett namn.")), Length(max=80)],
    )
    # One token per form: reloading the page that showed it sends the form again.


@bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Create a token, shown once on the answer to the form (never kept anywhere else:
    not in the session cookie, which is signed but readable)."""
    form = TokenForm() if request.method == "POST" else TokenForm.fresh()
    new_token, status = None, 200
    if form.validate_on_submit():
        try:
            _row, new_token = create_token(current_user, form.name.data, form.request_key.data)
        except DomainError as refused:
            form.name.errors.append(refused.message)
            form.renew_key()  # so that the form, corrected, can be sent again
            status = refused.status_code
        else:
            form = TokenForm.fresh()
    elif form.is_submitted():
        status = 400
    return render_template(
        "api/tokens.html", form=form, tokens=tokens_of(current_user), new_token=new_token
    ), status


@bp.post("/account/api-tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    row = revoke_token(token_id, current_user)
    flash(_("Nyckeln %(name)s är spärrad och fungerar inte längre.", name=row.name), "success")
    return redirect(url_for("api_tokens.tokens"))

"""The audit log page: who changed what, as sentences, for those who may read it.

A view on top of the layers: the audit package (core) only writes and reads entries;
app.reports.audit_log turns a page of them into sentences with links.
"""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.reports.audit_forms import AuditFilterForm
from app.reports.audit_log import (
    AuditFilters,
    audit_page,
    may_read_audit,
    reader_centers,
    reader_kinds,
)

bp = Blueprint("audit", __name__)

FILTERS = ("from_date", "to_date", "person", "center", "kind")


@bp.get("/audit")
@login_required
def log():
    """Everything for project admins of every project, their own centers' changes for
    center admins; nothing for anyone else (a limited project admin included)."""
    if not may_read_audit(current_user):
        abort(403)
    form = AuditFilterForm(request.args)
    centers = reader_centers(current_user)
    form.center.choices = [("", _("Alla testcenter"))] + [(str(c.id), c.name) for c in centers]
    form.kind.choices = [("", _("Alla ändringar"))] + [
        (k.key, str(k.label)) for k in reader_kinds(current_user)
    ]
    if not form.validate():
        return render_template("audit/log.html", form=form, result=None, filter_args={}), 400
    filters = AuditFilters(
        first_day=form.from_date.day,
        last_day=form.to_date.day,
        person=(form.person.data or "").strip(),
        center_id=int(form.center.data) if form.center.data else None,
        kind=form.kind.data or None,
    )
    result = audit_page(current_user, filters, form.page.data or 1)
    filter_args = {k: v for k in FILTERS if (v := request.args.get(k, "").strip())}
    return render_template("audit/log.html", form=form, result=result, filter_args=filter_args)

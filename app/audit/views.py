from flask import Blueprint, render_template, request
from flask_login import current_user

from app.accounts.auth import role_required
from app.audit.models import ENTITIES
from app.audit.services import entries_for

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.get("/audit")
@role_required("project_admin", "center_admin")
def log():
    """Who changed which booking, session and outcome: everything for project admins,
    their own centers' changes for center admins."""
    entity = request.args.get("entity", "")
    entity = entity if entity in ENTITIES else None
    entity_id = request.args.get("id", type=int)
    if entity_id is not None and not 0 < entity_id < 2**31:
        entity_id = None
    return render_template(
        "audit/log.html",
        entries=entries_for(current_user, entity, entity_id),
        entity=entity,
        entity_id=entity_id,
        entities=ENTITIES,
    )

"""Reading the project's targets for the settings pages."""

from app.extensions import db
from app.projects.models import ProjectTarget


def find_target(target_id: int) -> ProjectTarget | None:
    return db.session.get(ProjectTarget, target_id)

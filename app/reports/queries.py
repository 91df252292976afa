"""Reading the project's targets for the settings pages."""

from sqlalchemy import select

from app.extensions import db
from app.projects.models import ProjectTarget


def find_target(project_id: int, target_id: int) -> ProjectTarget | None:
    """The project's target of that id; None for another project's (a form left open
    while its target went and the id came back for another project: SQLite reuses ids)."""
    return db.session.scalar(
        select(ProjectTarget).where(
            ProjectTarget.id == target_id, ProjectTarget.project_id == project_id
        )
    )

"""The form that names the projects a project admin administers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from app.fields import CheckboxListField, database_id


class AdminProjectsForm(FlaskForm):
    """Ticked projects limit the admin to them; none ticked: every project."""

    projects = CheckboxListField(_l("Projekt"), coerce=database_id)

"""The form that names the projects a project admin administers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from app.fields import database_id


class AdminProjectsForm(FlaskForm):
    """Ticked projects limit the admin to them; none ticked: every project."""

    projects = SelectMultipleField(
        _l("Projekt"),
        coerce=database_id,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )

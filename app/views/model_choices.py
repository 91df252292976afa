"""The validation models as a select offers them, for the pages that pick one."""

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.schedule.forms import FAMILY_PREFIX
from app.schedule.models import ValidationModel


def model_and_family_choices(models: list[ValidationModel]) -> list[SelectChoice]:
    """Models without a family, then each family's levels grouped, with "Svets, alla
    nivåer" first in its group (any level matches)."""
    choices = [SelectChoice(m.id, m.name) for m in models if m.family is None]
    families = {}
    for m in models:
        if m.family is not None:
            families.setdefault(m.family, []).append(m)
    for family in sorted(families, key=lambda f: f.name):
        choices.append(
            SelectChoice(
                f"{FAMILY_PREFIX}{family.code}",
                _("%(family)s, alla nivåer", family=family.name),
                optgroup=family.name,
            )
        )
        choices += [
            SelectChoice(m.id, m.name, optgroup=family.name)
            for m in sorted(families[family], key=lambda m: m.level_rank)
        ]
    return choices

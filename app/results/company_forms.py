"""The filters of a company's overview and validations pages: GET forms, no CSRF since
they change nothing. Choices are strings; an empty one means "all"."""

from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField
from wtforms.validators import Length

from app.fields import SelectField
from app.i18n import FormMessagesMeta


class CompanyFilter(Form):
    Meta = FormMessagesMeta  # its messages in the reader's language

    # Only a project admin chooses; the view removes it for a coordinator.
    company = SelectField(_l("Företag"), default="")
    model = SelectField(_l("Validering"), default="")
    status = SelectField(_l("Status"), default="")

    def choose(self, companies, models, statuses) -> None:
        """Offer the companies (None: the field is dropped), models and statuses."""
        if companies is None:
            del self.company
        else:
            self.company.choices = [("", _l("Välj företag"))] + [
                (str(c.id), c.name) for c in companies
            ]
        self.model.choices = [("", _l("Alla"))] + [(str(m.id), m.name) for m in models]
        self.status.choices = [("", _l("Alla")), *statuses]

    def chosen(self, names) -> list[tuple[str, str]]:
        """(field label, chosen option) for each of the named filters that narrows the
        list: what a printout, without its form, says it covers."""
        said = []
        for name in names:
            if name in self and self[name].data:
                options = {str(value): label for value, label in self[name].choices}
                said.append((str(self[name].label.text), str(options.get(self[name].data, ""))))
        return said

    def id_of(self, name: str) -> int | None:
        value = self[name].data if name in self else None
        return int(value) if value else None


class OverviewFilter(CompanyFilter):
    team = SelectField(_l("Avdelning"), default="")

    def offer_teams(self, teams: list[str]) -> None:
        """The team filter only when the company names teams."""
        if teams:
            self.team.choices = [("", _l("Alla"))] + [(t, t) for t in teams]
        else:
            del self.team


class ValidationsFilter(CompanyFilter):
    q = StringField(_l("Sök medarbetare"), validators=[Length(max=80)])
    person = SelectField(_l("Medarbetare"), default="")

    def offer_people(self, people) -> None:
        self.person.choices = [("", _l("Alla"))] + [(str(p.id), p.name) for p in people]

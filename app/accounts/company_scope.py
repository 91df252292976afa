"""Whether a project admin may act on a company's people: asked here, answered above.

A project admin limited to named funding projects sees only the companies taking part
in them. Which companies those are is app.projects' to know, a layer above accounts, so
create_app hands its answer to `register` (as it hands privacy its parts). Until an
answer is registered a limited project admin sees no company at all: least privilege.
"""

from collections.abc import Callable

from app.accounts.models import Person, Role

_answer: Callable[[Person, int], bool] | None = None


def register(answer: Callable[[Person, int], bool]) -> None:
    """Set how to tell whether a limited project admin sees a company (by its id)."""
    global _answer
    _answer = answer


def project_admin_sees_company(person: Person, company_id: int | None) -> bool:
    """A project admin of every project sees every company (and people of none); a limited
    one only the companies of their projects; anyone else no company as a project admin."""
    if not person.has_role(Role.PROJECT_ADMIN):
        return False
    if person.admin_project_ids is None:
        return True
    if company_id is None or _answer is None:
        return False
    return _answer(person, company_id)

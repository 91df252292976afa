"""Say a refused form's errors where a keyboard or screen-reader user meets them first.

A form sent back with errors marks each field (aria-invalid, its message beside it),
but the page opened with focus on nothing and the same title as before: someone who
cannot see the page learnt of the errors only by going through the form again. Every
page rendered with a form that has errors now gets, at the top of its content, a
summary that takes the focus (links to each field) and a title starting "Fel:", as
the GOV.UK design system's error summary does. No script is needed: `autofocus`.
"""

from dataclasses import dataclass

from flask import Flask, before_render_template, g
from wtforms.form import BaseForm


@dataclass(frozen=True)
class FieldError:
    field_id: str | None  # None: nothing on the page to move to (a hidden field)
    label: str
    message: str


def _errors_of(form: BaseForm) -> list[FieldError]:
    # A page of several alike forms (one per target, say) names which one: a form may
    # carry `error_scope`, said before each of its fields' labels.
    scope = getattr(form, "error_scope", None)
    found = []
    for field in form:
        if not field.errors:
            continue
        # A field's errors may be a dict (a FormField's subform): its messages, flat.
        errors = field.errors.values() if isinstance(field.errors, dict) else field.errors
        messages = [str(m) for e in errors for m in (e if isinstance(e, list) else [e])]
        hidden = field.type in ("HiddenField", "CSRFTokenField")
        target = None if hidden else field.id
        if field.type == "CheckboxListField":
            # A list of boxes (app.fields) cannot take focus: its first box can.
            target = next((option.id for option in field), target)
        label = str(field.label.text)
        found.append(
            FieldError(target, f"{scope} – {label}" if scope else label, " ".join(messages))
        )
    found += [FieldError(None, "", str(m)) for m in getattr(form, "form_errors", [])]
    return found


def _forms_in(value, depth: int = 2) -> list[BaseForm]:
    """The forms a template is given: directly, or in lists, tuples or dicts of them
    (a page of several targets, each a (target, form) pair, say)."""
    if isinstance(value, BaseForm):
        return [value]
    if depth == 0:
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [form for item in value for form in _forms_in(item, depth - 1)]
    return []


def _collect(_app, template, context, **_extra) -> None:
    seen = g.setdefault("form_errors", [])
    for value in context.values():
        for form in _forms_in(value):
            for error in _errors_of(form):
                if error not in seen:
                    seen.append(error)


def report(field_id: str | None, label: str, message: str) -> None:
    """An error of a form the page writes by hand (a table of opening hours, say,
    with no WTForms form to carry it), for the same summary and title."""
    seen = g.setdefault("form_errors", [])
    error = FieldError(field_id, label, message)
    if error not in seen:
        seen.append(error)


def init_app(app: Flask) -> None:
    before_render_template.connect(_collect, app)

    @app.context_processor
    def form_errors():
        return {"form_errors": lambda: g.get("form_errors", [])}

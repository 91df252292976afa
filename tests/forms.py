"""Submit a form as the page rendered it, the way a person's browser would.

A test loads a page, picks one of its forms, sets named fields and submits it: the
request carries the form's own action, method, hidden inputs (the CSRF token among
them) and every field's current value. Setting a field the form does not have is an
error, and so is choosing an option a select, radio group or checkbox does not offer,
unless the test says it is tampering (`tamper=True`): then the value is sent as it
is, the way a hand-edited request would be. So a form that renders without its
token, or without a field its view needs, fails the test that uses it.

    form = page_form(client, "/centers/1/plan", button="Förhandsgranska")
    preview = form.fill(model="3", first_day="2027-05-04").submit()
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from werkzeug.datastructures import MultiDict

TEXT_LIKE = {
    "text",
    "email",
    "password",
    "search",
    "tel",
    "url",
    "number",
    "date",
    "time",
    "datetime-local",
    "week",
    "month",
    "color",
    "range",
    "hidden",
}


@dataclass
class Control:
    """One named control: its kind, its options (for choices) and its current values."""

    name: str
    kind: str  # "text" (every free-text input and textarea), "select", "checkbox", "radio", "file"
    multiple: bool = False
    options: list[str] = field(default_factory=list)
    values: list = field(default_factory=list)
    # The element's own type: an input's type attribute ("date", "number", "hidden"...),
    # or "select" or "textarea" (for tests that pick values by kind, such as fuzzing).
    input_type: str = ""


@dataclass
class Button:
    name: str | None
    value: str
    text: str
    formaction: str | None = None


class Form:
    """A form as rendered: where it goes and what it would send now."""

    def __init__(self, page_url: str, attrs: dict, client=None):
        self.page_url = page_url
        self.client = client
        self.method = (attrs.get("method") or "get").lower()
        action = attrs.get("action")
        # No action (or an empty one) submits to the page's own address, query included.
        self.action = urljoin(page_url, action) if action else page_url
        self.enctype = attrs.get("enctype") or "application/x-www-form-urlencoded"
        self.attrs = attrs
        self.controls: dict[str, Control] = {}
        self.buttons: list[Button] = []
        self.text = ""

    def __repr__(self) -> str:
        return f"<Form {self.method.upper()} {self.action} {sorted(self.controls)}>"

    # -- reading -----------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        return name in self.controls

    def value(self, name: str):
        control = self._control(name)
        if control.multiple or control.kind == "checkbox":
            return list(control.values)
        return control.values[0] if control.values else None

    def options(self, name: str) -> list[str]:
        return list(self._control(name).options)

    # -- filling -----------------------------------------------------------------
    def fill(self, tamper: bool = False, **values) -> Form:
        """Set fields by name (a keyword can't hold a dash: use `set` for those)."""
        for name, value in values.items():
            self.set(name, value, tamper=tamper)
        return self

    def set(self, name: str, value, tamper: bool = False) -> Form:
        """Set one field: text is typed, options are chosen, checkboxes are ticked.

        A checkbox or multiple select takes a list of the values to tick (or True/False
        for a single checkbox); a file input takes (bytes or str, filename).
        """
        control = self._control(name)
        if control.kind == "file":
            content, filename = value
            if isinstance(content, str):
                content = content.encode()
            control.values = [(content, filename)]
            return self
        if control.kind == "checkbox" and isinstance(value, bool):
            value = list(control.options) if value else []
        wanted = [str(v) for v in value] if isinstance(value, list | tuple | set) else [str(value)]
        if control.kind in ("select", "checkbox", "radio") and not tamper:
            unknown = [v for v in wanted if v not in control.options]
            if unknown:
                raise AssertionError(
                    f"{name!r} offers {control.options}, not {unknown} (pass tamper=True "
                    "to send a value the page does not offer)"
                )
        if len(wanted) > 1 and not control.multiple and control.kind != "checkbox" and not tamper:
            raise AssertionError(f"{name!r} takes one value, not {wanted}")
        control.values = wanted
        return self

    def remove(self, name: str) -> Form:
        """Leave a field out of the request, as a hand-edited request would."""
        del self.controls[name]
        return self

    def add(self, name: str, value) -> Form:
        """Send a field the page did not render (one value or a list), as a hand-edited
        request would; a field the form has is `set` instead."""
        if name in self.controls:
            raise AssertionError(f"the form has a field {name!r}: set it")
        values = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        self.controls[name] = Control(name, "text", multiple=len(values) > 1, values=values)
        return self

    def copy(self) -> Form:
        """The same rendered form, to fill and send again independently of this one."""
        clone = copy.copy(self)
        clone.controls = copy.deepcopy(self.controls)
        clone.buttons = copy.deepcopy(self.buttons)
        return clone

    # -- submitting ----------------------------------------------------------------
    def data(self, button: str | None = None) -> list[tuple[str, object]]:
        pairs: list[tuple[str, object]] = []
        for control in self.controls.values():
            for value in control.values:
                pairs.append((control.name, value))
        pressed = self._button(button)
        if pressed is not None and pressed.name:
            pairs.append((pressed.name, pressed.value))
        return pairs

    def submit(self, button: str | None = None, client=None, **kwargs):
        """Submit with the button whose text, name or `name=value` is given (or the first).

        Returns the test client's response; `follow_redirects` and the like pass through.
        """
        client = client or self.client
        assert client is not None, "no client to submit with"
        pressed = self._button(button)
        action = (
            urljoin(self.page_url, pressed.formaction)
            if pressed and pressed.formaction
            else self.action
        )
        pairs = self.data(button)
        # As a browser does on this site (Referrer-Policy same-origin): the page sent from.
        kwargs.setdefault("headers", {"Referer": urljoin("http://localhost", self.page_url)})
        if self.method == "get":
            path = urlsplit(action)._replace(query="").geturl()
            return client.get(path, query_string=[(k, v) for k, v in pairs], **kwargs)
        assert self.method == "post", f"a form with method {self.method!r}"
        if self.enctype == "multipart/form-data":
            body: dict[str, list] = {}
            for name, value in pairs:
                if isinstance(value, tuple):
                    value = (io.BytesIO(value[0]), value[1])
                body.setdefault(name, []).append(value)
            return client.post(action, data=body, content_type="multipart/form-data", **kwargs)
        return client.post(action, data=MultiDict(pairs), **kwargs)

    # -- internals -----------------------------------------------------------------
    def _control(self, name: str) -> Control:
        if name not in self.controls:
            raise AssertionError(f"the form has no field {name!r}; it has {sorted(self.controls)}")
        return self.controls[name]

    def _button(self, which: str | None) -> Button | None:
        if which is None:
            return self.buttons[0] if self.buttons else None
        for b in self.buttons:
            if which in (b.text, b.name, f"{b.name}={b.value}"):
                return b
        for b in self.buttons:
            if which in b.text:
                return b
        raise AssertionError(
            f"no button {which!r}; the form has {[(b.text, b.name, b.value) for b in self.buttons]}"
        )


class _FormParser(HTMLParser):
    def __init__(self, page_url: str, client=None):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.client = client
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Control | None = None
        self.option: dict | None = None
        self.textarea: Control | None = None
        self.button: Button | None = None
        self.outside_values: dict | None = None
        self.by_id: dict[str, Form] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(self.page_url, a, self.client)
            self.forms.append(self.form)
            if a.get("id"):
                self.by_id[a["id"]] = self.form
            return
        if a.get("form") and tag in ("input", "button", "select", "textarea"):
            # A control outside its form names it, as a browser reads `form="id"`.
            owner = self.by_id.get(a["form"])
            assert owner is not None, f"form={a['form']!r}: no form with that id before it"
            inside, self.form = self.form, owner
            try:
                self._control_start(tag, a)
            finally:
                self.form = inside
            return
        if self.form is None:
            return
        self._control_start(tag, a)

    def _control_start(self, tag, a):
        disabled = "disabled" in a
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self.form.buttons.append(
                    Button(name, a.get("value", ""), a.get("value", ""), a.get("formaction"))
                )
                return
            if kind in ("button", "reset") or not name or disabled:
                return
            if kind in ("checkbox", "radio"):
                control = self.form.controls.setdefault(name, Control(name, kind, input_type=kind))
                control.multiple = kind == "checkbox"
                value = a.get("value", "on")
                control.options.append(value)
                if "checked" in a:
                    control.values.append(value)
            elif kind == "file":
                self.form.controls[name] = Control(name, "file", input_type="file")
            else:
                assert kind in TEXT_LIKE, f"input type {kind}"
                if name in self.form.controls:  # repeated hidden inputs carry a list
                    self.form.controls[name].multiple = True
                    self.form.controls[name].values.append(a.get("value", ""))
                else:
                    self.form.controls[name] = Control(
                        name, "text", values=[a.get("value", "")], input_type=kind
                    )
        elif tag == "select" and name and not disabled:
            self.select = Control(name, "select", multiple="multiple" in a, input_type="select")
            self.form.controls[name] = self.select
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        elif tag == "textarea" and name and not disabled:
            self.textarea = Control(name, "text", values=[""], input_type="textarea")
            self.form.controls[name] = self.textarea
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            if kind == "submit":
                self.button = Button(name, a.get("value", ""), "", a.get("formaction"))
                self.form.buttons.append(self.button)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "option":
            self._end_option()

    def handle_data(self, data):
        if self.form is not None:
            self.form.text += data
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea.values[0] += data
        if self.button is not None:
            self.button.text += data

    def _end_option(self):
        option, self.option = self.option, None
        if option is None or self.select is None:
            return
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self.select.options.append(value)
        if option["selected"]:
            if self.select.multiple:
                self.select.values.append(value)
            else:
                self.select.values = [value]

    def handle_endtag(self, tag):
        if tag == "form":
            self._finish_form()
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            # A single select with nothing marked sends its first option, as browsers do.
            if not self.select.multiple and not self.select.values and self.select.options:
                self.select.values = [self.select.options[0]]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # HTML reads every CRLF or CR as LF (WTForms writes "\r\n" after <textarea>),
            # and a newline right after <textarea> is not part of the value.
            text = self.textarea.values[0].replace("\r\n", "\n").replace("\r", "\n")
            self.textarea.values[0] = text
            if self.textarea.values[0].startswith("\n"):
                self.textarea.values[0] = self.textarea.values[0][1:]
            self.textarea = None
        elif tag == "button" and self.button is not None:
            self.button.text = " ".join(self.button.text.split())
            self.button = None

    def _finish_form(self):
        if self.form is not None:
            for b in self.form.buttons:
                b.text = " ".join(b.text.split())
            self.form.text = " ".join(self.form.text.split())
        self.form = None


def forms_in(html: str, page_url: str = "/", client=None) -> list[Form]:
    parser = _FormParser(page_url, client)
    parser.feed(html)
    parser.close()
    return parser.forms


def pick_form(
    forms: list[Form],
    *,
    action: str | None = None,
    field: str | None = None,
    button: str | None = None,
    text: str | None = None,
    method: str | None = None,
) -> Form:
    """The one form matching every clue given; an error when none or several match."""

    def fits(form: Form) -> bool:
        if action is not None and urlsplit(form.action).path != action:
            return False
        if method is not None and form.method != method.lower():
            return False
        if field is not None and field not in form.controls:
            return False
        if text is not None and text not in form.text:
            return False
        if button is not None:
            try:
                form._button(button)
            except AssertionError:
                return False
        return True

    found = [f for f in forms if fits(f)]
    clues = {"action": action, "field": field, "button": button, "text": text, "method": method}
    assert found, f"no form with {clues} among {forms}"
    assert len(found) == 1, f"{len(found)} forms fit {clues}: {found}"
    return found[0]


def page_form(client, url: str, status: int = 200, **clues) -> Form:
    """Load `url` with the test client and pick one of its forms (see `pick_form`)."""
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return form_of(response, client, **clues)


def form_of(response, client, **clues) -> Form:
    """Pick a form from a response the test already has (a page a POST rendered, say)."""
    request = response.request
    page_url = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
    return pick_form(forms_in(response.get_data(as_text=True), page_url, client), **clues)

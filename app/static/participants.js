// The participants list without reloads: a row's form is sent in the background and the
// server answers with the row as it is now, which takes the old row's place. Without
// this script the same forms reload the list at the row (#p-<id>).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches("form[data-row]") || form.dataset.plain) return;
  event.preventDefault();
  if (form.dataset.busy) return; // a second click while the first is on its way
  form.dataset.busy = "1";
  const submitter = event.submitter;
  const plainly = () => {
    // Let the page show what went wrong, as it does without a script.
    form.dataset.plain = "1";
    delete form.dataset.busy;
    form.requestSubmit(submitter);
  };
  const row = form.closest("tr");
  const body = new FormData(form);
  if (submitter && submitter.name) body.append(submitter.name, submitter.value);
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { "X-Row-Update": "1" },
      credentials: "same-origin",
    });
  } catch {
    response = null;
  }
  if (!response || !response.ok || response.redirected) {
    plainly();
    return;
  }
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  const fresh = template.content.querySelector("tr");
  if (!fresh) {
    plainly();
    return;
  }
  row.replaceWith(fresh);
  const said = document.querySelector("main .messages");
  if (said) {
    const message = document.createElement("p");
    message.className = "message message-success";
    message.textContent = fresh.dataset.said || "";
    said.replaceChildren(message);
  }
  // Keep the keyboard where it was: on the row's first control.
  const next = fresh.querySelector("td.actions button, td.actions a");
  if (next) next.focus();
});

// The print button needs a script, so it stays hidden until this runs; without it the
// page's hint tells how to print with the browser's own menu.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

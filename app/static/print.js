// A Print button works only with JavaScript, so it stays hidden without it (the page
// says how to print with the browser's own menu instead).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

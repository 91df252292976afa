// A control reached with Tab inside a table that scrolls sideways (on a phone) is
// brought into view: Chromium leaves a time field past the box's edge when focus
// enters one of its parts, so a keyboard user could not see what they type.
document.addEventListener("focusin", (event) => {
  const target = event.target;
  if (target instanceof Element && target.closest(".table-scroll")) {
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
});

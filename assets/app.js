// Progressive enhancements; every page works without this file.
document.documentElement.classList.remove("no-js");
document.addEventListener("DOMContentLoaded", () => {
  // Confirmation for destructive actions, on forms marked data-confirm.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  // A form that posts is sent once: a double click, or a second click while a slow answer
  // is on its way, would send it again and abort the first navigation. htmx forms and
  // cancelled confirmations have prevented the default before this runs. The guard lifts
  // after a while (a form answered by a download leaves the page in place) and when the
  // page comes back from the back-forward cache.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.method !== "post") return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    window.setTimeout(() => delete form.dataset.sending, 5000);
  });
  // Search filters start folded on small screens and open beside the results on wide ones.
  if (window.matchMedia("(min-width: 992px)").matches) {
    for (const details of document.querySelectorAll("details[data-open-wide]")) details.open = true;
  }
  // Copy buttons next to join codes and links.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", () => navigator.clipboard.writeText(button.dataset.copy));
  }
});
// Content htmx put in the page (a form that opened where its button was) brings the focus to
// its element marked data-focus-here, once it has settled. Not the autofocus attribute: the
// browser may also act on that at its next rendering, and took the focus back from a reader
// who had already moved on.
document.addEventListener("htmx:load", (event) => {
  const content = event.detail.elt;
  const target = content.matches?.("[data-focus-here]") ? content
    : content.querySelector?.("[data-focus-here]");
  target?.focus();
});
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-sending]")) delete form.dataset.sending;
});

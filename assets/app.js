// Progressive enhancements; every page works without this file.
document.documentElement.classList.remove("no-js");
document.addEventListener("DOMContentLoaded", () => {
  // Confirmation for destructive actions, on forms marked data-confirm.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
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

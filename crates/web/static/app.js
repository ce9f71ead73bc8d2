// Progressive enhancement only: every page works without this file.
// A filter form applies as soon as a choice changes, instead of waiting for its button.
document.querySelectorAll("form.filters select").forEach((s) => {
  s.addEventListener("change", () => s.form.requestSubmit());
});

// The admin export page's "Select all" toggle, bound here instead of an inline onchange
// attribute, which the Content-Security-Policy blocks. onSelectToggleChange comes from
// django-import-export's export_selectable_fields.js (the form's media).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", (event) => onSelectToggleChange(event));
  });
});

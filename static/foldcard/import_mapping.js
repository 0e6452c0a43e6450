// The import preview: check the file again as soon as a column's meaning is changed
// (without JavaScript, the form's button does it).
const form = document.querySelector("[data-import-mapping]");
if (form) {
  form.addEventListener("change", () => form.requestSubmit());
}

// The vocabulary editor: each rule's folds on the drawn card (the booth's card editor),
// and each row's preview asked from the server as the row changes. What a change does is
// worked out there by the fold engine; nothing is decoded here.
import { cardEditor } from "./card_editor.js";

document.querySelectorAll("[data-card-editor]").forEach((editor) => cardEditor(editor));

document.querySelectorAll("form[data-preview]").forEach((form) => {
  const output = form.querySelector("[data-preview-output]");
  let timer = null;
  let asked = 0;

  async function preview() {
    const body = new FormData(form);
    body.set("preview", "fragment");
    asked += 1;
    const mine = asked;
    try {
      const response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
      const html = await response.text();
      // A slower answer to an earlier question must not replace a later one.
      if (mine === asked) output.innerHTML = html;
    } catch {
      if (mine === asked) output.textContent = "The preview could not be loaded; Save still works.";
    }
  }

  function soon() {
    clearTimeout(timer);
    // After the card editor has updated the fields from a click or a key.
    timer = setTimeout(preview, 250);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("keyup", (event) => { if (event.target.name === "keys") soon(); });
  form.addEventListener("click", (event) => { if (event.target.closest("[data-fold]")) soon(); });
  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.name === "preview") {
      event.preventDefault();
      clearTimeout(timer);
      preview();
    }
  });
});

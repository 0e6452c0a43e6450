// The vocabulary editor: each rule's folds on the drawn card (the booth's card editor),
// and each row's preview asked from the server as the row changes. What a change does is
// worked out there by the fold engine; nothing is decoded here. A row's Save reloads the
// page, so the other rows' unsaved edits are not thrown away without asking.
import { cardEditor } from "./card_editor.js";

document.querySelectorAll("[data-card-editor]").forEach((editor) => cardEditor(editor));

const rows = Array.from(document.querySelectorAll("form[data-preview]"));

// Return the row's fields as its form would send them.
function asSent(form) {
  const fields = Array.from(new FormData(form)).filter(([name]) => name !== "csrfmiddlewaretoken");
  return JSON.stringify(fields);
}

// As the page showed them: saved, or (data-unsaved) a refused edit shown again.
const shown = new Map(rows.map((form) => [form, asSent(form)]));
let leaving = false;

function unsaved(form) {
  return form.hasAttribute("data-unsaved") || asSent(form) !== shown.get(form);
}

// Ask before a row's Save or Delete reloads the page over the other rows' edits; true to go on.
function othersMayBeLost(form) {
  const others = rows.filter((row) => row !== form && unsaved(row));
  if (others.length === 0) return true;
  const names = others.map((row) => row.dataset.rowName).join(", ");
  return window.confirm(
    `Your unsaved changes to ${names} will be lost: this reloads the page. Go on?`,
  );
}

window.addEventListener("beforeunload", (event) => {
  if (!leaving && rows.some(unsaved)) event.preventDefault();
});

rows.forEach((form) => {
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
    } else if (othersMayBeLost(form)) {
      leaving = true;
    } else {
      event.preventDefault();
    }
  });
});

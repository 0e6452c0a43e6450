// Follow-up actions update their row in place; without JavaScript they are plain POSTs.
import { csrfToken } from "./csrf.js";

document.querySelector("[data-followups]").addEventListener("submit", async (event) => {
  const form = event.target.closest("[data-followup-action]");
  if (!form) return;
  event.preventDefault();
  // Each action is a button of the row's form, posting to its own formaction.
  const submitter = event.submitter;
  const url = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
  const data = new FormData(form);
  if (submitter && submitter.name) data.append(submitter.name, submitter.value);
  const row = form.closest("[data-card]");
  row.querySelectorAll("button").forEach((button) => { button.disabled = true; });
  try {
    const response = await fetch(url, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin",
    });
    const body = await response.json();
    if (!response.ok) throw new Error(Object.values(body.errors || {}).flat().map((e) => e.message).join(" "));
    const template = document.createElement("template");
    template.innerHTML = body.row_html.trim();
    const updated = template.content.firstElementChild;
    updated.dataset.message = body.message;
    row.replaceWith(updated);
  } catch (error) {
    // Fall back to the plain form post, which reports any problem on the page.
    if (submitter && submitter.name) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = submitter.name;
      input.value = submitter.value;
      form.append(input);
    }
    form.action = url;
    form.submit();
  }
});

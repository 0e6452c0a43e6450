// Follow-up actions update their row in place, the list's counts with the server's, and
// say what was done in the status line, with an undo; without JavaScript they are plain
// POSTs.
import { csrfToken } from "./csrf.js";

(function () {
  "use strict";
  const list = document.querySelector("[data-followups]");
  if (!list) return;
  const status = document.querySelector("[data-followup-status]");

  // POST ``data`` as a script does and return the JSON answer; throw with the server's
  // messages when it refuses.
  async function post(url, data, form) {
    const response = await fetch(url, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const problems = Object.values(body.errors || {}).flat().map((e) => e.message).join(" ");
      throw new Error(problems || `the server answered ${response.status}.`);
    }
    return body;
  }

  // Put the answer's row where the card's row is.
  function replaceRow(body) {
    const template = document.createElement("template");
    template.innerHTML = body.row_html.trim();
    list.querySelector(`[data-card="${body.id}"]`).replaceWith(template.content.firstElementChild);
  }

  // Show the list's counts as the server counted them after the action.
  function showCounts(counts) {
    if (!counts) return;
    const total = document.querySelector("[data-total]");
    if (total) total.textContent = `${counts.total} follow-up${counts.total === 1 ? "" : "s"}`;
    list.querySelectorAll("[data-group]").forEach((heading) => {
      heading.querySelector("[data-count]").textContent = counts.buckets[heading.dataset.group] || 0;
    });
  }

  // Say ``message`` in the status line; with ``undo``, an Undo button that posts it back
  // (with the CSRF token and the list's address of ``form``).
  function say(message, problem = false, undo = null, form = null) {
    const line = document.createElement("div");
    line.className = `alert ${problem ? "alert-danger" : "alert-success"} d-flex align-items-center gap-2 py-2`;
    const text = document.createElement("span");
    text.textContent = message;
    line.append(text);
    if (undo) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary ms-auto";
      button.textContent = "Undo";
      button.addEventListener("click", async () => {
        button.disabled = true;
        const data = new FormData();
        Object.entries(undo.data).forEach(([name, value]) => data.append(name, value));
        data.append("next", form.elements.next.value);
        try {
          const body = await post(undo.url, data, form);
          replaceRow(body);
          showCounts(body.counts);
          say(body.message);
        } catch (error) {
          say(`Could not undo: ${error.message}`, true);
        }
      });
      line.append(button);
    }
    status.replaceChildren(line);
  }

  list.addEventListener("submit", async (event) => {
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
      const body = await post(url, data, form);
      replaceRow(body);
      showCounts(body.counts);
      say(body.message, false, body.undo, form);
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
})();

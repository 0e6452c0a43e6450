// Follow-up actions posted by script: the answer's rows take the place of theirs, the
// list's counts become the server's, and the status line says what was done (and what was
// skipped) with an Undo button.
import { csrfToken } from "./csrf.js";

const list = document.querySelector("[data-followups]");
const status = document.querySelector("[data-followup-status]");
const bulkForm = document.getElementById("bulk");
let lastUndo = null;
// The rows of this page that actions took out of the list (card ids).
const out = new Set();

// The list's address, where actions go back to and whose counts they answer.
export function listUrl() {
  return bulkForm.elements.next.value;
}

// POST ``data`` (FormData) as a script does and return the JSON answer; throw with the
// server's messages when it refuses (a form's errors, or an error page's plain strings),
// the answer kept as the error's ``body``.
export async function post(url, data) {
  const response = await fetch(url, {
    method: "POST",
    body: data,
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(bulkForm) },
    credentials: "same-origin",
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const errors = Object.values(body.errors || {}).flat();
    const problems = errors.map((e) => (typeof e === "string" ? e : e.message)).join(" ");
    throw Object.assign(new Error(problems || `the server answered ${response.status}.`), { body });
  }
  return body;
}

// Whether ``row``'s follow-up is done or dropped.
export const isClosed = (row) => ["done", "dropped"].includes(row.dataset.state);

// Show of the row actions ``actions`` those that fit ``row``: Email when it has an address,
// and Reopen instead of Done, Snooze and Drop when it is done or dropped.
export function showActions(actions, row) {
  actions.querySelector('[data-do="email"]').hidden = !row.dataset.emailUrl;
  for (const action of ["done", "snooze", "drop"]) {
    actions.querySelector(`[data-do="${action}"]`).hidden = isClosed(row);
  }
  actions.querySelector('[data-do="reopen"]').hidden = !isClosed(row);
}

// Put ``html``, the row of card ``id`` as it is now, where its row is; the row's marks
// (current, selected) and the actions shown in it stay, those that fit it now.
function replaceRow(id, html) {
  const old = list.querySelector(`[data-card="${id}"]`);
  if (!old) return;
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  const row = template.content.firstElementChild;
  row.classList.toggle("is-current", old.classList.contains("is-current"));
  const actions = old.querySelector("[data-row-actions]");
  if (actions) {
    row.append(actions);
    showActions(actions, row);
  }
  old.replaceWith(row);
}

// Show the list's counts as the server counted them after the action. The rows of this
// page that left the list (done, snoozed, dropped; an undo brings them back) moved the
// later rows up: the next page starts as many rows sooner, so that none is skipped (and
// cards others add or close meanwhile change nothing of it).
function showCounts(counts) {
  if (!counts) return;
  const total = document.querySelector("[data-total]");
  if (total) total.textContent = counts.shown.total;
  list.querySelectorAll("[data-group]").forEach((heading) => {
    heading.querySelector("[data-count]").textContent = counts.shown[heading.dataset.group] || 0;
  });
  Object.entries(counts.listed).forEach(([id, listed]) => (listed ? out.delete(id) : out.add(id)));
  const next = document.querySelector("[data-next-page]");
  if (!next) return;
  const url = new URL(next.href);
  url.searchParams.set("left", Number(list.dataset.left) + out.size);
  next.href = url;
}

// Say ``message`` in the status line; with ``undo``, an Undo button that posts it back.
export function say(message, problem = false, undo = null) {
  const line = document.createElement("div");
  line.className = `alert ${problem ? "alert-danger" : "alert-success"} d-flex align-items-center gap-2 py-2`;
  const text = document.createElement("span");
  text.textContent = message;
  line.append(text);
  lastUndo = null;
  if (undo) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary ms-auto";
    button.textContent = "Undo";
    lastUndo = async () => {
      lastUndo = null;
      button.disabled = true;
      await send(undo.url, undo.data);
    };
    button.addEventListener("click", () => lastUndo && lastUndo());
    line.append(button);
  }
  status.replaceChildren(line);
}

// Take back the last action, if it can still be taken back.
export function undoLast() {
  if (lastUndo) lastUndo();
}

// POST ``data`` (FormData or an object) to the action ``url`` from the list, then show what
// it did; return the answer, or null when it was refused (and say why).
export async function send(url, data) {
  const form = data instanceof FormData ? data : new FormData();
  if (!(data instanceof FormData)) {
    Object.entries(data).forEach(([name, value]) => {
      [].concat(value).forEach((each) => form.append(name, each));
    });
  }
  form.set("next", listUrl());
  try {
    const body = await post(url, form);
    if (body.row_html) replaceRow(body.id, body.row_html);
    Object.entries(body.rows || {}).forEach(([id, html]) => replaceRow(id, html));
    showCounts(body.counts);
    const skipped = (body.skipped || []).map((each) => `${each.name}: ${each.reason}`);
    const said = skipped.length ? `${body.message} Left as they were: ${skipped.join("; ")}.` : body.message;
    say(said, false, body.undo);
    return body;
  } catch (error) {
    // A card changed by someone else comes back as it is now.
    if (error.body && error.body.row_html) replaceRow(error.body.id, error.body.row_html);
    say(`That did not work: ${error.message}`, true);
    return null;
  }
}

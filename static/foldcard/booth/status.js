// What the booth page shows around its form: what was saved (above the latest cards, which
// it joins), what was kept on this laptop or refused, and the outbox: "N waiting to sync",
// the cards the server refused or keeps failing on, and the cards waiting for another
// user to log in.
import { isFor, waitingForOthers } from "./outbox.js";

const badge = document.querySelector("[data-outbox-count]");
const others = document.querySelector("[data-outbox-others]");
const stuck = document.querySelector("[data-outbox-stuck]");
const confirmation = document.querySelector("[data-confirmation]");
const problemsBox = document.querySelector("[data-rejected]");
const latest = document.querySelector("[data-latest]");

function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

// Whose the card is, as the booth writes it: a card without a name, an email or a company
// by its phone, else as one without a name.
function who(item) {
  const { name, email, company, phone } = item.fields;
  return name || email || company || phone || "a card without a name";
}

function alert(kind, text) {
  const div = document.createElement("div");
  div.className = `alert alert-${kind} py-1 px-2 mb-0`;
  div.textContent = text;
  return div;
}

export function showSaved(data) {
  // The page's messages ("Removed the card of …") were about an earlier card.
  document.querySelectorAll("[data-message]").forEach((message) => message.remove());
  confirmation.replaceChildren(fromHtml(data.confirmation_html));
  if (data.row_html && !latest.querySelector(`[data-card="${data.id}"]`)) {
    latest.querySelector("[data-empty]")?.remove();
    latest.prepend(fromHtml(data.row_html));
  }
}

// A card on its way: in place of the last confirmation, whose undo was for the card
// before it.
export function showSending(item) {
  const div = alert("secondary", `Sending ${who(item)}…`);
  div.setAttribute("role", "status");
  confirmation.replaceChildren(div);
}

export function showKept(item) {
  const why = item.problem || "the network is down";
  const div = alert("warning", `Kept ${who(item)} on this laptop (${why}); it will be sent again.`);
  div.setAttribute("role", "status");
  confirmation.replaceChildren(div);
}

// A card not sent for what it lacks: in place of the last confirmation, which must not
// suggest that this card went in, say what to fix (`problems`: "Email: Enter a valid …").
export function showRefused(problems) {
  const div = alert("danger", `Not saved. ${problems.join(" ")} Fix it and press Enter.`);
  div.setAttribute("role", "alert");
  div.dataset.refused = "";
  confirmation.replaceChildren(div);
}

// A save the server refused: it waits below with its Fix button, the form left to the
// card being typed.
export function showSetAside(item) {
  const why = Object.values(item.rejected).flat().join(" ");
  const div = alert("danger", `Not saved: ${who(item)} — ${why} It waits below: Fix brings it back.`);
  div.setAttribute("role", "alert");
  div.dataset.refused = "";
  confirmation.replaceChildren(div);
}

function button(label, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = "btn btn-sm btn-light";
  element.textContent = label;
  element.addEventListener("click", action);
  return element;
}

function problemRow(item, { fix, discard }) {
  const div = document.createElement("div");
  div.className = "alert alert-danger py-1 px-2 mb-1 d-flex flex-wrap gap-2 align-items-center";
  div.dataset.problem = item.client_uuid;
  const text = item.rejected
    ? `Not saved: ${who(item)} — ${Object.values(item.rejected).flat().join(" ")}`
    : `Not sent yet: ${who(item)} — ${item.problem}. Trying again.`;
  const sure = () => window.confirm(`Discard this card (${who(item)})? It was never saved.`);
  div.append(text, button("Fix", () => fix(item)), button("Discard", () => sure() && discard(item)));
  return div;
}

// Show the outbox's `items` as the page's `user` sees them; a problem card's Fix and
// Discard buttons call `actions.fix` and (once confirmed) `actions.discard` with it.
export function showOutbox(items, user, actions) {
  const mine = items.filter((item) => isFor(item, user));
  const waiting = mine.filter((item) => !item.rejected);
  badge.textContent = `${waiting.length} waiting to sync`;
  badge.classList.toggle("d-none", waiting.length === 0);
  // A server failing on a card is shown with the problem cards below; what keeps the
  // session from sending (logged out, another user's session) is said here.
  const blocked = waiting.find((item) => item.problem && !item.failures);
  stuck.textContent = blocked ? `Not sent: ${blocked.problem}.` : "";
  others.textContent = waitingForOthers(items, user).join(" ");
  const problems = mine.filter((item) => item.rejected || item.failures);
  problemsBox.replaceChildren(...problems.map((item) => problemRow(item, actions)));
}

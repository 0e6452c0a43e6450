// What the booth page shows around its form: what was saved (above the latest cards, which
// it joins), what was kept on this laptop, and the outbox as "N waiting to sync" with the
// cards the server refused.
const badge = document.querySelector("[data-outbox-count]");
const confirmation = document.querySelector("[data-confirmation]");
const rejectedBox = document.querySelector("[data-rejected]");
const latest = document.querySelector("[data-latest]");

function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

function who(item) {
  return item.fields.name || item.fields.email || item.fields.company;
}

export function showSaved(data) {
  confirmation.replaceChildren(fromHtml(data.confirmation_html));
  if (data.row_html && !latest.querySelector(`[data-card="${data.id}"]`)) {
    latest.querySelector("[data-empty]")?.remove();
    latest.prepend(fromHtml(data.row_html));
  }
}

export function showKept(item) {
  const why = item.problem || "the network is down";
  const div = document.createElement("div");
  div.className = "alert alert-warning py-1 px-2 mb-0";
  div.setAttribute("role", "status");
  div.textContent = `Kept ${who(item)} on this laptop (${why}); it will be sent again.`;
  confirmation.replaceChildren(div);
}

function rejectedRow(item, fix) {
  const div = document.createElement("div");
  div.className = "alert alert-danger py-1 px-2 mb-1 d-flex gap-2 align-items-center";
  const text = Object.values(item.rejected).flat().join(" ");
  div.append(`Not saved: ${who(item)} — ${text}`);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-sm btn-light";
  button.textContent = "Fix";
  button.addEventListener("click", () => fix(item));
  div.append(button);
  return div;
}

// Show the outbox's `items`; a refused card's Fix button calls `fix` with it.
export function showOutbox(items, fix) {
  const waiting = items.filter((item) => !item.rejected);
  badge.textContent = `${waiting.length} waiting to sync`;
  badge.classList.toggle("d-none", waiting.length === 0);
  const problem = waiting.find((item) => item.problem);
  badge.title = problem ? `Not sent yet: ${problem.problem}` : "";
  rejectedBox.replaceChildren(...items.filter((item) => item.rejected).map((item) => rejectedRow(item, fix)));
}

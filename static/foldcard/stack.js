// Reading a stack: the chosen photos are sent one per request (a progress line shows how
// far), then the page follows the background reading until no photo waits. On the review
// page, Enter in the note logs the card as at the booth; Shift+Enter starts a new line.
import { saveOnEnterInNote } from "./booth/form.js";
import { csrfToken } from "./csrf.js";

const POLL_MS = 2000;
// Where the photos a stack's upload refused are kept, for the page reloaded after it.
const REFUSED = "foldcard-stack-refused";

function sendPhotos(form) {
  const input = form.elements.photos;
  const counts = document.querySelector("[data-counts]");

  async function upload(file) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken(form));
    data.append("photos", file, file.name);
    const response = await fetch(form.action || location.href, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
    });
    const answer = await response.json();
    return answer.refused || [];
  }

  form.addEventListener("submit", async (event) => {
    if (!input.files.length) return;
    event.preventDefault();
    const files = Array.from(input.files);
    const refused = [];
    sessionStorage.removeItem(REFUSED);
    for (const [i, file] of files.entries()) {
      counts.textContent = `Sending photo ${i + 1} of ${files.length}…`;
      refused.push(...(await upload(file)));
    }
    if (refused.length) sessionStorage.setItem(REFUSED, refused.join("\n"));
    location.reload();
  });

  // The photos refused stay said, through the reloads that follow the reading, until they
  // are dismissed or more photos are sent.
  const refusedBefore = sessionStorage.getItem(REFUSED);
  if (refusedBefore) {
    const box = document.createElement("div");
    box.className = "alert alert-danger py-1 small text-break d-flex gap-2 align-items-start";
    box.dataset.refused = "";
    const text = document.createElement("div");
    text.className = "flex-grow-1";
    text.textContent = refusedBefore;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", "Dismiss");
    close.addEventListener("click", () => {
      sessionStorage.removeItem(REFUSED);
      box.remove();
    });
    box.append(text, close);
    form.after(box);
  }
}

const stackForm = document.querySelector("[data-stack-form]");
if (stackForm) sendPhotos(stackForm);
const reviewForm = document.querySelector("[data-stack-review-form]");
if (reviewForm) saveOnEnterInNote(reviewForm);

async function follow() {
  const response = await fetch(location.href, { headers: { Accept: "application/json" } });
  const answer = await response.json();
  if (answer.counts.waiting) setTimeout(follow, POLL_MS);
  else location.reload();
}

if (document.querySelector("[data-stack-photo][data-state=waiting]")) setTimeout(follow, POLL_MS);

// Booth mode: Enter saves, the form clears for the next card, and a card that cannot be
// sent is kept in this browser (IndexedDB) with its client_uuid and sent again until the
// server has it.
import { boothForm } from "./booth/form.js";
import { keepForOffline } from "./booth/offline.js";
import * as outbox from "./booth/outbox.js";
import { showKept, showOutbox, showSaved } from "./booth/status.js";
import { deliver, sendWaiting } from "./booth/sync.js";
import { startWebcam } from "./booth/webcam.js";
import { cardEditor } from "./card_editor.js";
import { csrfToken } from "./csrf.js";

const RETRY_MS = 10000;
const form = document.querySelector("[data-booth-form]");
const saveButton = form.querySelector("[data-save]");
const fields = boothForm(form, cardEditor(form.querySelector("[data-card-editor]")));
const token = () => csrfToken(form);

// The outbox is shared by every booth page of this browser: show only this one's cards.
function showSavedHere(item, data) {
  if (item.url === form.action) showSaved(data);
}

async function refreshOutbox() {
  showOutbox(await outbox.all(), fix);
}

async function fix(item) {
  fields.fill(item);
  await outbox.remove(item.client_uuid);
  refreshOutbox();
  form.elements.keys.focus();
}

async function sync() {
  try {
    await sendWaiting(token, showSavedHere);
  } finally {
    await refreshOutbox();
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const item = fields.item();
  await outbox.put(item);
  saveButton.disabled = true;
  try {
    const result = await deliver(item, token);
    if (result.saved) {
      showSavedHere(item, result.saved);
      fields.clear();
    } else if (result.errors) {
      await outbox.remove(item.client_uuid);
      fields.showErrors(result.errors);
      // An error about the card as a whole: back to its first field.
      if (result.errors.__all__) form.elements.name.focus();
    } else if ((await outbox.all()).some((i) => i.client_uuid === item.client_uuid)) {
      // Kept for later, unless a sync has sent it in the meantime.
      fields.clear();
      showKept(item);
    }
  } finally {
    saveButton.disabled = false;
    refreshOutbox();
  }
});

startWebcam(document.querySelector("[data-webcam]"), form.querySelector("[data-webcam-button]"), {
  onSnapshot: fields.useSnapshot,
  onProblem: fields.showPhotoStatus,
});
keepForOffline();
window.addEventListener("online", sync);
setInterval(sync, RETRY_MS);
sync();
form.elements.keys.focus();

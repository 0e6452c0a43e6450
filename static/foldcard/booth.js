// Booth mode: Enter saves, the form clears for the next card, and a card that cannot be
// sent is kept in this browser (IndexedDB) with its client_uuid and who logged it, and
// sent again, in that person's session only, until the server has it.
import { followFoldTable } from "./booth/fold_table.js";
import { boothForm } from "./booth/form.js";
import { cardReader } from "./booth/reading.js";
import { watchTyping } from "./booth/lookup.js";
import { keepForOffline } from "./booth/offline.js";
import * as outbox from "./booth/outbox.js";
import { startShortcuts } from "./booth/shortcuts.js";
import { showKept, showOutbox, showRefused, showSaved, showSending, showSetAside } from "./booth/status.js";
import { deliver, sendWaiting } from "./booth/sync.js";
import { startWebcam } from "./booth/webcam.js";
import { cardEditor } from "./card_editor.js";
import { csrfToken } from "./csrf.js";

const RETRY_MS = 10000;
const user = JSON.parse(document.getElementById("booth-user").textContent);
const form = document.querySelector("[data-booth-form]");
const editor = cardEditor(form.querySelector("[data-card-editor]"));
const fields = boothForm(form, editor, user);
const checkFoldTable = followFoldTable(form.action, editor);
const lookup = watchTyping(
  form,
  form.dataset.lookup,
  form.querySelector("[data-already-logged]"),
  form.querySelector("[data-same-person]"),
  checkFoldTable,
);
const token = () => csrfToken(form);
const reader = cardReader(form, form.dataset.readUrl, token, lookup.now);

// The outbox is shared by every booth page of this browser: show only this one's cards,
// and follow only this page's table (another conference's due dates differ).
function showSavedHere(item, data) {
  if (item.url !== form.action) return;
  showSaved(data);
  checkFoldTable(data.fold_table_version);
}

async function refreshOutbox() {
  showOutbox(await outbox.all(), user, { fix, discard });
}

async function fix(item) {
  const lost = "Bring it back into the form? The card being typed there is not saved yet and would be lost.";
  if (fields.typed() && !window.confirm(lost)) return;
  // What was read or looked up for the card it replaces is not this card's.
  clearForm();
  fields.fill(item);
  lookup.now();
  await outbox.remove(item.client_uuid);
  refreshOutbox();
  form.elements.keys.focus();
}

async function discard(item) {
  await outbox.remove(item.client_uuid);
  refreshOutbox();
}

async function sync() {
  try {
    await sendWaiting(token, user, showSavedHere);
  } finally {
    await refreshOutbox();
  }
}

function clearForm() {
  fields.clear();
  lookup.clear();
  reader.reset();
}

// The card goes into the outbox and the form clears at once: what is typed while it is on
// its way is the next card's. An Enter on the empty form saves nothing, so a second press
// saves no second card.
let queuing = false;
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (queuing) return;
  if (!fields.typed()) {
    form.elements.keys.focus();
    return;
  }
  const problems = fields.problems();
  if (problems) {
    showProblems(problems);
    return;
  }
  queuing = true;
  const item = fields.item();
  // Cleared before the card is stored, which takes a few ms: a key pressed meanwhile is
  // the next card's, not cleared with this one.
  clearForm();
  // The last card's confirmation, and its undo, are no longer the last save's.
  showSending(item);
  try {
    await outbox.put(item);
  } catch (error) {
    notKept(item, error);
    return;
  } finally {
    queuing = false;
  }
  try {
    const result = await deliver(item, token);
    if (result.saved) {
      showSavedHere(item, result.saved);
    } else if (result.errors) {
      await refused(item, result.errors);
    } else if ((await outbox.all()).some((i) => i.client_uuid === item.client_uuid)) {
      // Kept for later, unless a sync has sent it in the meantime.
      showKept(item);
    }
  } finally {
    refreshOutbox();
  }
});

// A card the server refused waits below with its Fix button, whatever the form holds: an
// answer may come back just as the next card's first keys are typed into an empty form.
async function refused(item, errors) {
  item.rejected = errors;
  await outbox.put(item);
  showSetAside(item);
}

// A card this browser could not keep (its storage full, say) is not sent either: it comes
// back into the form to be saved again, or, if the next card is being typed there
// already, is shown to be typed again.
function notKept(item, error) {
  const why = `This browser could not keep the card (${error?.message || error}), so it was not sent.`;
  if (fields.typed()) {
    window.alert(`${why} Type it again: ${Object.values(item.fields).filter(Boolean).join(", ")}`);
    return;
  }
  fields.fill(item);
  showProblems({ __all__: [why] });
}

// What the card being typed lacks, said beside its fields, above the form (which keeps the
// card) and in the line below it: that line is the one read out, and the next card's save
// replaces it while this card is still in the form.
function showProblems(errors) {
  const { first, problems } = fields.showErrors(errors);
  showRefused(problems);
  first.focus();
}

startWebcam(document.querySelector("[data-webcam]"), form.querySelector("[data-webcam-button]"), {
  onSnapshot: (blob) => {
    fields.useSnapshot(blob);
    reader.read(blob);
  },
  onProblem: fields.showPhotoStatus,
});
form.elements.photo.addEventListener("change", () => {
  if (form.elements.photo.files.length) reader.read(form.elements.photo.files[0]);
});
startShortcuts({
  dialog: document.querySelector("[data-shortcuts]"),
  button: document.querySelector("[data-shortcuts-button]"),
  keys: form.elements.keys,
  undo: () => document.querySelector("[data-confirmation] [data-undo]")?.requestSubmit(),
});
keepForOffline();
// Leaving the page (a link, a reload) with a card half typed asks first: it is not saved.
// An undo (a plain form) asks in words of its own, saying what it would lose.
let leaving = false;
document.addEventListener("submit", (event) => {
  if (!event.target.matches("[data-undo]") || !fields.typed()) return;
  if (window.confirm("Undo the last save? The card being typed here is not saved yet and would be lost.")) {
    leaving = true;
  } else {
    event.preventDefault();
  }
});
window.addEventListener("beforeunload", (event) => {
  if (fields.typed() && !leaving) event.preventDefault();
});
window.addEventListener("pageshow", () => {
  leaving = false;
});
window.addEventListener("online", sync);
setInterval(sync, RETRY_MS);
sync();
// The fold code has the focus from the page (autofocus): taking it again here, once the
// script has loaded, would pull the cursor out of a field being typed in already.
if (!form.contains(document.activeElement)) form.elements.keys.focus();

// Booth mode: Enter saves, the form clears for the next card, and a card that cannot be
// sent is kept in this browser (IndexedDB) with its client_uuid and sent again until the
// server has it. The server accepts each client_uuid once, so a resend is harmless.
import { cardEditor } from "./card_editor.js";
import { csrfToken } from "./csrf.js";

const form = document.querySelector("[data-booth-form]");
const editor = cardEditor(form.querySelector("[data-card-editor]"));
const FIELDS = ["name", "company", "title", "email", "phone", "note"];
const SEND_TIMEOUT_MS = 4000;
const RETRY_MS = 10000;
const badge = document.querySelector("[data-outbox-count]");
const confirmation = document.querySelector("[data-confirmation]");
const rejectedBox = document.querySelector("[data-rejected]");
const latest = document.querySelector("[data-latest]");
const saveButton = form.querySelector("[data-save]");
const photoInput = form.elements.photo;
const photoStatus = form.querySelector("[data-photo-status]");
const inFlight = new Set();
let snapshot = null;

// --- the outbox: every card goes in before it is sent, and leaves once the server has it
const db = new Promise((resolve, reject) => {
  const request = indexedDB.open("foldcard", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("outbox", { keyPath: "client_uuid" });
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

async function store(mode, action) {
  const database = await db;
  return new Promise((resolve, reject) => {
    const transaction = database.transaction("outbox", mode);
    const request = action(transaction.objectStore("outbox"));
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(transaction.error);
  });
}
const outbox = {
  put: (item) => store("readwrite", (s) => s.put(item)),
  remove: (id) => store("readwrite", (s) => s.delete(id)),
  all: () => store("readonly", (s) => s.getAll()),
};

function uuid4() {
  // crypto.randomUUID() needs a secure context; a booth laptop may reach us over http.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function itemFromForm() {
  const item = {
    client_uuid: uuid4(),
    url: form.action,
    queued_at: Date.now(),
    folds: editor.codes(),
    fields: {},
    photo: null,
    photo_name: "",
  };
  FIELDS.forEach((f) => { item.fields[f] = form.elements[f].value; });
  if (snapshot) {
    item.photo = snapshot;
    item.photo_name = "webcam.jpg";
  } else if (photoInput.files.length) {
    item.photo = photoInput.files[0];
    item.photo_name = photoInput.files[0].name;
  }
  return item;
}

function body(item) {
  const data = new FormData();
  data.append("client_uuid", item.client_uuid);
  item.folds.forEach((code) => data.append("folds", code));
  FIELDS.forEach((f) => data.append(f, item.fields[f]));
  if (item.photo) data.append("photo", item.photo, item.photo_name);
  return data;
}

// Return {status, data}; throw when the server could not be reached in time.
async function send(item) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
  try {
    const response = await fetch(item.url, {
      method: "POST",
      body: body(item),
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin",
      signal: controller.signal,
    });
    const json = (response.headers.get("Content-Type") || "").includes("application/json");
    return { status: response.status, data: json ? await response.json() : null };
  } finally {
    clearTimeout(timer);
  }
}

function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

function showSaved(data) {
  confirmation.replaceChildren(fromHtml(data.confirmation_html));
  if (data.row_html && !latest.querySelector(`[data-card="${data.id}"]`)) {
    latest.querySelector("[data-empty]")?.remove();
    latest.prepend(fromHtml(data.row_html));
  }
}

function showMessage(text, kind) {
  const div = document.createElement("div");
  div.className = `alert alert-${kind} py-1 px-2 mb-0`;
  div.setAttribute("role", "status");
  div.textContent = text;
  confirmation.replaceChildren(div);
}

function showErrors(errors) {
  form.querySelectorAll("[data-error]").forEach((el) => {
    if (el.dataset.error === "__all__") el.remove();
    else el.textContent = "";
  });
  Object.entries(errors || {}).forEach(([field, messages]) => {
    const slot = form.querySelector(`[data-error="${field}"]`);
    if (slot) {
      slot.textContent = messages.join(" ");
    } else {
      const div = document.createElement("div");
      div.className = "alert alert-danger py-1 mb-2";
      div.dataset.error = "__all__";
      div.textContent = messages.join(" ");
      form.prepend(div);
    }
  });
}

function who(item) {
  return item.fields.name || item.fields.email || item.fields.company;
}

function clearForm() {
  FIELDS.forEach((f) => { form.elements[f].value = ""; });
  photoInput.value = "";
  snapshot = null;
  photoStatus.textContent = "";
  showErrors({});
  editor.reset();
  form.elements.keys.focus();
}

// Send one card. Return true once the server has it.
async function deliver(item, fromForm) {
  inFlight.add(item.client_uuid);
  let result;
  try {
    result = await send(item);
  } catch (error) {
    return false;
  } finally {
    inFlight.delete(item.client_uuid);
  }
  if ((result.status === 201 || result.status === 200) && result.data) {
    await outbox.remove(item.client_uuid);
    if (item.url === form.action) showSaved(result.data);
    return true;
  }
  if (result.status === 400 && result.data) {
    if (fromForm) {
      await outbox.remove(item.client_uuid);
      showErrors(result.data.errors);
    } else {
      item.rejected = result.data.errors;
      await outbox.put(item);
    }
    return false;
  }
  // A login page (an expired session ends on it, answered 200 in HTML), a 403 or a
  // server error: keep the card and try again later.
  item.problem = result.status === 200 ? "log in again to send it" : `the server answered ${result.status}`;
  await outbox.put(item);
  return false;
}

async function refreshOutbox() {
  const items = await outbox.all();
  const waiting = items.filter((item) => !item.rejected);
  badge.textContent = `${waiting.length} waiting to sync`;
  badge.classList.toggle("d-none", waiting.length === 0);
  const problem = waiting.find((item) => item.problem);
  badge.title = problem ? `Not sent yet: ${problem.problem}` : "";
  rejectedBox.replaceChildren(...items.filter((item) => item.rejected).map(rejectedRow));
  return waiting.length;
}

function rejectedRow(item) {
  const div = document.createElement("div");
  div.className = "alert alert-danger py-1 px-2 mb-1 d-flex gap-2 align-items-center";
  const text = Object.values(item.rejected).flat().join(" ");
  div.append(`Not saved: ${who(item)} — ${text}`);
  const fix = document.createElement("button");
  fix.type = "button";
  fix.className = "btn btn-sm btn-light";
  fix.textContent = "Fix";
  fix.addEventListener("click", async () => {
    FIELDS.forEach((f) => { form.elements[f].value = item.fields[f]; });
    editor.setCodes(item.folds);
    snapshot = item.photo;
    photoStatus.textContent = item.photo ? `Photo kept: ${item.photo_name}` : "";
    showErrors(item.rejected);
    await outbox.remove(item.client_uuid);
    refreshOutbox();
    form.elements.keys.focus();
  });
  div.append(fix);
  return div;
}

let syncing = false;
async function sync() {
  if (syncing) return;
  syncing = true;
  try {
    for (const item of await outbox.all()) {
      if (item.rejected || inFlight.has(item.client_uuid)) continue;
      if (!(await deliver(item, false)) && !item.rejected) break;
    }
  } finally {
    syncing = false;
    await refreshOutbox();
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const item = itemFromForm();
  if (!item.fields.name.trim() && !item.fields.company.trim() && !item.fields.email.trim()) {
    showErrors({ __all__: ["A card needs at least a name, a company or an email."] });
    form.elements.name.focus();
    return;
  }
  await outbox.put(item);
  saveButton.disabled = true;
  try {
    if (await deliver(item, true)) {
      clearForm();
    } else if (!item.rejected && (await outbox.all()).some((i) => i.client_uuid === item.client_uuid)) {
      clearForm();
      const why = item.problem || "the network is down";
      showMessage(`Kept ${who(item)} on this laptop (${why}); it will be sent again.`, "warning");
    }
  } finally {
    saveButton.disabled = false;
    refreshOutbox();
  }
});

// Enter saves from any field; in the note, Shift+Enter starts a new line.
form.elements.note.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    form.requestSubmit();
  }
});

photoInput.addEventListener("change", () => {
  snapshot = null;
  photoStatus.textContent = photoInput.files.length ? photoInput.files[0].name : "";
});

// --- webcam snapshot, where the browser has a camera API
const webcam = document.querySelector("[data-webcam]");
const webcamButton = form.querySelector("[data-webcam-button]");
if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  const video = webcam.querySelector("video");
  let stream = null;
  const close = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    webcam.classList.add("d-none");
  };
  webcamButton.classList.remove("d-none");
  webcamButton.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true });
    } catch (error) {
      photoStatus.textContent = "No camera available.";
      return;
    }
    video.srcObject = stream;
    webcam.classList.remove("d-none");
  });
  webcam.querySelector("[data-webcam-capture]").addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob((blob) => {
      snapshot = blob;
      photoInput.value = "";
      photoStatus.textContent = "Webcam snapshot ready.";
    }, "image/jpeg", 0.9);
    close();
  });
  webcam.querySelector("[data-webcam-close]").addEventListener("click", close);
}

// Keep this page and its files for a reload without network (see sw.js, which serves
// them from this cache when the network fails).
if ("serviceWorker" in navigator && "caches" in window) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
  // Every static file this page loaded, the modules its script imports included.
  const assets = new Set(
    performance.getEntriesByType("resource")
      .map((entry) => new URL(entry.name))
      .filter((url) => url.origin === location.origin && url.pathname.startsWith("/static/"))
      .map((url) => url.pathname),
  );
  caches.open("foldcard-booth-v1").then((cache) => cache.addAll([location.pathname, ...assets]));
}
window.addEventListener("online", sync);
setInterval(sync, RETRY_MS);
sync();
form.elements.keys.focus();

// Sending cards to the server. The server accepts each client_uuid once, so a resend is
// harmless: a card stays in the outbox until the server has answered for it.
import * as outbox from "./outbox.js";

const SEND_TIMEOUT_MS = 4000;
const inFlight = new Set();
let syncing = false;

function body(item) {
  const data = new FormData();
  data.append("client_uuid", item.client_uuid);
  item.folds.forEach((code) => data.append("folds", code));
  Object.entries(item.fields).forEach(([field, value]) => data.append(field, value));
  if (item.photo) data.append("photo", item.photo, item.photo_name);
  return data;
}

// Return {status, data}; throw when the server could not be reached in time.
async function send(item, csrfToken) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
  try {
    const response = await fetch(item.url, {
      method: "POST",
      body: body(item),
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      signal: controller.signal,
    });
    const json = (response.headers.get("Content-Type") || "").includes("application/json");
    return { status: response.status, data: json ? await response.json() : null };
  } finally {
    clearTimeout(timer);
  }
}

// Send one card. Return {saved: the server's card} once the server has it (and it has
// left the outbox), {errors} when the server refused it (the caller decides what becomes
// of it), and {} when it stays in the outbox to be sent again.
export async function deliver(item, csrfToken) {
  inFlight.add(item.client_uuid);
  let result;
  try {
    result = await send(item, csrfToken);
  } catch (error) {
    return {};
  } finally {
    inFlight.delete(item.client_uuid);
  }
  if ((result.status === 201 || result.status === 200) && result.data) {
    await outbox.remove(item.client_uuid);
    return { saved: result.data };
  }
  if (result.status === 400 && result.data) return { errors: result.data.errors };
  // A login page (an expired session ends on it, answered 200 in HTML), a 403 or a
  // server error: keep the card and try again later.
  item.problem = result.status === 200 ? "log in again to send it" : `the server answered ${result.status}`;
  await outbox.put(item);
  return {};
}

// Send the cards waiting in the outbox, up to the first that cannot be sent. A card the
// server refuses stays in the outbox, marked rejected, until someone fixes it.
export async function sendWaiting(csrfToken, onSaved) {
  if (syncing) return;
  syncing = true;
  try {
    for (const item of await outbox.all()) {
      if (item.rejected || inFlight.has(item.client_uuid)) continue;
      const result = await deliver(item, csrfToken);
      if (result.saved) {
        onSaved(item, result.saved);
      } else if (result.errors) {
        item.rejected = result.errors;
        await outbox.put(item);
      } else {
        break;
      }
    }
  } finally {
    syncing = false;
  }
}

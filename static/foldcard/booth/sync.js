// Sending cards to the server. The server accepts each client_uuid once, so a resend is
// harmless: a card stays in the outbox until the server has answered for it.
import * as outbox from "./outbox.js";

const SEND_TIMEOUT_MS = 4000;
// A photo gets the time to go up at 256 kbit/s besides (a crowded hall's wifi): a slow
// uplink is not a missing network, and a card given up on is sent again whole.
const PHOTO_BYTES_PER_MS = 32;
// A card the server fails on this many times is set aside like a refused one, for a person
// to fix or discard, instead of being sent again every few seconds.
const MAX_SERVER_FAILURES = 3;
const inFlight = new Set();
let syncing = false;

function body(item) {
  const data = new FormData();
  data.append("client_uuid", item.client_uuid);
  if (item.queued_at) data.append("logged_at", new Date(item.queued_at).toISOString());
  if (item.user) data.append("logged_by", item.user.id);
  item.folds.forEach((code) => data.append("folds", code));
  Object.entries(item.fields).forEach(([field, value]) => data.append(field, value));
  if (item.photo) data.append("photo", item.photo, item.photo_name);
  return data;
}

// Return {status, data}; throw when the server could not be reached in time.
async function send(item, csrfToken) {
  const controller = new AbortController();
  const upload = item.photo ? item.photo.size / PHOTO_BYTES_PER_MS : 0;
  const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS + upload);
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

function messages(data) {
  return Object.values((data && data.errors) || {}).flat().join(" ");
}

// Send one card. Return {saved: the server's card} once the server has it (and it has
// left the outbox); {errors} when the server refused it (the caller decides what becomes
// of it); {kept: true} when it stays in the outbox to be sent again, with `stop` when the
// cards behind it cannot go either (no network, no session).
export async function deliver(item, csrfToken) {
  inFlight.add(item.client_uuid);
  let result;
  try {
    result = await send(item, csrfToken);
  } catch (error) {
    return { kept: true, stop: true };
  } finally {
    inFlight.delete(item.client_uuid);
  }
  const { status, data } = result;
  if ((status === 201 || status === 200) && data) {
    await outbox.remove(item.client_uuid);
    return { saved: data };
  }
  if (status >= 500) {
    // Maybe this card alone (its photo): the cards behind it are sent all the same.
    item.failures = (item.failures || 0) + 1;
    const text = (messages(data) || "no explanation").replace(/\.$/, "");
    if (item.failures >= MAX_SERVER_FAILURES) {
      return { errors: { __all__: [`The server failed on it ${item.failures} times (${status}: ${text})`] } };
    }
    item.problem = `the server answered ${status}: ${text}`;
    await outbox.put(item);
    return { kept: true };
  }
  // A card of another user than the session's (409 logged_by: this page was left open
  // across a logout), a login page (an expired session ends on it, answered 200 in HTML)
  // or a 403: the session, not the card.
  if (data && data.errors && data.errors.logged_by) {
    item.problem = `this browser is logged in as someone else now; log in as ${item.user.username} to send it`;
    await outbox.put(item);
    return { kept: true, stop: true };
  }
  if (status === 200 || status === 403) {
    item.problem = messages(data) || "log in again to send it";
    await outbox.put(item);
    return { kept: true, stop: true };
  }
  return { errors: (data && data.errors) || { __all__: [`The server refused it (${status}).`] } };
}

// Send the cards of `user` waiting in the outbox, up to the first that finds no network
// or no session. A card the server refuses stays in the outbox, marked rejected, until
// someone fixes or discards it.
export async function sendWaiting(csrfToken, user, onSaved) {
  if (syncing) return;
  syncing = true;
  try {
    // In the order they were typed (the outbox keeps them by client_uuid), those without a
    // photo first: a photo going up slowly holds up no card behind it. Each card says when
    // it was typed, so the server's order is the typing order all the same.
    const slow = (item) => (item.photo ? 1 : 0);
    const items = (await outbox.all()).sort(
      (a, b) => slow(a) - slow(b) || (a.queued_at || 0) - (b.queued_at || 0),
    );
    for (const item of items) {
      if (item.rejected || inFlight.has(item.client_uuid) || !outbox.isFor(item, user)) continue;
      const result = await deliver(item, csrfToken);
      if (result.saved) {
        onSaved(item, result.saved);
      } else if (result.errors) {
        item.rejected = result.errors;
        await outbox.put(item);
      } else if (result.stop) {
        break;
      }
    }
  } finally {
    syncing = false;
  }
}

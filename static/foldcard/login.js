// The login page, where a logout lands: the booth page kept for a reload offline goes
// (it shows the last user's latest cards), and the cards still waiting in this browser's
// outbox are said, with whose they are; each is sent when that person logs in here.
import * as outbox from "./booth/outbox.js";
import { BOOTH_CACHE } from "./constants.js";

if ("caches" in window) caches.delete(BOOTH_CACHE);
outbox.all().then((items) => {
  document.querySelector("[data-outbox-waiting]").textContent = outbox.waitingForOthers(items, null).join(" ");
});

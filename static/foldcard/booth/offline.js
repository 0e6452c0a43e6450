// Keep the booth page and its files for a reload without network: sw.js serves them from
// this cache when the network fails.
import { BOOTH_CACHE, STATIC_PREFIX } from "../constants.js";

export function keepForOffline() {
  if (!("serviceWorker" in navigator && "caches" in window)) return;
  navigator.serviceWorker.register("/sw.js", { type: "module" }).catch(() => {});
  // Every static file this page loaded, the modules its script imports included.
  const assets = new Set(
    performance.getEntriesByType("resource")
      .map((entry) => new URL(entry.name))
      .filter((url) => url.origin === location.origin && url.pathname.startsWith(STATIC_PREFIX))
      .map((url) => url.pathname),
  );
  caches.open(BOOTH_CACHE).then((cache) => cache.addAll([location.pathname, ...assets]));
}

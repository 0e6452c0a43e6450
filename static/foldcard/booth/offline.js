// Keep the booth page and its files for a reload without network: sw.js serves them from
// this cache when the network fails.
export function keepForOffline() {
  if (!("serviceWorker" in navigator && "caches" in window)) return;
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

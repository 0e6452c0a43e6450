// Keeps the booth page and the static files usable offline: pages come from the network
// when it answers and from the last copy when it does not. Only the booth pages are kept,
// not other pages with people's details.
//
// A module worker (see booth/offline.js) served from /sw.js, so the path below is from
// the site root; it names the unhashed file, which whitenoise serves in production too.
import { BOOTH_CACHE, BOOTH_PAGE, STATIC_PREFIX } from "/static/foldcard/constants.js";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!BOOTH_PAGE.test(url.pathname) && !url.pathname.startsWith(STATIC_PREFIX)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(BOOTH_CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname).then((cached) => cached || Response.error())),
  );
});

// The playground's service worker: after the first visit it works with no
// network. Registered by production builds only (src/lib/offline.ts).
//
// On install it caches the app, the shipped models and the presets; the
// build writes that list and a version into the two marked lines below
// (scripts/precache-plugin.ts). A new build is a new file, so browsers
// install the new worker, which caches the new files and drops the old cache.
// corpus/ is not cached: the page never reads it (~11 MB).
//
// Pages (navigations) go to the network first, so a new version shows when
// online, and fall back to the cached page offline; everything else comes
// from the cache first (the assets' names carry their content hash).

const PRECACHE = []; // @precache
const VERSION = 'dev'; // @version
const CACHE = `rlhf-playground-${VERSION}`;
const SCOPE = new URL(self.registration.scope);

const skipped = (url) =>
  url.origin !== SCOPE.origin ||
  !url.pathname.startsWith(SCOPE.pathname) ||
  url.pathname.startsWith(`${SCOPE.pathname}corpus/`);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((p) => new URL(p, SCOPE).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((k) => k.startsWith('rlhf-playground-') && k !== CACHE)
            .map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  const cache = await caches.open(CACHE);
  // One entry per page, whatever its query (the query only carries settings).
  const key = new URL(request.url);
  key.search = '';
  key.hash = '';
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(key.href, response.clone());
    return response;
  } catch (e) {
    const cached = (await cache.match(key.href)) ?? (await cache.match(SCOPE.href));
    if (cached) return cached;
    throw e;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  // Files the list did not name (e.g. a model added after the build) are kept once fetched.
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (skipped(url)) return;
  event.respondWith(request.mode === 'navigate' ? page(request) : asset(request));
});

// Loaded into the service worker (importScripts, vite.config.ts). Releases of
// the playground before the Workbox worker cached the app under
// `rlhf-playground-<16 hex digits>`; nothing reads those caches any more, so
// the worker that replaces theirs deletes them when it activates (~12 MB).
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => /^rlhf-playground-[0-9a-f]{16}$/.test(k)).map((k) => caches.delete(k)),
        ),
      ),
  );
});

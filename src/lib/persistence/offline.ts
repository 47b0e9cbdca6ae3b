// Offline use: a production build registers the Workbox service worker that
// `vite build` writes (dist/sw.js, configured in vite.config.ts) once the page
// has loaded, so its precaching never competes with the first paint. In
// development there is none: vite serves fresh files every time.

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register('./sw.js').catch(() => {
      // No worker (private mode, file://): the page works, just not offline.
    });
  };
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}

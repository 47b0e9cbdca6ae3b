import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { wasmThreads } from './scripts/vite-wasm-threads.ts';

// The app is a static site: `vite build` writes dist/, which any static server
// (or the browser tests' loopback server) can serve.
export default defineConfig({
  plugins: [svelte(), offline()],
  base: './',
  // The workers' own bundles (tfjs runs there) take their own plugins.
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1' },
});

/**
 * Offline use: `vite build` writes a Workbox service worker (dist/sw.js) that
 * precaches the app, the shipped models and the presets, so that after one
 * visit the page works with no network. src/lib/persistence/offline.ts registers it, in
 * production builds only; the web app manifest is public/manifest.webmanifest.
 */
function offline() {
  return VitePWA({
    injectRegister: false,
    manifest: false,
    showMaximumFileSizeToCacheInBytesWarning: true,
    workbox: {
      cacheId: 'rlhf-playground',
      // Everything the build wrote except the corpora (~11 MB; the page never reads them).
      globPatterns: ['**/*'],
      globIgnores: ['corpus/**', '**/*.map', 'sw-legacy-caches.js'],
      // Workbox's default (2 MiB) would silently leave out the worker bundles
      // (~2.4 MB each) and en-nano.safetensors (3.3 MB). The largest file
      // shipped is under 4 MB; this leaves room and still refuses a stray giant.
      maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      // The query string only carries settings: `/?model=micro` and `/` are one entry.
      ignoreURLParametersMatching: [/./],
      // Pages go to the network first, so a new version shows when online, and
      // fall back to this build's precached page offline, whatever the query.
      // No directory index: otherwise the precache would answer `/` from the
      // cache before the network route below is asked.
      directoryIndex: '',
      navigateFallback: null,
      runtimeCaching: [
        {
          urlPattern: ({ request }) => request.mode === 'navigate',
          handler: 'NetworkOnly',
          options: { precacheFallback: { fallbackURL: 'index.html' } },
        },
      ],
      // Deletes the caches of the worker that earlier releases installed.
      importScripts: ['sw-legacy-caches.js'],
      // A new build takes over at once (as the hand-written worker did); the
      // open page is not reloaded, so no run in progress is lost.
      skipWaiting: true,
      clientsClaim: true,
    },
  });
}

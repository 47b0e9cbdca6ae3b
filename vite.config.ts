import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { precachePlugin } from './scripts/precache-plugin.ts';

// The app is a static site: `vite build` writes dist/, which any static server
// (or the browser tests' loopback server) can serve.
export default defineConfig({
  // precachePlugin: the offline list of public/sw.js (the worker is registered in production only).
  plugins: [svelte(), precachePlugin()],
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1' },
});

// The bench page's own build (npm run bench builds it): bench/page/ → bench/dist/,
// apart from the app's vite.config.ts and dist/.
import path from 'node:path';
import { defineConfig } from 'vite';
import { wasmThreads } from '../scripts/vite-wasm-threads.ts';

const here = import.meta.dirname;

export default defineConfig({
  root: path.join(here, 'page'),
  base: './',
  logLevel: 'warn',
  worker: { format: 'es', plugins: () => [wasmThreads()] },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8192,
  },
});

/**
 * Lets tfjs's multi-threaded wasm backend start in a bundled worker.
 *
 * tfjs-backend-wasm hands each of its pthread workers the source of its
 * threaded module factory as `factory.toString()`. Once a bundler has
 * rewritten that factory (renamed its closure variables, replaced `require`
 * with its own helpers), the source no longer stands alone, and every pthread
 * worker dies with a ReferenceError ("e is not defined"). This plugin gives
 * the workers the factory's original file instead: the same Emscripten build
 * as the bundled copy, so the main thread and its workers agree.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);

const PATTERN =
  /`var WasmBackendModuleThreadedSimd = `\s*\+\s*wasmFactoryThreadedSimd\.toString\(\)/;

export function wasmThreads(): Plugin {
  const root = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const glue = readFileSync(path.join(root, 'wasm-out/tfjs-backend-wasm-threaded-simd.js'), 'utf8');
  return {
    name: 'wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').includes('tfjs-backend-wasm/dist/')) return null;
      if (!code.includes('wasmFactoryThreadedSimd.toString()')) return null;
      if (!PATTERN.test(code)) {
        this.error(
          `${id}: the threaded factory's source is built differently in this tfjs version`,
        );
      }
      return { code: code.replace(PATTERN, JSON.stringify(glue)), map: null };
    },
  };
}

// Backend setup for tests in Node. `cpu` is the numeric reference; `wasm` is
// the fast path. The wasm binaries are read straight from node_modules.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let wasmReady = false;

export type NodeBackend = 'cpu' | 'wasm';

export async function useBackend(name: NodeBackend): Promise<typeof tf> {
  if (name === 'wasm' && !wasmReady) {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    setWasmPaths(path.join(dir, 'dist') + path.sep);
    wasmReady = true;
  }
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`could not start the ${name} backend`);
  await tf.ready();
  return tf;
}

/**
 * `npm run lessons` (scripts/lessons/run.ts) on tfjs's webgpu backend in Node,
 * through Dawn (the `webgpu` npm package): provides navigator.gpu, then runs
 * the lesson script with its arguments plus `--backend webgpu`. Bundled by
 * bench/gpu/build.sh beside dawn-run.ts; Dawn options as dawn-run's `--dawn`.
 *
 *   node lesson-webgpu.mjs --preset happy-endings --seeds 1 --wasm-ms 36 [--dawn backend=vulkan]
 */
import os from 'node:os';

const i = process.argv.indexOf('--dawn');
const dawnFlags = i >= 0 ? (process.argv[i + 1] ?? '').split(',').filter(Boolean) : [];
const { create, globals } = await import('webgpu');
Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', {
  value: { gpu: create(dawnFlags), hardwareConcurrency: os.cpus().length },
  configurable: true,
  writable: true,
});
process.argv.push('--backend', 'webgpu');
await import('../../scripts/lessons/run');
// dawn.node keeps the process alive while navigator.gpu is referenced.
process.exit(0);

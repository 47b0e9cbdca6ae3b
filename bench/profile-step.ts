/**
 * Kernel profile of one SFT training step (batch 16 × 128 tokens, Adam):
 * kernels launched per step and milliseconds per kernel type.
 *
 * It wraps every kernel function registered for the backend, so it sees each
 * kernel the engine dispatches (forward, gradients, Adam) without tf.profile's
 * per-kernel read-backs. Timings are exact on wasm and cpu, whose kernels run
 * synchronously; on webgl/webgpu they would only measure the launch.
 *
 * Usage: npx tsx bench/profile-step.ts [--backend wasm] [--size nano] [--steps 2]
 *        [--top 25] [--shapes] [--phases]
 *        (--shapes: by input shapes; --phases: by forward / backward / optimizer)
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MODEL_SIZES, createGPT, mulberry32, SftTrainer, type ModelSize } from '../src/core/index';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const backend = opt('backend', 'wasm');
const size = opt('size', 'nano') as ModelSize;
const steps = Number(opt('steps', '2'));
const top = Number(opt('top', '25'));
const byShape = args.includes('--shapes');
const byPhase = args.includes('--phases');

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
setWasmPaths(path.join(wasmDir, 'dist') + path.sep);
await tf.setBackend(backend);
await tf.ready();

interface Stat {
  count: number;
  ms: number;
}
const stats = new Map<string, Stat>();
let recording = false;

// Phases: the engine's `gradients` runs the loss function (forward) and then
// backprop; everything else in a step is the optimizer (norm, clipping, Adam).
type Phase = 'forward' | 'backward' | 'optimizer';
let phase: Phase = 'optimizer';
const phases = new Map<Phase, Stat>();
const engine = tf.engine() as unknown as {
  gradients: (f: () => tf.Tensor, ...r: unknown[]) => unknown;
};
const gradients = engine.gradients.bind(engine);
engine.gradients = (f, ...rest) => {
  const wrapped = () => {
    phase = 'forward';
    const y = f();
    phase = 'backward';
    return y;
  };
  try {
    return gradients(wrapped, ...rest);
  } finally {
    phase = 'optimizer';
  }
};

type KernelArgs = { inputs: Record<string, tf.TensorInfo | undefined> };
function keyOf(name: string, a: KernelArgs): string {
  const key = byPhase ? `${phase} ${name}` : name;
  if (!byShape) return key;
  const shapes = Object.values(a.inputs).map((t) => (t ? `[${t.shape.join(',')}]` : '-'));
  return `${key} ${shapes.join(' ')}`;
}

// The engine looks a kernel's config up on every dispatch and calls its
// kernelFunc, so replacing kernelFunc in the registered config intercepts it.
for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (a) => {
    if (!recording) return inner(a);
    const t0 = performance.now();
    const out = inner(a);
    const ms = performance.now() - t0;
    const key = keyOf(config.kernelName, a as unknown as KernelArgs);
    for (const [map, k] of [
      [stats, key],
      [phases, phase],
    ] as const) {
      const s = (map as Map<string, Stat>).get(k) ?? { count: 0, ms: 0 };
      s.count++;
      s.ms += ms;
      (map as Map<string, Stat>).set(k, s);
    }
    return out;
  };
}

const V = 72;
const model = createGPT({ vocabSize: V, ...MODEL_SIZES[size] }, 1);
const trainer = new SftTrainer(model, { lr: 1e-3 });
const rng = mulberry32(2);
const batch = () =>
  Array.from({ length: 16 }, () => {
    const seq = Array.from({ length: 128 }, () => 4 + Math.floor(rng() * (V - 4)));
    return { prompt: seq.slice(0, 1), response: seq.slice(1) };
  });

await trainer.step(batch()); // warm-up: first-call costs stay out of the profile
const tensorsBefore = tf.memory().numTensors;
const walls: number[] = [];
for (let i = 0; i < steps; i++) {
  const b = batch();
  recording = true;
  const t0 = performance.now();
  await trainer.step(b);
  walls.push(performance.now() - t0);
  recording = false;
}
walls.sort((a, b) => a - b);
const leaked = tf.memory().numTensors - tensorsBefore;

const rows = [...stats.entries()].map(([kernel, s]) => ({
  kernel,
  'per step': s.count / steps,
  'ms/step': +(s.ms / steps).toFixed(1),
  'µs each': Math.round((1000 * s.ms) / s.count),
}));
rows.sort((a, b) => b['ms/step'] - a['ms/step']);
const kernels = rows.reduce((n, r) => n + r['per step'], 0);
const kernelMs = rows.reduce((n, r) => n + r['ms/step'], 0);
console.log(
  `${backend} ${size}: ${walls[0].toFixed(0)} ms/step (fastest of ${steps}; median ` +
    `${walls[Math.floor(steps / 2)].toFixed(0)}), ${kernels} kernels/step, ` +
    `${kernelMs.toFixed(0)} ms/step inside kernels (mean), ${rows.length} kernel types, ` +
    `tensor leak/step ${leaked / steps}`,
);
console.log(
  [...phases.entries()]
    .map(([p, s]) => `${p}: ${s.count / steps} kernels, ${(s.ms / steps).toFixed(0)} ms`)
    .join('; '),
);
console.table(rows.slice(0, top));
trainer.dispose();
model.dispose();

/**
 * Milliseconds per SFT training step of the nano and micro configs in Node,
 * on the cpu and wasm backends (batch 16 × 128 tokens, Adam).
 * Usage: npx tsx bench/node-step.ts [--backends cpu,wasm] [--steps 5]
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
const backends = opt('backends', 'wasm,cpu').split(',');
const sizes = opt('sizes', 'nano,micro').split(',') as ModelSize[];
const steps = Number(opt('steps', '5'));

const require = createRequire(import.meta.url);
setWasmPaths(
  path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') +
    path.sep,
);

const V = 72;
const rows: Record<string, string | number>[] = [];
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  for (const size of sizes) {
    const model = createGPT({ vocabSize: V, ...MODEL_SIZES[size] }, 1);
    const trainer = new SftTrainer(model, { lr: 1e-3 });
    const rng = mulberry32(2);
    const batch = () =>
      Array.from({ length: 16 }, () => {
        const seq = Array.from({ length: 128 }, () => 4 + Math.floor(rng() * (V - 4)));
        return { prompt: seq.slice(0, 1), response: seq.slice(1) };
      });
    await trainer.step(batch()); // warm-up
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const b = batch();
      const t0 = performance.now();
      await trainer.step(b);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    rows.push({
      backend,
      size,
      params: model.parameterCount,
      'ms/step (median)': Math.round(median),
      'tokens/s': Math.round((16 * 127) / (median / 1000)),
    });
    trainer.dispose();
    model.dispose();
  }
}
console.table(rows);
